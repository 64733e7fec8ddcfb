#!/usr/bin/python3
"""Writes models/fixtures/tiny-qwen2/: a tiny, deterministic Qwen2-style causal LM in the
transformers.js layout, for the generation engines, their tests and the demo.

    npm run fixtures:causal                                   # = PYTHONPATH=trainer /usr/bin/python3 scripts/make_causal_fixture.py
    PYTHONPATH=trainer /usr/bin/python3 scripts/make_causal_fixture.py --out /tmp/big --hidden 256 --layers 4 --steps 0

The model, its training, export and greedy decoding are the trainer's (`tokenskip_trainer`, on
PYTHONPATH or `pip install -e trainer`); this script only makes the data. All seeded:
1. trains a small byte-level BPE (Qwen2's pre-tokenizer, ASCII text) on GSM8K train questions and
   CoTs (tokenskip_trainer.bpe), and writes it as a Hugging Face `tokenizer.json` with Qwen2's
   special tokens;
2. makes TokenSkip-format records like `tokenskip build` (the Qwen2.5-Instruct prompt, gamma in
   {1, 0.8, 0.6, 0.5}, the CoT shortened by a crude word drop,
   `\\n\\nThe final answer is: $\\boxed{A}$<|im_end|>`, loss on the response only), a random
   tokenskip_trainer.model.CausalLM (init_random) in an HF folder, and trains every weight with
   tokenskip_trainer.finetune (--mode full: setup -> fit -> finish), so greedy decoding writes
   varied, CoT-looking text and stops on <|im_end|>;
3. exports `onnx/model.onnx` with tokenskip_trainer.export_onnx (the KV-cache interface
   transformers.js uses for decoder-only models: input_ids, attention_mask, position_ids,
   past_key_values.{i}.key|value -> logits, present.{i}.key|value; dynamic batch/sequence/past);
4. writes `golden.json`: prompts, their token ids and PyTorch's greedy continuation
   (tokenskip_trainer.generate.greedy), which the TypeScript tests compare against the tokenizer
   and the ONNX engine.

Only torch (1.13, CPU) and onnx are needed; no transformers, no tokenizers package.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

# The bytes depend on the thread count, and OpenBLAS (under Debian's torch) takes its own from the
# environment when torch is imported, whatever torch.set_num_threads says later.
os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = "1"

import onnx  # noqa: E402
import torch  # noqa: E402

try:
    from tokenskip_trainer import export_onnx, finetune
    from tokenskip_trainer.args import TrainArgs
    from tokenskip_trainer.bpe import SPECIALS, Tokenizer, tokenizer_json, train_bpe as _train_bpe
    from tokenskip_trainer.generate import greedy
    from tokenskip_trainer.model import CausalLM, Config, init_random, load_model, save_model
except ImportError as e:
    sys.exit(f"make_causal_fixture: {e}; run it with PYTHONPATH=trainer (npm run fixtures:causal) or pip install -e trainer")

ROOT = Path(__file__).resolve().parent.parent


def train_bpe(texts: list[str], n_merges: int) -> list[tuple[str, str]]:
    return _train_bpe(texts, n_merges, min_count=1, split_specials=False)


INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}."
GAMMAS = [1.0, 0.8, 0.6, 0.5]
VOCAB = 768
STEP_BATCH = 16
# One thread (see OMP_NUM_THREADS above): on a busy 2-core machine two ran over 30 times slower
# (no step 100 after 24 minutes; one thread: 43 s).
THREADS = 1

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


def fixture_config(args: argparse.Namespace, tok: Tokenizer) -> Config:
    """The trainer's Config for the fixture's shape; `extra` carries the HF and transformers.js fields
    of config.json."""
    eos, bos = tok.vocab["<|im_end|>"], tok.vocab["<|endoftext|>"]
    return Config(model_type="qwen2", vocab_size=VOCAB, hidden_size=args.hidden, intermediate_size=args.intermediate,
                  num_hidden_layers=args.layers, num_attention_heads=4, num_key_value_heads=2, rope_theta=10000.0,
                  rms_norm_eps=1e-6, max_position_embeddings=512, tie_word_embeddings=True,
                  extra={"architectures": ["Qwen2ForCausalLM"], "hidden_act": "silu", "bos_token_id": bos,
                         "eos_token_id": eos, "use_cache": True, "use_sliding_window": False,
                         "attention_dropout": 0.0,
                         "transformers.js_config": {"dtype": "fp32", "kv_cache_dtype": "float32"}})


def hf_config(cfg: Config) -> dict:
    """config.json in Hugging Face's Qwen2 field order."""
    e = cfg.extra
    return {"architectures": e["architectures"], "model_type": "qwen2", "vocab_size": cfg.vocab_size,
            "hidden_size": cfg.hidden_size, "num_hidden_layers": cfg.num_hidden_layers,
            "num_attention_heads": cfg.num_attention_heads, "num_key_value_heads": cfg.num_key_value_heads,
            "intermediate_size": cfg.intermediate_size, "max_position_embeddings": cfg.max_position_embeddings,
            "rope_theta": cfg.rope_theta, "rms_norm_eps": cfg.rms_norm_eps, "head_dim": cfg.head_dim,
            "hidden_act": e["hidden_act"], "tie_word_embeddings": True, "torch_dtype": "float32",
            "bos_token_id": e["bos_token_id"], "eos_token_id": e["eos_token_id"], "use_cache": True,
            "use_sliding_window": False, "attention_dropout": 0.0, "transformers.js_config": e["transformers.js_config"]}


def tokenizer_files(tok: Tokenizer, merges: list[tuple[str, str]], max_len: int) -> dict:
    eos, bos = tok.vocab["<|im_end|>"], tok.vocab["<|endoftext|>"]
    gen_config = {"eos_token_id": [eos, bos], "pad_token_id": bos, "do_sample": False, "max_new_tokens": 512}
    tok_config = {
        "tokenizer_class": "Qwen2Tokenizer", "model_max_length": max_len,
        "bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "unk_token": None,
        "clean_up_tokenization_spaces": False, "split_special_tokens": False, "errors": "replace",
        "added_tokens_decoder": {str(tok.vocab[s]): {"content": s, "special": True, "normalized": False,
                                                       "lstrip": False, "rstrip": False, "single_word": False}
                                 for s in SPECIALS},
    }
    return {"generation_config.json": gen_config, "tokenizer.json": tokenizer_json(merges),
            "tokenizer_config.json": tok_config}


def write_json(path: Path, obj) -> None:
    indent = None if path.name == "tokenizer.json" else 1
    path.write_text(json.dumps(obj, indent=indent, ensure_ascii=False) + "\n", encoding="utf-8")


class StepLog(io.TextIOBase):
    """finetune's JSON lines on stdout, thinned: every 100th step, the start and the end."""

    def write(self, s: str) -> int:
        for line in s.splitlines():
            if not line.startswith("{"):
                continue
            e = json.loads(line)
            if e["event"] != "step" or e["step"] % 100 == 0 or e["step"] == e["total_steps"]:
                print(line, file=sys.__stdout__, flush=True)
        return len(s)


def train(base: str, seqs: list[tuple[list[int], int]], work: str, steps: int, seed: int) -> str:
    """Every weight trained on the records by the trainer's loop (loss on the response only, like
    TokenSkip's SFT); returns the trained model folder."""
    records = Path(work) / "train.jsonl"
    with records.open("w") as f:
        for ids, n_prompt in seqs:
            f.write(json.dumps({"input_ids": ids, "labels": [-100] * n_prompt + ids[n_prompt:]}) + "\n")
    epochs = math.ceil(steps * STEP_BATCH / len(seqs))
    args = TrainArgs(base=base, train=str(records), out=str(Path(work) / "run"), mode="full", epochs=epochs,
                     max_steps=steps, batch=STEP_BATCH, micro_batch=STEP_BATCH, lr=4e-3, weight_decay=0.01,
                     warmup=0.06, cutoff=512, seed=seed, save_every=10**9, threads=THREADS, resume=False)
    with contextlib.redirect_stdout(StepLog()):
        state = finetune.setup(args)
        if not finetune.fit(state):
            sys.exit("make_causal_fixture: interrupted; nothing written")
        finetune.finish(state)
    return str(Path(args.out) / "model")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "models" / "fixtures" / "tiny-qwen2"), help="output folder")
    ap.add_argument("--hidden", type=int, default=64, help="hidden size")
    ap.add_argument("--layers", type=int, default=2, help="decoder layers")
    ap.add_argument("--intermediate", type=int, default=256, help="MLP width")
    ap.add_argument("--steps", type=int, default=500, help="training steps of batch 16 (0: random weights)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.set_num_threads(THREADS)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    out = Path(args.out)

    t0 = time.time()
    records = load_records(4000)
    texts = [qwen_prompt(r["question"], 0.5) + answer_text(r["cot"], r["answer"]) for r in records[:2500]]
    merges = train_bpe(texts, VOCAB - 256 - len(SPECIALS))
    tok = Tokenizer(merges)
    assert len(tok.vocab) == VOCAB, len(tok.vocab)
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

    cfg = fixture_config(args, tok)
    files = {**tokenizer_files(tok, merges, cfg.max_position_embeddings), "config.json": hf_config(cfg)}
    with tempfile.TemporaryDirectory(prefix="tiny-qwen2-") as work:
        base = Path(work) / "base"
        save_model(init_random(CausalLM(cfg), seed=args.seed, std=0.02), str(base))
        for name, obj in files.items():
            write_json(base / name, obj)
        model_dir = train(str(base), seqs, work, args.steps, args.seed) if args.steps > 0 else str(base)
        model = load_model(model_dir).eval()

        golden = []
        for r in records[-2:]:
            for gamma in (1.0, 0.5):
                prompt = qwen_prompt(r["question"], gamma)
                ids = tok.encode(prompt)
                gen = greedy(model, ids, 48, eos=(eos,))
                golden.append({"question": r["question"], "gamma": gamma, "prompt": prompt, "prompt_ids": ids,
                               "max_new_tokens": 48, "output_ids": gen, "output_text": tok.decode(gen)})
                print(f"gamma {gamma}: {tok.decode(gen)!r}", flush=True)

        exported = Path(work) / "onnx-export"
        export_onnx.export(model_dir, str(exported))
        onnx.checker.check_model(onnx.load(str(exported / "onnx" / "model.onnx")))
        (out / "onnx").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(exported / "onnx" / "model.onnx", out / "onnx" / "model.onnx")
    for name, obj in {**files, "golden.json": golden}.items():
        write_json(out / name, obj)
    print(f"wrote {out} ({time.time() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
