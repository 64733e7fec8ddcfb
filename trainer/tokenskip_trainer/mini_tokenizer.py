"""Trains the mini models' byte-level BPE on TinyArith text wrapped in the TokenSkip chat format.

    python -m tokenskip_trainer.mini_tokenizer --data data/arith/train.jsonl --out work/mini/tokenizer

The corpus is what the model will read and write: the Qwen2.5-Instruct prompt (with and without
`<|eot_id|>{gamma}<|eot_id|>`), the question, the CoT and the final-answer sentence, so the fixed
prompt and every task word become one or a few tokens. Deterministic for the same input.
"""
from __future__ import annotations

import argparse
import json
import sys

from .bpe import train_bpe, write_tokenizer
from .prompt_table import GAMMAS, INSTRUCTION, chat_text

# The chat template, its γ and the corpus text come from the prompt table (prompt_table.py).
__all__ = ["GAMMAS", "INSTRUCTION", "chat_text", "main"]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="TinyArith JSONL (question, cot, answer)")
    p.add_argument("--out", required=True)
    p.add_argument("--merges", type=int, default=1000)
    p.add_argument("--limit", type=int, default=5000, help="problems read from --data")
    p.add_argument("--max-cjk-chars", type=int, default=0,
                   help="longest token in CJK characters (0: no limit); see bpe.train_bpe")
    a = p.parse_args(argv)
    texts = []
    with open(a.data, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= a.limit:
                break
            r = json.loads(line)
            texts.append(chat_text(r["question"], r["cot"], r["answer"], "1" if i % 2 == 0 else GAMMAS[i % len(GAMMAS)]))
    if not texts:
        print(f"mini_tokenizer: {a.data} has no problems", file=sys.stderr)
        return 2
    merges = train_bpe(texts, a.merges, max_cjk_chars=a.max_cjk_chars)
    ids = write_tokenizer(a.out, merges)
    print(json.dumps({"event": "done", "out": a.out, "merges": len(merges), **ids}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
