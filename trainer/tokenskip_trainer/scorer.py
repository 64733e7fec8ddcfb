"""The mini scorer: an LLMLingua-2-style token classifier distilled from a teacher's keep/drop labels.

LLMLingua-2 distilled GPT-4's word labels into a BERT token classifier. We distil a teacher we can
run: CTS scores of the base model (`tokenskip mini` turns them into per-CoT keep/drop labels and
tokenizes them with the vocabulary written here). Two steps:

    python -m tokenskip_trainer.scorer vocab --data data/arith/train.jsonl --out work/mini/scorer
    python -m tokenskip_trainer.scorer train --records labels.jsonl --val-records val.jsonl --out work/mini/scorer

`vocab` writes an mBERT-layout WordPiece tokenizer (tokenizer.json, tokenizer_config.json,
special_tokens_map.json; [PAD] 0, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103 as in mBERT) with
room for LLMLingua-2's 100 `[NEWi]` placeholders. `train` fits the classifier (cross-entropy on
the labelled tokens) and exports `onnx/model.onnx` with the real exports' inputs and outputs, plus
config.json. Deterministic for a seed on CPU.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time

import torch

from .token_classifier import TokenClassifier, mbert_tokenizer

N_PLACEHOLDERS = 100
IGNORE = -100


def emit(event: str, **fields) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def write_json(path: str, obj) -> None:
    tmp = path + ".partial"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=None if path.endswith("tokenizer.json") else 2)
        f.write("\n")
    os.replace(tmp, path)


def vocab(args) -> int:
    texts = []
    with open(args.data, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                texts += [r["question"], r["cot"]]
    if not texts:
        raise ValueError(f"{args.data}: no problems to build a vocabulary from")
    # Every printable ASCII character (alone and as a ## continuation), so English text beyond the
    # training task (GSM8K, MATH: $, %, brackets, any capital) never turns into [UNK].
    texts.append(" ".join(chr(c) for c in range(33, 127)) + " " + "".join(chr(c) for c in range(33, 127)))
    if args.common_cjk:
        # The 3,755 common Chinese characters (GB2312 level 1), so Chinese beyond the task's own
        # wording (接着, 一共, 剩下) is read rather than turned into [UNK].
        texts.append("".join(common_hanzi()))
    tok, specials, pieces = mbert_tokenizer(texts, args.words)
    os.makedirs(args.out, exist_ok=True)
    write_json(os.path.join(args.out, "tokenizer.json"), tok)
    write_json(os.path.join(args.out, "tokenizer_config.json"),
               {"model_max_length": 512, "tokenizer_class": "BertTokenizer", "clean_up_tokenization_spaces": True,
                "do_lower_case": False, **specials})
    write_json(os.path.join(args.out, "special_tokens_map.json"), specials)
    emit("vocab", out=args.out, base_vocab=len(pieces), vocab_size=len(pieces) + N_PLACEHOLDERS)
    return 0


def common_hanzi():
    """GB2312's level-1 characters (rows 0xB0-0xD7), from Python's own codec."""
    out = []
    for row in range(0xB0, 0xD8):
        for col in range(0xA1, 0xFF):
            try:
                out.append(bytes([row, col]).decode("gb2312"))
            except UnicodeDecodeError:
                pass  # the last row ends at 0xF9
    return out


def read_records(path: str):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                ids, labels = r["input_ids"], r["labels"]
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise ValueError(f"{path}:{n}: not a scorer training record ({e})") from None
            if len(ids) != len(labels) or not ids:
                raise ValueError(f"{path}:{n}: input_ids and labels differ in length or are empty")
            rows.append((ids, labels))
    if not rows:
        raise ValueError(f"{path}: no scorer training records")
    return rows


def batches(rows, size: int, rng: random.Random):
    order = list(range(len(rows)))
    rng.shuffle(order)
    for i in range(0, len(order), size):
        yield [rows[j] for j in order[i:i + size]]


def collate(rows):
    T = max(len(ids) for ids, _ in rows)
    ids = torch.zeros((len(rows), T), dtype=torch.long)
    labels = torch.full((len(rows), T), float(IGNORE))
    mask = torch.zeros((len(rows), T), dtype=torch.long)
    for i, (x, y) in enumerate(rows):
        ids[i, :len(x)] = torch.tensor(x)
        labels[i, :len(y)] = torch.tensor(y)
        mask[i, :len(x)] = 1
    return ids, mask, labels


def accuracy(model, rows) -> float:
    model.eval()
    right = total = 0
    with torch.no_grad():
        for i in range(0, len(rows), 64):
            ids, mask, labels = collate(rows[i:i + 64])
            pred = model(ids, mask, torch.zeros_like(ids)).argmax(-1)
            sel = labels != IGNORE
            right += int((pred[sel] == (labels[sel] >= 0.5).long()).sum())
            total += int(sel.sum())
    model.train()
    return right / max(1, total)


def soft_cross_entropy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against a keep probability per token (0/1 labels are the usual hard case;
    the TinyArith annotator gives graded targets so the keep probability orders its tiers)."""
    sel = target != IGNORE
    logp = torch.log_softmax(logits[sel], dim=-1)
    t = target[sel]
    return -(t * logp[:, 1] + (1 - t) * logp[:, 0]).mean()


def train(args) -> int:
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    with open(os.path.join(args.out, "tokenizer.json"), encoding="utf-8") as f:
        base_vocab = len(json.load(f)["model"]["vocab"])
    rows = read_records(args.records)
    val = read_records(args.val_records) if args.val_records else []
    labels = [l for _, ls in rows for l in ls if l != IGNORE]
    if any(not 0 <= l <= 1 for l in labels):
        raise ValueError(f"{args.records}: labels must be keep probabilities in [0, 1] (or -100 to ignore)")
    keep = sum(labels) / max(1, len(labels))
    if not labels or keep in (0.0, 1.0):
        raise ValueError(f"{args.records}: every labelled token is {'kept' if keep == 1.0 else 'dropped'}; "
                         "a classifier cannot learn from one class. Check the teacher's labels (the keep share).")
    vocab_size = base_vocab + N_PLACEHOLDERS
    if max(max(ids) for ids, _ in rows) >= base_vocab:
        raise ValueError(f"{args.records}: token ids exceed the vocabulary in {args.out}/tokenizer.json; re-tokenize")
    model = TokenClassifier(vocab_size, args.hidden, args.layers, args.heads)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    steps = args.epochs * ((len(rows) + args.batch - 1) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.1)
    emit("start", records=len(rows), val_records=len(val), keep_share=round(keep, 4), steps=steps,
         params=sum(p.numel() for p in model.parameters()))
    t0, step = time.time(), 0
    for epoch in range(args.epochs):
        for batch in batches(rows, args.batch, rng):
            ids, mask, y = collate(batch)
            logits = model(ids, mask, torch.zeros_like(ids))
            loss = soft_cross_entropy(logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 50 == 0 or step == steps:
                emit("step", step=step, total_steps=step and steps, loss=round(loss.item(), 5),
                     elapsed_s=round(time.time() - t0, 2))
        emit("epoch", epoch=epoch + 1, val_token_accuracy=round(accuracy(model, val), 4) if val else None)
    export(model.eval(), args, vocab_size)
    emit("done", out=args.out, train_token_accuracy=round(accuracy(model, rows[:2000]), 4),
         val_token_accuracy=round(accuracy(model, val), 4) if val else None, elapsed_s=round(time.time() - t0, 2))
    return 0


def export(model: TokenClassifier, args, vocab_size: int) -> None:
    onnx_dir = os.path.join(args.out, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    ids = torch.randint(0, 100, (2, 16))
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch_size", 1: "sequence_length"} for n in names + ["logits"]}
    tmp = os.path.join(onnx_dir, "model.onnx.partial")
    torch.onnx.export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), tmp, input_names=names,
                      output_names=["logits"], dynamic_axes=axes, opset_version=14, do_constant_folding=True)
    os.replace(tmp, os.path.join(onnx_dir, "model.onnx"))
    write_json(os.path.join(args.out, "config.json"), {
        "_name_or_path": "tokenskip-studio/mini-scorer",
        "architectures": ["BertForTokenClassification"],
        "model_type": "bert",
        "vocab_size": vocab_size,
        "hidden_size": args.hidden,
        "num_hidden_layers": args.layers,
        "num_attention_heads": args.heads,
        "max_position_embeddings": 512,
        "id2label": {"0": "LABEL_0", "1": "LABEL_1"},
        "label2id": {"LABEL_0": 0, "LABEL_1": 1},
        "tokenskip_mini": "LLMLingua-2-style token classifier trained by tokenskip mini (trainer/tokenskip_trainer/scorer.py).",
    })


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("vocab", help="write the WordPiece tokenizer")
    v.add_argument("--data", required=True)
    v.add_argument("--out", required=True)
    v.add_argument("--words", type=int, default=2000)
    v.add_argument("--common-cjk", action="store_true", help="add the 3,755 common Chinese characters")
    t = sub.add_parser("train", help="train the classifier and export ONNX")
    t.add_argument("--records", required=True)
    t.add_argument("--val-records", default="")
    t.add_argument("--out", required=True, help="the folder `vocab` wrote")
    t.add_argument("--hidden", type=int, default=128)
    t.add_argument("--layers", type=int, default=3)
    t.add_argument("--heads", type=int, default=4)
    t.add_argument("--epochs", type=int, default=3)
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--seed", type=int, default=42)
    t.add_argument("--threads", type=int, default=2)
    a = p.parse_args(argv)
    try:
        return vocab(a) if a.cmd == "vocab" else train(a)
    except (ValueError, FileNotFoundError) as e:
        emit("error", message=str(e))
        print(f"scorer: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
