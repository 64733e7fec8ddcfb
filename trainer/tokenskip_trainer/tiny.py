"""Creates a tiny random Qwen2 (or Llama) checkpoint in HF layout, for tests and benchmarks.

The folder holds config.json, model.safetensors, generation_config.json, tokenizer_config.json and
a byte-level BPE tokenizer.json (256 byte tokens + Qwen's chat special tokens), so every step of
the pipeline (Node tokenization, training, merge, ONNX/MLC export) runs on it as on a real model.

    python -m tokenskip_trainer.tiny out/tiny --layers 2 --hidden 16 --seed 0
    python -m tokenskip_trainer.tiny out/q05 --preset qwen2.5-0.5b      # random weights, real shapes
    python -m tokenskip_trainer.tiny out/mini-init --tokenizer out/tok --layers 4 --hidden 192 --std 0.02
                                                              # a model to pretrain (tokenizer.json given)
"""
from __future__ import annotations

import argparse
import json
import os

import torch

from .model import CausalLM, Config, init_random, save_model
from .prompt_table import QWEN_SPECIALS as SPECIALS

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
         vocab: int = 320, seed: int = 0, model_type: str = "qwen2", preset: str = "", dtype: str = "float32",
         tokenizer: str = "", std: float = 0.0, max_positions: int = 4096, rope_theta: float = 1000000.0) -> str:
    """`tokenizer`: a folder with tokenizer.json (+ tokenizer_config.json) to use instead of the byte-only one;
    the vocabulary size and the special ids come from it. `std`: init scale (0 = the test default)."""
    tok = tokenizer_json()
    tok_cfg = {"tokenizer_class": "Qwen2Tokenizer", "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
               "bos_token": None, "model_max_length": max_positions}
    if tokenizer:
        with open(os.path.join(tokenizer, "tokenizer.json"), encoding="utf-8") as f:
            tok = json.load(f)
        cfg_path = os.path.join(tokenizer, "tokenizer_config.json")
        if os.path.exists(cfg_path):
            with open(cfg_path, encoding="utf-8") as f:
                tok_cfg = json.load(f)
    specials = {t["content"]: t["id"] for t in tok["added_tokens"]}
    missing = [s for s in SPECIALS if s not in specials]
    if missing:
        raise ValueError(f"{tokenizer or 'tokenizer'}: tokenizer.json lacks the chat tokens {missing}")
    if tokenizer:
        vocab = max([*tok["model"]["vocab"].values(), *specials.values()]) + 1
    kw = dict(model_type=model_type, vocab_size=vocab, hidden_size=hidden, intermediate_size=intermediate,
              num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv_heads,
              max_position_embeddings=max_positions, tie_word_embeddings=True, rope_theta=rope_theta)
    if preset:
        kw.update(PRESETS[preset])
    eos, pad = specials["<|im_end|>"], specials["<|endoftext|>"]
    cfg = Config(**kw, extra={"bos_token_id": pad, "eos_token_id": eos})
    torch.manual_seed(seed)
    # Test default: larger embeddings than a real init: with hidden 16, std 0.02 leaves the tied head
    # unable to move the logits far from uniform, and a few LoRA steps could not show learning.
    w_std, e_std = (std, std) if std else ((0.02, 0.02) if preset else (0.2, 1.0))
    model = init_random(CausalLM(cfg), seed=seed, std=w_std, embed_std=e_std)
    save_model(model, out, dtype={"float32": torch.float32, "bfloat16": torch.bfloat16}[dtype])
    files = {
        "tokenizer.json": tok,
        "tokenizer_config.json": tok_cfg,
        "generation_config.json": {"eos_token_id": [eos, pad], "pad_token_id": pad, "do_sample": False},
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
    p.add_argument("--tokenizer", default="", help="folder with tokenizer.json to use (sets the vocabulary size)")
    p.add_argument("--std", type=float, default=0.0, help="init std of weights and embeddings (0: test default)")
    p.add_argument("--max-positions", type=int, default=4096)
    p.add_argument("--rope-theta", type=float, default=1000000.0)
    a = p.parse_args()
    torch.set_num_threads(2)
    make(a.out, a.layers, a.hidden, a.heads, a.kv_heads, a.intermediate, a.vocab, a.seed, a.model_type, a.preset, a.dtype,
         a.tokenizer, a.std, a.max_positions, a.rope_theta)
    print(json.dumps({"event": "done", "out": a.out}))
