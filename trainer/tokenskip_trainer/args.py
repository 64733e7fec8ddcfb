"""Training settings: one dataclass, checked when built, whose field docstrings are the `--help`.

    args = TrainArgs(base="models/q05", train="build/train.jsonl", out="runs/q05", epochs=1)
    args = parse_train_args(["--base", "models/q05", "--train", "build/train.jsonl", "--out", "runs/q05"])
"""
from __future__ import annotations

import argparse
import ast
import inspect
import textwrap
from dataclasses import dataclass, fields
from typing import Dict, List, Optional


@dataclass
class TrainArgs:
    base: str
    """HF checkpoint folder (config.json + safetensors) of the model to adapt."""
    train: str
    """Training records (JSONL from `tokenskip build`)."""
    out: str
    """Run folder: checkpoints/, adapter/ (or model/), train_args.json."""
    val: Optional[str] = None
    """Validation records; loss reported after every epoch."""
    epochs: int = 3
    lr: float = 5e-5
    """Peak learning rate (AdamW)."""
    batch: int = 8
    """Effective batch size (micro-batch x accumulation x processes)."""
    micro_batch: int = 1
    cutoff: int = 2048
    """Records are cut to this many tokens."""
    warmup: float = 0.1
    """Fraction of the optimizer steps spent warming the learning rate up linearly from 0."""
    rank: int = 8
    """LoRA rank."""
    alpha: float = 16.0
    """LoRA alpha (updates scaled by alpha / rank)."""
    dropout: float = 0.0
    """LoRA dropout."""
    weight_decay: float = 0.0
    seed: int = 42
    save_every: int = 50
    """Optimizer steps between checkpoints."""
    max_steps: int = 0
    """Stop after this many optimizer steps (0 = run all epochs); the schedule still spans all epochs."""
    mode: str = "lora"
    """lora (adapters on all linear layers, base frozen) or full (every weight trained)."""
    precision: str = "auto"
    """auto (bf16 autocast on CUDA, fp32 on CPU), bf16 or fp32."""
    device: str = "auto"
    """auto (cuda:LOCAL_RANK when CUDA is available, else cpu) or a torch device."""
    threads: int = 2
    """CPU threads (torch.set_num_threads)."""
    resume: bool = True
    """Resume from the newest checkpoint in --out (--no-resume starts afresh)."""
    halt_after: int = 0
    """Testing aid: behave as if interrupted after this many optimizer steps in this process."""

    def __post_init__(self) -> None:
        if self.batch < 1 or self.micro_batch < 1:
            raise ValueError("--batch and --micro-batch must be >= 1")
        if not 0 <= self.warmup < 1:
            raise ValueError("--warmup must be in [0, 1)")
        if self.precision not in ("auto", "bf16", "fp32"):
            raise ValueError("--precision must be auto, bf16 or fp32")
        if self.epochs < 1:
            raise ValueError("--epochs must be >= 1")
        if self.mode not in ("lora", "full"):
            raise ValueError("--mode must be lora or full")


REQUIRED = ("base", "train", "out")


def field_docs(cls) -> Dict[str, str]:
    """The docstring under each field of a dataclass (Python keeps none at run time: read the source)."""
    body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0].body
    docs = {}
    for prev, node in zip(body, body[1:]):
        if (isinstance(prev, ast.AnnAssign) and isinstance(prev.target, ast.Name) and isinstance(node, ast.Expr)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            docs[prev.target.id] = node.value.value
    return docs


def parse_train_args(argv: Optional[List[str]] = None, prog: Optional[str] = None, description: str = "") -> TrainArgs:
    """One flag per field (`--micro-batch`; booleans as `--no-resume`); raises ValueError on bad values."""
    p = argparse.ArgumentParser(prog=prog, description=description)
    docs = field_docs(TrainArgs)
    for f in fields(TrainArgs):
        flag = "--" + f.name.replace("_", "-")
        doc = docs.get(f.name)
        if f.name in REQUIRED:
            p.add_argument(flag, required=True, help=doc)
        elif f.type in ("bool", bool):
            p.add_argument("--no-" + f.name.replace("_", "-"), dest=f.name, action="store_false", default=f.default, help=doc)
        else:
            typ = {"int": int, "float": float}.get(str(f.type), str)
            p.add_argument(flag, type=typ, default=f.default, help=doc)
    return TrainArgs(**vars(p.parse_args(argv)))
