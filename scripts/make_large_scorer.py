"""Generates an XLM-R-large-shaped LLMLingua-2 token classifier with random (seeded) weights, in the
file layout of atjsh/llmlingua-2-js-xlm-roberta-large-meetingbank, for the large-model benches
(bench/large.bench.ts): the real model cannot be downloaded here, but its size is what matters.

Shape: 24 layers, hidden 1024, 16 heads, FFN 4096, 514 positions, 2 labels; tokenizer of 250,002
Unigram pieces (the fixture's learnt GSM8K/MATH pieces, padded with unused filler pieces) and an
embedding of 250,102 rows (+ 100 [NEWi] placeholders, as the real config's vocab_size). About 559M
parameters: onnx/model.onnx (graph) + onnx/model.onnx_data (2.24 GB fp32 external data, one file).
`--dtype fp16` also writes onnx/model_fp16.onnx + onnx/model_fp16.onnx_data (1.12 GB), converted
tensor by tensor from the fp32 files (float initializers, constants, casts and I/O to float16).

The encoder is scripts/make_scorer_fixtures.py's (trainer/token_classifier.py layers plus a keep
prior), so kept words are plausible and stable across backends. NOT LLMLingua-2: only its size.

Memory: torch holds the fp32 weights once (2.24 GB) plus what the ONNX exporter folds (~2x); the
exporter writes one file per tensor, which are then appended to model.onnx_data one at a time.

    PYTHONPATH=trainer /usr/bin/python3 scripts/make_large_scorer.py --out work/large --dtype fp32
    PYTHONPATH=trainer /usr/bin/python3 scripts/make_large_scorer.py --out work/large --dtype fp16   # fp32 + fp16
"""

import argparse
import json
import os
import shutil
import sys
import time

import numpy as np
import onnx
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from make_scorer_fixtures import (  # noqa: E402
    N_PLACEHOLDERS,
    TinyTokenClassifier,
    keep_prior,
    read_corpus,
    xlmr_tokenizer,
)

TOKENIZER_PIECES = 250_002  # XLM-R's SentencePiece vocabulary
HIDDEN, LAYERS, HEADS, POSITIONS = 1024, 24, 16, 514


def tokenizer_files(texts):
    """The fixture's XLM-R tokenizer, padded to 250,002 pieces (<mask> stays last, as in XLM-R)."""
    tok, specials, pieces = xlmr_tokenizer(texts, 8000)
    vocab = tok["model"]["vocab"]
    mask = vocab.pop()
    # Filler pieces: never chosen (score far below any learnt piece), only there for the size.
    i = 0
    while len(vocab) < TOKENIZER_PIECES - 1:
        vocab.append([f"▁qz{i:x}", -40.0])
        i += 1
    vocab.append(mask)
    for added in tok["added_tokens"]:
        if added["content"] == "<mask>":
            added["id"] = len(vocab) - 1
    return tok, specials, [p for p, _ in vocab]


def build_model(pieces, specials):
    torch.manual_seed(560)
    special_set = set(specials.values())
    prior = torch.tensor(
        [0.0 if p in special_set or p.startswith("▁qz") else keep_prior(p) for p in pieces]
        + [0.0] * N_PLACEHOLDERS
    )
    model = TinyTokenClassifier(len(pieces) + N_PLACEHOLDERS, HIDDEN, LAYERS, HEADS, prior, False)
    model.pos = nn.Embedding(POSITIONS, HIDDEN)  # XLM-R: 512 + 2 (positions start after padding_idx)
    return model.eval()


def write_json(out, name, obj):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=None if name == "tokenizer.json" else 2)
        f.write("\n")


def consolidate(onnx_dir, graph_name, data_name):
    """Moves every per-tensor external file the exporter wrote into one data file, one at a time."""
    graph_path = os.path.join(onnx_dir, graph_name)
    model = onnx.load(graph_path, load_external_data=False)
    data_path = os.path.join(onnx_dir, data_name)
    with open(data_path + ".tmp", "wb") as out:
        for t in model.graph.initializer:
            if t.data_location != onnx.TensorProto.EXTERNAL:
                continue
            info = {e.key: e.value for e in t.external_data}
            src = os.path.join(onnx_dir, info["location"])
            offset = out.tell()
            with open(src, "rb") as f:
                f.seek(int(info.get("offset", 0)))
                length = int(info["length"]) if "length" in info else None
                data = f.read() if length is None else f.read(length)
            out.write(data)
            os.remove(src)
            del t.external_data[:]
            for k, v in (("location", data_name), ("offset", str(offset)), ("length", str(len(data)))):
                entry = t.external_data.add()
                entry.key, entry.value = k, v
    os.replace(data_path + ".tmp", data_path)
    with open(graph_path + ".tmp", "wb") as f:
        f.write(model.SerializeToString())
    os.replace(graph_path + ".tmp", graph_path)


def export_fp32(model, out):
    onnx_dir = os.path.join(out, "onnx")
    export_dir = os.path.join(out, "onnx.export")
    shutil.rmtree(export_dir, ignore_errors=True)
    os.makedirs(export_dir)
    ids = torch.randint(5, 2000, (1, 16))
    mask = torch.ones_like(ids)
    axes = {n: {0: "batch_size", 1: "sequence_length"} for n in ("input_ids", "attention_mask", "logits")}
    with torch.no_grad():
        # Over 2 GB, torch writes each initializer to its own file next to the graph.
        torch.onnx.export(
            model,
            (ids, mask),
            os.path.join(export_dir, "model.onnx"),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes=axes,
            opset_version=14,
            do_constant_folding=True,
        )
    consolidate(export_dir, "model.onnx", "model.onnx_data")
    os.makedirs(onnx_dir, exist_ok=True)
    for name in ("model.onnx", "model.onnx_data"):
        os.replace(os.path.join(export_dir, name), os.path.join(onnx_dir, name))
    shutil.rmtree(export_dir)


def to_fp16_tensor(t, read):
    """Rewrites a float TensorProto as float16 in place; `read` gives its raw float32 bytes."""
    values = np.frombuffer(read(t), dtype=np.float32).astype(np.float16)
    del t.float_data[:]
    t.data_type = onnx.TensorProto.FLOAT16
    return values.tobytes()


def convert_fp16(out):
    """onnx/model.onnx(+_data) -> onnx/model_fp16.onnx(+_data), streaming one tensor at a time."""
    onnx_dir = os.path.join(out, "onnx")
    model = onnx.load(os.path.join(onnx_dir, "model.onnx"), load_external_data=False)
    src = open(os.path.join(onnx_dir, "model.onnx_data"), "rb")

    def read(t):
        if t.data_location == onnx.TensorProto.EXTERNAL:
            info = {e.key: e.value for e in t.external_data}
            src.seek(int(info["offset"]))
            return src.read(int(info["length"]))
        if t.raw_data:
            return t.raw_data
        return np.array(t.float_data, dtype=np.float32).tobytes()

    data_name = "model_fp16.onnx_data"
    data_path = os.path.join(onnx_dir, data_name)
    with open(data_path + ".tmp", "wb") as dst:
        for t in model.graph.initializer:
            if t.data_type != onnx.TensorProto.FLOAT:
                continue
            external = t.data_location == onnx.TensorProto.EXTERNAL
            raw = to_fp16_tensor(t, read)
            if external:
                offset = dst.tell()
                dst.write(raw)
                del t.external_data[:]
                for k, v in (("location", data_name), ("offset", str(offset)), ("length", str(len(raw)))):
                    entry = t.external_data.add()
                    entry.key, entry.value = k, v
            else:
                t.raw_data = raw
    src.close()
    for node in model.graph.node:
        for attr in node.attribute:
            if node.op_type == "Cast" and attr.name == "to" and attr.i == onnx.TensorProto.FLOAT:
                attr.i = onnx.TensorProto.FLOAT16
            if attr.type == onnx.AttributeProto.TENSOR and attr.t.data_type == onnx.TensorProto.FLOAT:
                attr.t.raw_data = to_fp16_tensor(attr.t, read)
    for vi in list(model.graph.input) + list(model.graph.output) + list(model.graph.value_info):
        if vi.type.tensor_type.elem_type == onnx.TensorProto.FLOAT:
            vi.type.tensor_type.elem_type = onnx.TensorProto.FLOAT16
    os.replace(data_path + ".tmp", data_path)
    with open(os.path.join(onnx_dir, "model_fp16.onnx"), "wb") as f:
        f.write(model.SerializeToString())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="work/large", help="model folder to write (default work/large)")
    parser.add_argument("--dtype", choices=("fp32", "fp16"), default="fp32", help="fp16 writes fp32 and fp16")
    args = parser.parse_args()
    torch.set_num_threads(2)
    started = time.time()
    out = args.out
    os.makedirs(out, exist_ok=True)
    graph_ready = os.path.exists(os.path.join(out, "onnx", "model.onnx_data"))
    tok, specials, pieces = tokenizer_files(read_corpus())
    config = {
        "_name_or_path": "tokenskip-studio/large-lingua-xlmr-random",
        "architectures": ["XLMRobertaForTokenClassification"],
        "model_type": "xlm-roberta",
        "vocab_size": len(pieces) + N_PLACEHOLDERS,
        "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "intermediate_size": 4 * HIDDEN,
        "max_position_embeddings": POSITIONS,
        "id2label": {"0": "LABEL_0", "1": "LABEL_1"},
        "label2id": {"LABEL_0": 0, "LABEL_1": 1},
        "tokenskip_fixture": "Random XLM-R-large-sized token classifier for benches; NOT LLMLingua-2.",
    }
    tok_config = {"model_max_length": 512, "tokenizer_class": "XLMRobertaTokenizer", **specials}
    write_json(out, "config.json", config)
    write_json(out, "tokenizer.json", tok)
    write_json(out, "tokenizer_config.json", tok_config)
    write_json(out, "special_tokens_map.json", specials)
    if graph_ready:
        print("onnx/model.onnx_data exists: keeping the fp32 export")
    else:
        model = build_model(pieces, specials)
        n = sum(p.numel() for p in model.parameters())
        print(f"exporting {n / 1e6:.1f}M parameters ...", flush=True)
        export_fp32(model, out)
        del model
    if args.dtype == "fp16":
        convert_fp16(out)
    for name in sorted(os.listdir(os.path.join(out, "onnx"))):
        print(f"  onnx/{name}: {os.path.getsize(os.path.join(out, 'onnx', name)):,} bytes")
    print(f"wrote {out} in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
