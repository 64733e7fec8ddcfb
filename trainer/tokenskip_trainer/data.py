"""SFT dataset over the tokenized JSONL records written by `tokenskip build`.

Each line: {"input_ids": [...], "labels": [...], ...} where labels are -100 on prompt tokens, so
the loss covers the response only (TokenSkip trains on the compressed CoT + answer).
Token ids come from the Node side (the target model's own tokenizer.json and chat format), so
Python never needs a tokenizer.

    ds = SFTDataset("build/train.jsonl", cutoff=2048)
    batch = collate([ds[0], ds[1]])   # input_ids, labels, attention_mask (B, T)
"""
from __future__ import annotations

import json
from typing import Dict, List

import torch

IGNORE_INDEX = -100


class SFTDataset:
    def __init__(self, path: str, cutoff: int = 2048) -> None:
        self.path = path
        self.items: List[Dict[str, List[int]]] = []
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    ids, labels = rec["input_ids"], rec["labels"]
                except (json.JSONDecodeError, KeyError, TypeError) as e:
                    raise ValueError(f"{path}:{lineno}: not a training record ({e}); rebuild it with `tokenskip build`") from None
                if len(ids) != len(labels) or not ids:
                    raise ValueError(f"{path}:{lineno}: input_ids and labels differ in length or are empty")
                # Cut like LLaMA-Factory's cutoff_len: keep the start (prompt + first response tokens).
                ids, labels = ids[:cutoff], labels[:cutoff]
                if all(l == IGNORE_INDEX for l in labels):
                    continue  # nothing to learn once the response is cut away
                self.items.append({"input_ids": ids, "labels": labels})
        if not self.items:
            raise ValueError(f"{path}: no usable training records")

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int) -> Dict[str, List[int]]:
        return self.items[i]


def collate(items: List[Dict[str, List[int]]], pad_id: int = 0) -> Dict[str, torch.Tensor]:
    T = max(len(it["input_ids"]) for it in items)
    B = len(items)
    input_ids = torch.full((B, T), pad_id, dtype=torch.long)
    labels = torch.full((B, T), IGNORE_INDEX, dtype=torch.long)
    mask = torch.zeros((B, T), dtype=torch.long)
    for i, it in enumerate(items):
        n = len(it["input_ids"])
        input_ids[i, :n] = torch.tensor(it["input_ids"])
        labels[i, :n] = torch.tensor(it["labels"])
        mask[i, :n] = 1
    return {"input_ids": input_ids, "labels": labels, "attention_mask": mask}


def lm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Next-token cross-entropy: logits at t predict labels at t + 1."""
    return torch.nn.functional.cross_entropy(
        logits[:, :-1].reshape(-1, logits.shape[-1]).float(), labels[:, 1:].reshape(-1), ignore_index=IGNORE_INDEX
    )
