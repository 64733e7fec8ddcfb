"""Shared set-up for the trainer's unit tests: threads, tiny models, records, module subprocesses.

The tests are a package beside the trainer's (`python -m unittest discover -s trainer/tests -t trainer`
puts trainer/ on the path), so `tokenskip_trainer` imports uninstalled as after `pip install -e trainer`.
"""
import json
import os
import random
import sys
import tempfile

import torch

from tokenskip_trainer import tiny

torch.set_num_threads(2)

TRAINER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


def module_cmd(module: str, *args: str) -> list:
    """argv running `python -m tokenskip_trainer.<module>` with this interpreter."""
    return [sys.executable, "-m", f"tokenskip_trainer.{module}", *args]


def module_env(**extra: str) -> dict:
    """The environment a trainer subprocess needs: trainer/ first on PYTHONPATH (as the Node CLI sets it)."""
    path = os.pathsep.join(p for p in (TRAINER, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}
