"""Creates a tiny random Qwen2 (or Llama) checkpoint in HF layout, for tests and benchmarks.

The folder holds config.json, model.safetensors, generation_config.json, tokenizer_config.json and
a byte-level BPE tokenizer.json (256 byte tokens + Qwen's chat special tokens), so every step of
the pipeline (Node tokenization, training, merge, ONNX/MLC export) runs on it as on a real model.

    python trainer/tiny.py out/tiny --layers 2 --hidden 16 --seed 0
    python trainer/tiny.py out/q05 --preset qwen2.5-0.5b      # random weights, real shapes
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from model import CausalLM, Config, init_random, save_model  # noqa: E402

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

PRESETS = {
    # Qwen2.5-0.5B-Instruct's shapes (REFERENCE section 5).
    "qwen2.5-0.5b": dict(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                         num_attention_heads=14, num_key_value_heads=2, tie_word_embeddings=True),
}


def bytes_to_unicode() -> dict:
    """GPT-2's reversible byte -> printable character table used by byte-level BPE."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def tokenizer_json() -> dict:
    table = bytes_to_unicode()
    vocab = {table[b]: b for b in range(256)}
    added = [{"id": 256 + i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, t in enumerate(SPECIALS)]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "vocab": vocab, "merges": []},
    }


def make(out: str, layers: int = 2, hidden: int = 16, heads: int = 4, kv_heads: int = 2, intermediate: int = 32,
         vocab: int = 320, seed: int = 0, model_type: str = "qwen2", preset: str = "", dtype: str = "float32") -> str:
    kw = dict(model_type=model_type, vocab_size=vocab, hidden_size=hidden, intermediate_size=intermediate,
              num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv_heads,
              max_position_embeddings=4096, tie_word_embeddings=True)
    if preset:
        kw.update(PRESETS[preset])
    cfg = Config(**kw, extra={"bos_token_id": 256, "eos_token_id": 258})
    torch.manual_seed(seed)
    # Larger embeddings than a real init: with hidden 16, std 0.02 leaves the tied head unable to
    # move the logits far from uniform, and a few LoRA steps could not show learning.
    model = init_random(CausalLM(cfg), seed=seed, std=0.02 if preset else 0.2, embed_std=0.02 if preset else 1.0)
    save_model(model, out, dtype={"float32": torch.float32, "bfloat16": torch.bfloat16}[dtype])
    files = {
        "tokenizer.json": tokenizer_json(),
        "tokenizer_config.json": {"tokenizer_class": "Qwen2Tokenizer", "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
                                  "bos_token": None, "model_max_length": 4096},
        "generation_config.json": {"eos_token_id": [258, 256], "pad_token_id": 256, "do_sample": False},
    }
    for name, obj in files.items():
        with open(os.path.join(out, name), "w") as f:
            json.dump(obj, f, ensure_ascii=False, indent=1)
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser(description="Write a tiny random Qwen2/Llama checkpoint (HF layout).")
    p.add_argument("out")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--kv-heads", type=int, default=2)
    p.add_argument("--intermediate", type=int, default=32)
    p.add_argument("--vocab", type=int, default=320)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model-type", default="qwen2", choices=["qwen2", "llama"])
    p.add_argument("--preset", default="", choices=[""] + list(PRESETS))
    p.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    a = p.parse_args()
    torch.set_num_threads(2)
    make(a.out, a.layers, a.hidden, a.heads, a.kv_heads, a.intermediate, a.vocab, a.seed, a.model_type, a.preset, a.dtype)
    print(json.dumps({"event": "done", "out": a.out}))
