"""Re-creates a trainable checkpoint from an ONNX export of ours (the inverse of export_onnx).

A fresh clone holds the shipped mini base model only as `onnx/model.onnx`; the TokenSkip step
(LoRA on top of the base) needs the HF-layout checkpoint the pretraining wrote. The exporter
keeps every weight as an initializer read by a node named after its module
(`/model/layers.0/self_attn/q_proj/MatMul` reads the transposed q_proj weight), so the checkpoint
comes back exactly, bit for bit, with no pretraining; a test checks that re-exporting it gives the
same ONNX file byte for byte.

    python -m tokenskip_trainer.from_onnx --onnx models/mini/base --out work/mini/pretrain/model
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys

import torch

from .merge import TOKENIZER_FILES
from .model import CausalLM, Config, save_model

# The node that reads each weight, by the module it belongs to: `/model/layers.3/mlp/up_proj/MatMul`
# reads `model.layers.3.mlp.up_proj.weight` (transposed), `.../q_proj/Add` the bias,
# `.../input_layernorm/Mul_1` the norm weight, `/model/embed_tokens/Gather` the embedding.
NODE = re.compile(r"^/model/(?P<path>(?:layers\.\d+/)?[\w.]+(?:/[\w.]+)?|lm_head)/(?P<op>MatMul|Add|Mul_1|Gather)$")
SUFFIX = {"MatMul": "weight", "Add": "bias", "Mul_1": "weight", "Gather": "weight"}


def onnx_state_dict(onnx_path: str) -> dict:
    """Weights by module name, found through the nodes that read them: identical tensors (two
    norms still at 1.0) share one initializer in the exported graph (the others are Identity
    aliases of it), so initializer names alone do not give every weight."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(onnx_path).graph
    inits = {i.name: i for i in graph.initializer}
    # The exporter keeps one copy of identical tensors and aliases the others with Identity nodes.
    for node in graph.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            inits[node.output[0]] = inits[node.input[0]]
    sd = {}
    for node in graph.node:
        weight = next((x for x in node.input if x in inits), None)
        if weight is None or node.op_type not in ("MatMul", "Add", "Mul", "Gather"):
            continue
        m = NODE.match(node.name)
        if not m:
            raise ValueError(f"{onnx_path}: node '{node.name}' reads a weight but belongs to no known module")
        path, op = m.group("path"), m.group("op")
        key = path.replace("/", ".") + "." + SUFFIX[op]
        if not key.startswith("lm_head"):
            key = "model." + key
        t = torch.from_numpy(numpy_helper.to_array(inits[weight]).copy())
        sd[key] = t.t().contiguous() if op == "MatMul" else t
    return sd


def convert(onnx_dir: str, out: str) -> dict:
    cfg_path = os.path.join(onnx_dir, "config.json")
    onnx_path = os.path.join(onnx_dir, "onnx", "model.onnx")
    for p in (cfg_path, onnx_path):
        if not os.path.exists(p):
            raise ValueError(f"{onnx_dir}: {os.path.relpath(p, onnx_dir)} is missing (expected an ONNX export of ours)")
    with open(cfg_path, encoding="utf-8") as f:
        cfg_dict = json.load(f)
    cfg = Config.from_dict(cfg_dict)
    model = CausalLM(cfg)
    sd = onnx_state_dict(onnx_path)
    expected = model.state_dict()
    tied = cfg.tie_word_embeddings
    if tied and "lm_head.weight" in sd:
        if not torch.equal(sd["lm_head.weight"], sd["model.embed_tokens.weight"]):
            raise ValueError(f"{onnx_path}: config.json ties the embeddings but lm_head differs from embed_tokens")
        del sd["lm_head.weight"]
    missing = [k for k in expected if k not in sd and not (tied and k == "lm_head.weight")]
    extra = [k for k in sd if k not in expected]
    if missing or extra:
        raise ValueError(f"{onnx_path}: weights do not match config.json (missing {missing[:3]}, unexpected {extra[:3]})")
    for k, t in sd.items():
        if tuple(t.shape) != tuple(expected[k].shape):
            raise ValueError(f"{onnx_path}: {k} has shape {tuple(t.shape)}, config.json implies {tuple(expected[k].shape)}")
    model.load_state_dict(sd, strict=not tied)
    if tied:
        model.lm_head.weight = model.model.embed_tokens.weight
    save_model(model, out)
    for f in TOKENIZER_FILES + ["generation_config.json"]:
        src = os.path.join(onnx_dir, f)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(out, f))
    return {"tensors": len(sd), "parameters": sum(p.numel() for p in model.parameters())}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m tokenskip_trainer.from_onnx", description=__doc__.split("\n\n")[0])
    p.add_argument("--onnx", required=True, help="folder with config.json and onnx/model.onnx (an export of ours)")
    p.add_argument("--out", required=True, help="checkpoint folder to write (config.json, model.safetensors, tokenizer)")
    a = p.parse_args(argv)
    try:
        info = convert(a.onnx, a.out)
    except ValueError as e:
        print(json.dumps({"event": "error", "message": str(e)}), file=sys.stderr)
        return 2
    print(json.dumps({"event": "done", **info}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
