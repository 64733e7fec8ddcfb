"""Greedy decoding with the PyTorch model and KV cache: the reference the ONNX/MLC exports are checked against.

    python -m tokenskip_trainer.generate --model merged --ids 257,115,101 --max-new 16
    -> {"event": "done", "tokens": [...]}
"""
from __future__ import annotations

import argparse
import json
import sys

import torch

from .model import load_model


@torch.no_grad()
def greedy(model, ids, max_new: int, eos=()) -> list:
    x = torch.tensor([ids])
    logits, past = model(x)
    out = []
    for _ in range(max_new):
        nxt = int(logits[0, -1].argmax())
        out.append(nxt)
        if nxt in eos:
            break
        logits, past = model(torch.tensor([[nxt]]), past=past)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", required=True)
    p.add_argument("--ids", required=True, help="comma-separated prompt token ids")
    p.add_argument("--max-new", type=int, default=16)
    a = p.parse_args(argv)
    torch.set_num_threads(2)
    model = load_model(a.model).eval()
    tokens = greedy(model, [int(t) for t in a.ids.split(",")], a.max_new)
    print(json.dumps({"event": "done", "tokens": tokens}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
