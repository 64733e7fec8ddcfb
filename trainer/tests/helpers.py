"""Shared set-up for the trainer's unit tests: path, threads, tiny models and records."""
import json
import os
import random
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import torch  # noqa: E402

torch.set_num_threads(2)

import tiny  # noqa: E402


def tmpdir(test) -> str:
    d = tempfile.TemporaryDirectory(prefix="trainer-test-")
    test.addCleanup(d.cleanup)
    return d.name


def tiny_model(root: str, **kw) -> str:
    return tiny.make(os.path.join(root, kw.pop("name", "base")), **kw)


def write_records(path: str, n: int, seed: int = 0, prompt_len: int = 6, resp_len: int = 10, vocab: int = 256) -> str:
    """Records shaped like `tokenskip build` output: a learnable response (a fixed pattern per record
    family) after a masked prompt."""
    rng = random.Random(seed)
    with open(path, "w") as f:
        for i in range(n):
            prompt = [257] + [rng.randrange(vocab) for _ in range(prompt_len - 1)]
            start = rng.randrange(4)
            resp = [(start * 7 + 3 * j) % 50 + 10 for j in range(resp_len)] + [258]
            ids = prompt + resp
            labels = [-100] * len(prompt) + resp
            f.write(json.dumps({"id": str(i), "input_ids": ids, "labels": labels}) + "\n")
    return path
