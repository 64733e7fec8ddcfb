"""Exports an HF-layout Qwen2/Llama checkpoint to ONNX in the transformers.js layout, with KV cache.

Graph inputs: input_ids, attention_mask, position_ids (B, T / B, P+T / B, T) and
past_key_values.{i}.key|value (B, kv_heads, P, head_dim); outputs: logits (B, T, vocab) and
present.{i}.key|value (B, kv_heads, P+T, head_dim). The folder gets onnx/model.onnx plus
config.json, generation_config.json and the tokenizer files, which is what
`AutoModelForCausalLM.from_pretrained(folder, {dtype: 'fp32'})` loads.

    python -m tokenskip_trainer.export_onnx --model merged --out web-model
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import shutil
import sys

import torch
import torch.nn as nn

from .merge import TOKENIZER_FILES
from .model import Attention, CausalLM, load_model

OPSET = 14


class WithPast(nn.Module):
    """Flat tensor signature for the exporter: (ids, mask, pos, k0, v0, k1, v1, ...)."""

    def __init__(self, model: CausalLM) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        logits, presents = self.model(input_ids, attention_mask, position_ids, past)
        flat = []
        for k, v in presents:
            flat += [k, v]
        return (logits, *flat)


def io_names(n_layers: int):
    past = [f"past_key_values.{i}.{kv}" for i in range(n_layers) for kv in ("key", "value")]
    present = [f"present.{i}.{kv}" for i in range(n_layers) for kv in ("key", "value")]
    return ["input_ids", "attention_mask", "position_ids", *past], ["logits", *present]


def consolidate_external_data(onnx_dir: str, force: bool) -> bool:
    """One `model.onnx_data` file beside `model.onnx`, the name transformers.js looks for.

    The exporter switches to external data by itself above protobuf's 2 GB limit, but writes one
    file per tensor; we gather them into one (and can do so on request for smaller models)."""
    path = os.path.join(onnx_dir, "model.onnx")
    extra = [f for f in os.listdir(onnx_dir) if f != "model.onnx"]
    if not extra and not force:
        return False
    import onnx

    model = onnx.load(path)  # pulls the per-tensor files in
    for f in extra:
        os.remove(os.path.join(onnx_dir, f))
    onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location="model.onnx_data", size_threshold=1024)
    return True


def export(model_dir: str, out: str, external_data: bool = False) -> dict:
    model = load_model(model_dir).eval()
    Attention.use_sdpa = False
    cfg = model.config
    L, kv, hd = cfg.num_hidden_layers, cfg.num_key_value_heads, cfg.head_dim
    inputs, outputs = io_names(L)
    B, T, P = 1, 3, 2
    ids = torch.randint(0, cfg.vocab_size, (B, T))
    mask = torch.ones(B, P + T, dtype=torch.long)
    pos = torch.arange(P, P + T).unsqueeze(0)
    past = [torch.zeros(B, kv, P, hd) for _ in range(2 * L)]
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
           "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"},
           "logits": {0: "batch_size", 1: "sequence_length"}}
    for name in inputs[3:]:
        dyn[name] = {0: "batch_size", 2: "past_sequence_length"}
    for name in outputs[1:]:
        dyn[name] = {0: "batch_size", 2: "total_sequence_length"}
    tmp = out.rstrip("/") + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "onnx"))
    kwargs = dict(input_names=inputs, output_names=outputs, dynamic_axes=dyn, opset_version=OPSET, do_constant_folding=True)
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False  # the TorchScript exporter handles our dynamic_axes; torch >= 2.9 defaults to dynamo
    with torch.no_grad():
        torch.onnx.export(WithPast(model), (ids, mask, pos, *past), os.path.join(tmp, "onnx", "model.onnx"), **kwargs)
    external = consolidate_external_data(os.path.join(tmp, "onnx"), external_data)
    config = cfg.to_dict()
    with open(os.path.join(model_dir, "config.json")) as f:
        config = {**json.load(f), "use_cache": True}
    with open(os.path.join(tmp, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    for name in TOKENIZER_FILES:
        if os.path.exists(os.path.join(model_dir, name)):
            shutil.copy(os.path.join(model_dir, name), tmp)
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    return {"onnx": os.path.join(out, "onnx", "model.onnx"), "opset": OPSET, "layers": L, "external_data": external,
            "inputs": inputs, "outputs": outputs}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True, help="HF checkpoint folder (e.g. the output of merge.py)")
    p.add_argument("--out", required=True, help="output folder (transformers.js layout)")
    p.add_argument("--external-data", action="store_true",
                   help="weights in onnx/model.onnx_data (automatic above 2 GB)")
    a = p.parse_args(argv)
    torch.set_num_threads(2)
    try:
        info = export(a.model, a.out, a.external_data)
    except ValueError as e:
        print(json.dumps({"event": "error", "message": str(e)}), flush=True)
        print(f"export_onnx: {e}", file=sys.stderr)
        return 2
    print(json.dumps({"event": "done", **{k: v for k, v in info.items() if k not in ("inputs", "outputs")}}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
