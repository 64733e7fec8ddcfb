"""Folds LoRA adapters into base weights: W <- W + scale * B @ A, written as an HF checkpoint.

Works shard by shard and tensor by tensor, so merging a 14B model needs memory for one shard,
not the whole model. Accepts our adapters and any standard PEFT folder
(`adapter_config.json` + `adapter_model.safetensors`), e.g. hemingkx/TokenSkip-Qwen2.5-7B-Instruct-GSM8K.
Config and tokenizer files are copied beside the weights.

    python -m tokenskip_trainer.merge --base Qwen2.5-7B-Instruct --adapter TokenSkip-Qwen2.5-7B-Instruct-GSM8K --out merged
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

import torch

from .lora import read_adapter
from .safetensors_io import iter_tensors, model_files, save_file, read_header, NAMES

TOKENIZER_FILES = ["tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt", "special_tokens_map.json",
                   "added_tokens.json", "generation_config.json", "tokenizer.model"]
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def emit(event: str, **fields) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def merge(base: str, adapter: str, out: str, dtype: str = "", progress=lambda **k: None) -> dict:
    if not os.path.exists(os.path.join(base, "config.json")):
        raise ValueError(f"{base}: config.json is missing (expected an HF checkpoint folder)")
    with open(os.path.join(base, "config.json")) as f:
        config = json.load(f)
    lcfg, pairs = read_adapter(adapter)
    scale = lcfg.scale
    files = model_files(base)
    # Check shapes before writing anything, so a mismatched adapter never leaves a half-merged folder.
    shapes = {}
    for path in files:
        header, _ = read_header(path)
        for k, v in header.items():
            if k != "__metadata__":
                shapes[k] = (tuple(v["shape"]), v["dtype"])
    for mod, (a, b) in pairs.items():
        key = mod + ".weight"
        if key not in shapes:
            raise ValueError(f"adapter targets {mod}, which the base model {base} does not have (wrong base model?)")
        out_f, in_f = shapes[key][0]
        if tuple(a.shape) != (lcfg.r, in_f) or tuple(b.shape) != (out_f, lcfg.r):
            raise ValueError(f"adapter {mod}: A {tuple(a.shape)} / B {tuple(b.shape)} do not fit base weight {(out_f, in_f)} (wrong base model size?)")
    tmp = out.rstrip("/") + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    target = DTYPES[dtype] if dtype else None
    merged = 0
    for i, path in enumerate(files):
        tensors = {}
        for name, t in iter_tensors(path):
            mod = name[: -len(".weight")] if name.endswith(".weight") else None
            if mod in pairs:
                a, b = pairs[mod]
                # fp32 accumulation: adding a small delta to bf16 directly would round most of it away.
                t = (t.float() + (b.float() @ a.float()) * scale).to(t.dtype)
                merged += 1
            tensors[name] = t.to(target) if target is not None and t.is_floating_point() else t
        save_file(tensors, os.path.join(tmp, os.path.basename(path)), {"format": "pt"})
        progress(index=i + 1, total=len(files), file=os.path.basename(path))
        del tensors
    idx = os.path.join(base, "model.safetensors.index.json")
    if os.path.exists(idx):
        shutil.copy(idx, tmp)
    if dtype:
        config["torch_dtype"] = dtype
    with open(os.path.join(tmp, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    for name in TOKENIZER_FILES:
        if os.path.exists(os.path.join(base, name)):
            shutil.copy(os.path.join(base, name), tmp)
    if merged != len(pairs):
        shutil.rmtree(tmp)
        raise ValueError(f"merged {merged} of {len(pairs)} adapter modules")
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    return {"merged_modules": merged, "scale": scale, "r": lcfg.r, "lora_alpha": lcfg.lora_alpha, "files": [os.path.basename(p) for p in files]}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Merge a LoRA adapter (ours or PEFT layout) into an HF checkpoint.")
    p.add_argument("--base", required=True, help="HF checkpoint folder (config.json + safetensors)")
    p.add_argument("--adapter", required=True, help="adapter folder (adapter_config.json + adapter_model.safetensors)")
    p.add_argument("--out", required=True, help="output folder (replaced atomically)")
    p.add_argument("--dtype", default="", choices=["", "float32", "bfloat16", "float16"], help="cast weights (default: keep)")
    a = p.parse_args(argv)
    torch.set_num_threads(2)
    try:
        info = merge(a.base, a.adapter, a.out, a.dtype, progress=lambda **k: emit("shard", **k))
    except ValueError as e:
        emit("error", message=str(e))
        print(f"merge: {e}", file=sys.stderr)
        return 2
    emit("done", out=a.out, **info)
    return 0


if __name__ == "__main__":
    sys.exit(main())
