"""Training throughput benchmark: LoRA SFT steps on a random model with real shapes.

Prints one JSON line: device, model shape, tokens/s (median over steps after the first) and peak
memory (CUDA max allocated, or CPU max RSS). Used by `npm run bench:train`.

    python -m tokenskip_trainer.bench_train --preset qwen2.5-0.5b --steps 20 --seq-len 512
    python -m tokenskip_trainer.bench_train --hidden 64 --layers 2 --steps 10          # CPU smoke size
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time

import torch

from . import finetune, tiny


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--preset", default="", choices=[""] + list(tiny.PRESETS))
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--seq-len", type=int, default=256)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--micro-batch", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--workdir", default="")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    work = a.workdir or tempfile.mkdtemp(prefix="bench-train-")
    t0 = time.time()
    base = os.path.join(work, "base")
    if not os.path.exists(os.path.join(base, "model.safetensors")):
        tiny.make(base, layers=a.layers, hidden=a.hidden, heads=4, kv_heads=2,
                  intermediate=a.hidden * 4, preset=a.preset, dtype="bfloat16" if torch.cuda.is_available() else "float32")
    make_s = time.time() - t0
    with open(base + "/config.json") as f:
        vocab = min(json.load(f)["vocab_size"], 150000)
    rng = random.Random(0)
    train = os.path.join(work, "train.jsonl")
    n = a.batch * (a.steps + 1)
    with open(train, "w") as f:
        for _ in range(n):
            ids = [rng.randrange(vocab) for _ in range(a.seq_len)]
            cut = a.seq_len // 4
            f.write(json.dumps({"input_ids": ids, "labels": [-100] * cut + ids[cut:]}) + "\n")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = finetune.main(["--base", base, "--train", train, "--out", os.path.join(work, "run"), "--epochs", "1",
                              "--batch", str(a.batch), "--micro-batch", str(a.micro_batch), "--max-steps", str(a.steps),
                              "--save-every", "1000000", "--no-resume", "--threads", str(a.threads), "--cutoff", str(a.seq_len)])
    events = [json.loads(line) for line in buf.getvalue().splitlines() if line.startswith("{")]
    if code != 0:
        print(json.dumps({"event": "error", "events": events[-3:]}))
        return code
    start = events[0]
    steps = [e for e in events if e["event"] == "step"]
    rates = [e["tokens_per_s"] for e in steps[1:]] or [steps[0]["tokens_per_s"]]
    with open(base + "/config.json") as f:
        cfg = json.load(f)
    print(json.dumps({
        "event": "bench", "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
        "torch": torch.__version__, "precision": start["precision"], "layers": cfg["num_hidden_layers"],
        "hidden": cfg["hidden_size"], "vocab": cfg["vocab_size"], "trainable_params": start["trainable_params"],
        "seq_len": a.seq_len, "batch": a.batch, "micro_batch": a.micro_batch, "steps": len(steps),
        "tokens_per_s_median": round(statistics.median(rates), 1), "loss_first": steps[0]["loss"], "loss_last": steps[-1]["loss"],
        "peak_mem_mb": events[-1].get("peak_mem_mb"), "model_build_s": round(make_s, 1),
        "train_s": events[-1].get("elapsed_s")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
