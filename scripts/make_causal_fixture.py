#!/usr/bin/python3
"""Writes models/fixtures/tiny-qwen2/: a tiny, deterministic Qwen2-style causal LM in the
transformers.js layout, for the generation engines, their tests and the demo.

    /usr/bin/python3 scripts/make_causal_fixture.py            # about a minute on 2 cores
    /usr/bin/python3 scripts/make_causal_fixture.py --out /tmp/big --hidden 256 --layers 4 --steps 0

What it does, all seeded:
1. trains a small byte-level BPE (Qwen2's pre-tokenizer, ASCII text) on GSM8K train questions and
   CoTs, and writes it as a Hugging Face `tokenizer.json` with Qwen2's special tokens;
2. trains a plain-PyTorch Qwen2 block stack (RMSNorm, RoPE, grouped-query attention with q/k/v
   bias, SwiGLU, tied embeddings) for a few hundred steps on TokenSkip-format records (the
   Qwen2.5-Instruct prompt, gamma in {1, 0.8, 0.6, 0.5}, the CoT shortened by a crude word drop,
   `\\n\\nThe final answer is: $\\boxed{A}$<|im_end|>`), so greedy decoding writes varied,
   CoT-looking text and stops on <|im_end|>;
3. exports `onnx/model.onnx` with the KV-cache interface transformers.js uses for decoder-only
   models (input_ids, attention_mask, position_ids, past_key_values.{i}.key|value ->
   logits, present.{i}.key|value) and dynamic batch/sequence/past axes;
4. writes `golden.json`: prompts, their token ids and PyTorch's greedy continuation, which the
   TypeScript tests compare against the tokenizer and the ONNX engine.

Only torch (1.13, CPU) and onnx are needed; no transformers, no tokenizers package.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import re
import time
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

import onnx
import torch
import torch.nn.functional as F
from torch import nn

from tokenskip_trainer.bpe import (  # the trainer's BPE: one implementation
    ASCII_REGEX,
    QWEN2_REGEX,
    SPECIALS,
    Tokenizer,
    tokenizer_json as bpe_tokenizer_json,
    train_bpe as _train_bpe,
)

ROOT = Path(__file__).resolve().parent.parent


def train_bpe(texts: list[str], n_merges: int) -> list[tuple[str, str]]:
    return _train_bpe(texts, n_merges, min_count=1, split_specials=False)
INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}."
GAMMAS = [1.0, 0.8, 0.6, 0.5]

@dataclass
class Config:
    """Model shape; mirrored into config.json with Hugging Face's Qwen2 field names."""

    vocab_size: int = 768
    hidden_size: int = 64
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    intermediate_size: int = 256
    max_position_embeddings: int = 512
    rope_theta: float = 10000.0
    rms_norm_eps: float = 1e-6

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_attention_heads


# ---------------------------------------------------------------- tokenizer


def tokenizer_json(tok: "Tokenizer", merges: list[tuple[str, str]]) -> dict:
    return bpe_tokenizer_json(merges)


# ---------------------------------------------------------------- data


def qwen_prompt(question: str, gamma: float) -> str:
    """The TokenSkip Qwen2.5-Instruct inference prompt (REFERENCE.md section 1)."""
    suffix = "" if gamma == 1.0 else f"<|eot_id|>{gamma}<|eot_id|>"
    return (
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
        f"{INSTRUCTION}\n{question}{suffix}<|im_end|>\n<|im_start|>assistant\n"
    )


def clean_cot(cot: str) -> str:
    return re.sub(r"<<[^>]*>>", "", cot).strip()


def drop_words(cot: str, gamma: float, rng: random.Random) -> str:
    """A crude stand-in for LLMLingua-2 (fixture only): keep the top gamma of words per line,
    numbers and operators first, so gamma < 1 records are visibly shorter."""
    lines = []
    for line in cot.split("\n"):
        words = line.split()
        score = [(2 if re.search(r"[0-9=+*/$-]", w) else (1 if len(w) > 4 else 0)) + rng.random() for w in words]
        keep = set(sorted(range(len(words)), key=lambda i: -score[i])[: max(1, math.ceil(gamma * len(words)))])
        lines.append(" ".join(w for i, w in enumerate(words) if i in keep))
    return "\n".join(lines)


def answer_text(cot: str, answer: str) -> str:
    return f"{cot}\n\nThe final answer is: $\\boxed{{{answer}}}$"


def load_records(limit: int) -> list[dict]:
    records = []
    with open(ROOT / "data" / "gsm8k" / "train.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            cot = clean_cot(row["cot"])
            text = row["question"] + cot + row["answer"]
            if not text.isascii() or len(cot) > 240 or len(row["question"]) > 220:
                continue
            records.append({"question": row["question"], "cot": cot, "answer": row["answer"]})
            if len(records) >= limit:
                break
    return records


# ---------------------------------------------------------------- model


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class Block(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        hd = c.head_dim
        self.input_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.q_proj = nn.Linear(c.hidden_size, c.num_attention_heads * hd)
        self.k_proj = nn.Linear(c.hidden_size, c.num_key_value_heads * hd)
        self.v_proj = nn.Linear(c.hidden_size, c.num_key_value_heads * hd)
        self.o_proj = nn.Linear(c.num_attention_heads * hd, c.hidden_size, bias=False)
        self.post_attention_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.gate_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.up_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)

    def forward(self, x, cos, sin, bias, past_k, past_v):
        c = self.c
        B, T, _ = x.shape
        hd, nh, nkv = c.head_dim, c.num_attention_heads, c.num_key_value_heads
        h = self.input_layernorm(x)
        q = self.q_proj(h).view(B, T, nh, hd).transpose(1, 2)  # (B, nh, T, hd)
        k = self.k_proj(h).view(B, T, nkv, hd).transpose(1, 2)  # (B, nkv, T, hd)
        v = self.v_proj(h).view(B, T, nkv, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)  # (B, nkv, past+T, hd)
        v = torch.cat([past_v, v], dim=2)
        rep = nh // nkv
        # Grouped-query attention: each kv head serves `rep` query heads. (B, nh, S, hd)
        kk = k[:, :, None].expand(B, nkv, rep, k.shape[2], hd).reshape(B, nh, k.shape[2], hd)
        vv = v[:, :, None].expand(B, nkv, rep, v.shape[2], hd).reshape(B, nh, v.shape[2], hd)
        att = (q @ kk.transpose(-1, -2)) / math.sqrt(hd) + bias  # (B, nh, T, S)
        y = att.softmax(-1) @ vv  # (B, nh, T, hd)
        x = x + self.o_proj(y.transpose(1, 2).reshape(B, T, nh * hd))
        h = self.post_attention_layernorm(x)
        x = x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))
        return x, k, v


class TinyQwen2(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        # Tied embeddings double as the output head: N(0, 1) rows would give huge initial logits.
        nn.init.normal_(self.embed_tokens.weight, std=0.02)
        self.layers = nn.ModuleList(Block(c) for _ in range(c.num_hidden_layers))
        self.norm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        inv = 1.0 / (c.rope_theta ** (torch.arange(0, c.head_dim, 2).float() / c.head_dim))
        self.register_buffer("inv_freq", inv, persistent=False)

    def forward(self, input_ids, attention_mask, position_ids, past):
        """past: [(k, v)] per layer, each (B, nkv, past, hd). Returns logits and the new cache."""
        T = input_ids.shape[1]
        S = attention_mask.shape[1]
        freqs = position_ids[..., None].float() * self.inv_freq  # (B, T, hd/2)
        emb = torch.cat([freqs, freqs], dim=-1)[:, None]  # (B, 1, T, hd)
        cos, sin = emb.cos(), emb.sin()
        q_pos = torch.arange(T)[:, None] + (S - T)  # absolute position of each query
        causal = torch.arange(S)[None, :] <= q_pos  # (T, S)
        allowed = causal[None, None] & attention_mask[:, None, None, :].bool()  # (B, 1, T, S)
        bias = torch.where(allowed, torch.tensor(0.0), torch.tensor(-1e9))
        x = self.embed_tokens(input_ids)
        present = []
        for layer, (pk, pv) in zip(self.layers, past):
            x, k, v = layer(x, cos, sin, bias, pk, pv)
            present.append((k, v))
        logits = self.norm(x) @ self.embed_tokens.weight.t()  # tied embeddings
        return logits, present

    def empty_past(self, batch: int):
        c = self.c
        z = torch.zeros(batch, c.num_key_value_heads, 0, c.head_dim)
        return [(z, z) for _ in range(c.num_hidden_layers)]


class OnnxWrapper(nn.Module):
    """Flattens the cache into the named inputs/outputs of the transformers.js layout."""

    def __init__(self, model: TinyQwen2):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *flat_past):
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(len(flat_past) // 2)]
        logits, present = self.model(input_ids, attention_mask, position_ids, past)
        return (logits, *[t for kv in present for t in kv])


def train(model: TinyQwen2, seqs: list[tuple[list[int], int]], steps: int, batch: int, seed: int) -> None:
    """Next-token loss on the response only (prompt positions masked), like TokenSkip's SFT."""
    rng = random.Random(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=4e-3, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 30) * 0.5 * (1 + math.cos(math.pi * s / max(1, steps)))
    )
    for step in range(steps):
        chunk = rng.sample(seqs, batch)
        T = max(len(ids) for ids, _ in chunk)
        ids = torch.zeros(batch, T, dtype=torch.long)
        labels = torch.full((batch, T), -100, dtype=torch.long)
        mask = torch.zeros(batch, T, dtype=torch.long)
        for b, (seq, n_prompt) in enumerate(chunk):
            ids[b, : len(seq)] = torch.tensor(seq)
            mask[b, : len(seq)] = 1
            labels[b, n_prompt : len(seq)] = torch.tensor(seq[n_prompt:])
        pos = torch.arange(T)[None].expand(batch, T)
        logits, _ = model(ids, mask, pos, model.empty_past(batch))
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 100 == 0 or step == steps - 1:
            print(f"step {step:4d}  loss {loss.item():.3f}", flush=True)


@torch.no_grad()
def greedy(model: TinyQwen2, prompt_ids: list[int], max_new: int, eos: int) -> list[int]:
    """Greedy decoding through the KV cache, exactly as the engines do it."""
    past = model.empty_past(1)
    ids = torch.tensor([prompt_ids])
    out: list[int] = []
    total = len(prompt_ids)
    pos = torch.arange(total)[None]
    while len(out) < max_new:
        logits, past = model(ids, torch.ones(1, total, dtype=torch.long), pos, past)
        nxt = int(logits[0, -1].argmax())
        out.append(nxt)
        if nxt == eos:
            break
        ids = torch.tensor([[nxt]])
        pos = torch.tensor([[total]])
        total += 1
    return out


def export_onnx(model: TinyQwen2, path: Path) -> None:
    c = model.c
    names_in = ["input_ids", "attention_mask", "position_ids"]
    names_out = ["logits"]
    axes = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    past, past_len, T = [], 2, 3
    for i in range(c.num_hidden_layers):
        for kind in ("key", "value"):
            names_in.append(f"past_key_values.{i}.{kind}")
            names_out.append(f"present.{i}.{kind}")
            axes[names_in[-1]] = {0: "batch_size", 2: "past_sequence_length"}
            axes[names_out[-1]] = {0: "batch_size", 2: "total_sequence_length"}
            past.append(torch.randn(1, c.num_key_value_heads, past_len, c.head_dim))
    args = (
        torch.tensor([[5, 6, 7]]),
        torch.ones(1, past_len + T, dtype=torch.long),
        torch.tensor([[past_len, past_len + 1, past_len + 2]]),
        *past,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        OnnxWrapper(model).eval(), args, str(path), input_names=names_in, output_names=names_out,
        dynamic_axes=axes, opset_version=14, do_constant_folding=True,
    )
    onnx.checker.check_model(onnx.load(str(path)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "models" / "fixtures" / "tiny-qwen2"), help="output folder")
    ap.add_argument("--hidden", type=int, default=64, help="hidden size")
    ap.add_argument("--layers", type=int, default=2, help="decoder layers")
    ap.add_argument("--intermediate", type=int, default=256, help="MLP width")
    ap.add_argument("--steps", type=int, default=500, help="training steps (0: random weights)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    out = Path(args.out)
    cfg = Config(hidden_size=args.hidden, num_hidden_layers=args.layers, intermediate_size=args.intermediate)

    t0 = time.time()
    records = load_records(4000)
    texts = [qwen_prompt(r["question"], 0.5) + answer_text(r["cot"], r["answer"]) for r in records[:2500]]
    merges = train_bpe(texts, cfg.vocab_size - 256 - len(SPECIALS))
    tok = Tokenizer(merges)
    assert len(tok.vocab) == cfg.vocab_size, len(tok.vocab)
    eos = tok.vocab["<|im_end|>"]

    seqs = []
    for r in records[:-8]:
        gamma = rng.choice(GAMMAS)
        cot = r["cot"] if gamma == 1.0 else drop_words(r["cot"], gamma, rng)
        prompt = tok.encode(qwen_prompt(r["question"], gamma))
        full = prompt + tok.encode(answer_text(cot, r["answer"])) + [eos]
        if len(full) <= 256:
            seqs.append((full, len(prompt)))
    print(f"{len(merges)} merges, {len(seqs)} training records ({time.time() - t0:.0f} s)", flush=True)

    model = TinyQwen2(cfg)
    if args.steps > 0:
        train(model, seqs, args.steps, 16, args.seed)
    model.eval()

    out.mkdir(parents=True, exist_ok=True)
    export_onnx(model, out / "onnx" / "model.onnx")

    golden = []
    for r in records[-2:]:
        for gamma in (1.0, 0.5):
            prompt = qwen_prompt(r["question"], gamma)
            ids = tok.encode(prompt)
            gen = greedy(model, ids, 48, eos)
            golden.append({"question": r["question"], "gamma": gamma, "prompt": prompt, "prompt_ids": ids,
                           "max_new_tokens": 48, "output_ids": gen, "output_text": tok.decode(gen)})
            print(f"gamma {gamma}: {tok.decode(gen)!r}", flush=True)

    hf_config = {
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", **asdict(cfg),
        "head_dim": cfg.head_dim, "hidden_act": "silu", "tie_word_embeddings": True, "torch_dtype": "float32",
        "bos_token_id": tok.vocab["<|endoftext|>"], "eos_token_id": eos, "use_cache": True,
        "use_sliding_window": False, "attention_dropout": 0.0,
        "transformers.js_config": {"dtype": "fp32", "kv_cache_dtype": "float32"},
    }
    gen_config = {"eos_token_id": [eos, tok.vocab["<|endoftext|>"]], "pad_token_id": tok.vocab["<|endoftext|>"],
                  "do_sample": False, "max_new_tokens": 512}
    tok_config = {
        "tokenizer_class": "Qwen2Tokenizer", "model_max_length": cfg.max_position_embeddings,
        "bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "unk_token": None,
        "clean_up_tokenization_spaces": False, "split_special_tokens": False, "errors": "replace",
        "added_tokens_decoder": {str(tok.vocab[s]): {"content": s, "special": True, "normalized": False,
                                                       "lstrip": False, "rstrip": False, "single_word": False}
                                 for s in SPECIALS},
    }
    files = {
        "config.json": hf_config, "generation_config.json": gen_config, "tokenizer.json": tokenizer_json(tok, merges),
        "tokenizer_config.json": tok_config, "golden.json": golden,
    }
    for name, obj in files.items():
        (out / name).write_text(json.dumps(obj, indent=1 if name != "tokenizer.json" else None,
                                           ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out} ({time.time() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
