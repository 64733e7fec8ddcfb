"""LoRA SFT (or full-parameter training) of a Qwen2/Llama-3 checkpoint on `tokenskip build`
records: setup -> fit -> validate.

`--mode full` trains every weight instead of LoRA adapters (how the mini models are pretrained
from a random init, trainer/tiny.py --tokenizer): checkpoints then hold the whole model, and the
result is an HF model folder `<out>/model` (config, safetensors, tokenizer files of the base).

Defaults are TokenSkip's (REFERENCE section 1): rank 8, alpha 16, all linear layers, dropout 0,
AdamW lr 5e-5, 3 epochs, cosine with 10% warm-up, micro-batch 1 x accumulation 8, cutoff 2048,
bf16 autocast on CUDA (fp32 on CPU). Progress goes to stdout as JSON lines, one object per event,
so `tokenskip train` can drive a progress bar:

    {"event": "step", "step": 3, "total_steps": 90, "loss": 1.23, "lr": 5e-05, "tokens_per_s": 812.4, ...}

Checkpoints (adapter + optimizer + scheduler + RNG + data position) go to <out>/checkpoints every
--save-every steps; a new run with the same --out resumes from the newest. SIGINT/SIGTERM finish
the current optimizer step, save a checkpoint and exit with code 130.

    python -m tokenskip_trainer.finetune --base models/Qwen2.5-0.5B-Instruct --train build/train.jsonl \
        --val build/val.jsonl --out runs/q05
    torchrun --nproc_per_node 4 -m tokenskip_trainer.finetune ...     # data-parallel (DDP)
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import signal
import sys
import time
from dataclasses import dataclass, asdict
from typing import Dict, Optional

import torch

from .data import SFTDataset, collate, lm_loss
from .lora import LoRAConfig, apply_lora, lora_state, save_adapter, PREFIX
from .model import load_model

VERSION = 1


@dataclass
class TrainArgs:
    base: str
    """HF checkpoint folder (config.json + safetensors) of the model to adapt."""
    train: str
    """Training records (JSONL from `tokenskip build`)."""
    out: str
    """Run folder: checkpoints/, adapter/, train_args.json."""
    val: Optional[str] = None
    """Validation records; loss reported after every epoch."""
    epochs: int = 3
    lr: float = 5e-5
    batch: int = 8
    """Effective batch size (micro-batch x accumulation x processes)."""
    micro_batch: int = 1
    cutoff: int = 2048
    warmup: float = 0.1
    """Fraction of the optimizer steps spent warming the learning rate up linearly from 0."""
    rank: int = 8
    alpha: float = 16.0
    dropout: float = 0.0
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
    threads: int = 2
    """CPU threads (torch.set_num_threads)."""
    resume: bool = True
    halt_after: int = 0
    """Testing aid: behave as if interrupted after this many optimizer steps in this process."""

    def validate(self) -> None:
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


def emit(event: str, **fields) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def lr_lambda(total: int, warmup_steps: int):
    """HF's cosine schedule with linear warm-up, as a multiplier of the peak learning rate."""

    def f(step: int) -> float:
        if step < warmup_steps:
            return step / max(1, warmup_steps)
        progress = (step - warmup_steps) / max(1, total - warmup_steps)
        return max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))

    return f


def peak_memory_mb(device: torch.device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    # ru_maxrss is KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stop:
    """Set by SIGINT/SIGTERM; the loop checks it between optimizer steps."""

    requested = False

    @classmethod
    def install(cls) -> None:
        def handler(signum, frame):
            cls.requested = True

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)


def latest_checkpoint(out: str) -> Optional[str]:
    root = os.path.join(out, "checkpoints")
    if not os.path.isdir(root):
        return None
    steps = sorted(d for d in os.listdir(root) if d.startswith("step-") and os.path.exists(os.path.join(root, d, "state.pt")))
    return os.path.join(root, steps[-1]) if steps else None


def save_checkpoint(out: str, step: int, state: dict, lcfg: Optional[LoRAConfig], model, base: str, keep: int = 2) -> str:
    root = os.path.join(out, "checkpoints")
    path = os.path.join(root, f"step-{step:06d}")
    tmp = path + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    torch.save(state, os.path.join(tmp, "state.pt"))
    if lcfg is not None:
        save_adapter(model, lcfg, tmp, base)
    shutil.rmtree(path, ignore_errors=True)
    os.replace(tmp, path)  # the checkpoint appears whole or not at all
    old = sorted(d for d in os.listdir(root) if d.startswith("step-") and not d.endswith(".partial"))
    for d in old[:-keep]:
        shutil.rmtree(os.path.join(root, d), ignore_errors=True)
    return path


def evaluate(model, ds: SFTDataset, device, autocast) -> float:
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for i in range(len(ds)):
            b = {k: v.to(device) for k, v in collate([ds[i]]).items()}
            with autocast():
                logits, _ = model(b["input_ids"], b["attention_mask"])
            total += lm_loss(logits, b["labels"]).item()
            n += 1
    model.train()
    return total / max(1, n)


def run(args: TrainArgs) -> int:
    args.validate()
    torch.set_num_threads(args.threads)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    # Under torchrun (RANK and WORLD_SIZE set) we always go through DDP, even with one process,
    # so the data-parallel path is the one tested with --nproc 1.
    distributed = "RANK" in os.environ and "WORLD_SIZE" in os.environ
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if args.device == "auto":
        device = torch.device(f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu")
    else:
        device = torch.device(args.device)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if distributed:
        import torch.distributed as dist

        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    main_proc = rank == 0
    say = emit if main_proc else (lambda *a, **k: None)
    use_bf16 = args.precision == "bf16" or (args.precision == "auto" and device.type == "cuda")
    if use_bf16 and device.type == "cuda":
        def autocast():
            return torch.autocast("cuda", dtype=torch.bfloat16)
    elif use_bf16:
        def autocast():
            return torch.autocast("cpu", dtype=torch.bfloat16)
    else:
        import contextlib

        autocast = contextlib.nullcontext

    # --- setup ---
    train_ds = SFTDataset(args.train, args.cutoff)
    val_ds = SFTDataset(args.val, args.cutoff) if args.val else None
    if args.batch % (args.micro_batch * world):
        raise ValueError(f"--batch {args.batch} must be a multiple of micro-batch x processes ({args.micro_batch * world})")
    accum = args.batch // (args.micro_batch * world)
    micro_per_epoch = len(train_ds) // world // args.micro_batch
    if micro_per_epoch == 0:
        raise ValueError(f"{len(train_ds)} records are fewer than micro-batch x processes")
    steps_per_epoch = math.ceil(micro_per_epoch / accum)
    total_steps = steps_per_epoch * args.epochs
    warmup_steps = math.ceil(args.warmup * total_steps)

    # Base weights in bf16 on GPU (half the memory), LoRA weights always fp32 (stable updates).
    model = load_model(args.base, dtype=torch.bfloat16 if use_bf16 and device.type == "cuda" else torch.float32, device=str(device))
    full = args.mode == "full"
    lcfg = None if full else LoRAConfig(r=args.rank, lora_alpha=args.alpha, lora_dropout=args.dropout)
    torch.manual_seed(args.seed)
    if lcfg is not None:
        apply_lora(model, lcfg)
    for n, p in model.named_parameters():
        if p.requires_grad:
            p.data = p.data.float()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=args.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(total_steps, warmup_steps))
    step, epoch, micro = 0, 0, 0
    resumed_from = None
    ckpt = latest_checkpoint(args.out) if args.resume else None
    if ckpt:
        state = torch.load(os.path.join(ckpt, "state.pt"), map_location="cpu")
        if state.get("total_steps") != total_steps or state.get("train_records") != len(train_ds):
            raise ValueError(f"{ckpt}: checkpoint was made for another dataset or settings; pass --no-resume or another --out")
        if state.get("mode", "lora") != args.mode:
            raise ValueError(f"{ckpt}: checkpoint was made with --mode {state.get('mode', 'lora')}; pass --no-resume or another --out")
        sd = model.state_dict()
        with torch.no_grad():
            if full:
                model.load_state_dict(state["weights"])
            else:
                for k, v in state["lora"].items():
                    sd[k[len(PREFIX):]].copy_(v)
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["rng"]["cpu"])
        if device.type == "cuda" and state["rng"].get("cuda") is not None:
            torch.cuda.set_rng_state(state["rng"]["cuda"], device)
        step, epoch, micro = state["step"], state["epoch"], state["micro"]
        resumed_from = ckpt
    train_model = model
    if distributed:
        from torch.nn.parallel import DistributedDataParallel as DDP

        train_model = DDP(model, device_ids=[local_rank] if device.type == "cuda" else None)
    model.train()
    Stop.install()
    os.makedirs(args.out, exist_ok=True)
    if main_proc:
        with open(os.path.join(args.out, "train_args.json"), "w") as f:
            json.dump({**asdict(args), "world_size": world, "accumulation": accum, "total_steps": total_steps,
                       "warmup_steps": warmup_steps, "lora": lcfg.to_peft(args.base) if lcfg else None, "trainer_version": VERSION,
                       "torch": torch.__version__}, f, indent=2)
    say("start", total_steps=total_steps, steps_per_epoch=steps_per_epoch, epochs=args.epochs, train_records=len(train_ds),
        val_records=len(val_ds) if val_ds else 0, device=str(device), precision="bf16" if use_bf16 else "fp32",
        world_size=world, accumulation=accum, resumed_from=resumed_from, step=step,
        trainable_params=sum(p.numel() for p in params))

    def checkpoint_state() -> dict:
        weights = {"weights": {k: v.detach().clone() for k, v in model.state_dict().items()}} if full else {"lora": lora_state(model)}
        return {"step": step, "epoch": epoch, "micro": micro, "total_steps": total_steps, "train_records": len(train_ds),
                "mode": args.mode, **weights, "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                "rng": {"cpu": torch.get_rng_state(), "cuda": torch.cuda.get_rng_state(device) if device.type == "cuda" else None},
                "version": VERSION}

    def stop_requested() -> bool:
        flag = Stop.requested or (args.halt_after and steps_this_run >= args.halt_after)
        if distributed:
            import torch.distributed as dist

            t = torch.tensor([1.0 if flag else 0.0], device=device)
            dist.all_reduce(t)
            flag = t.item() > 0
        return bool(flag)

    # --- fit ---
    steps_this_run = 0
    last_loss = float("nan")
    val_loss = None
    limit = args.max_steps or total_steps
    t_start = time.time()
    while epoch < args.epochs and step < limit:
        g = torch.Generator().manual_seed(args.seed + epoch)
        order = torch.randperm(len(train_ds), generator=g).tolist()
        mine = order[rank::world][: micro_per_epoch * args.micro_batch]
        while micro < micro_per_epoch and step < limit:
            n_micro = min(accum, micro_per_epoch - micro)
            t0 = time.time()
            tokens = 0
            loss_sum = 0.0
            for j in range(n_micro):
                idx = mine[(micro + j) * args.micro_batch:(micro + j + 1) * args.micro_batch]
                b = {k: v.to(device) for k, v in collate([train_ds[i] for i in idx]).items()}
                tokens += int(b["attention_mask"].sum())
                sync_ctx = train_model.no_sync() if distributed and j < n_micro - 1 else _null()
                with sync_ctx:
                    with autocast():
                        # One sequence per micro-batch has no padding: drop the mask so SDPA can use flash attention.
                        mask = None if args.micro_batch == 1 else b["attention_mask"]
                        logits, _ = train_model(b["input_ids"], mask)
                    loss = lm_loss(logits, b["labels"]) / n_micro
                    loss.backward()
                loss_sum += loss.item()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            micro += n_micro
            step += 1
            steps_this_run += 1
            last_loss = loss_sum
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            dt = time.time() - t0
            say("step", step=step, total_steps=total_steps, epoch=epoch, loss=round(loss_sum, 6), lr=sched.get_last_lr()[0],
                tokens_per_s=round(tokens * world / max(dt, 1e-9), 2), tokens=tokens * world,
                elapsed_s=round(time.time() - t_start, 3), peak_mem_mb=round(peak_memory_mb(device), 1))
            if micro >= micro_per_epoch:
                epoch, micro = epoch + 1, 0
                if val_ds is not None and main_proc:
                    val_loss = evaluate(model, val_ds, device, autocast)
                    say("val", step=step, epoch=epoch, val_loss=round(val_loss, 6))
            stop = stop_requested()
            if main_proc and (stop or step % args.save_every == 0):
                path = save_checkpoint(args.out, step, checkpoint_state(), lcfg, model, args.base)
                say("checkpoint", step=step, path=path)
            if stop:
                say("interrupted", step=step, checkpoint=latest_checkpoint(args.out))
                _finish(distributed)
                return 130
            if micro == 0:
                break

    # --- validate + save ---
    if main_proc:
        if val_ds is not None and val_loss is None:
            val_loss = evaluate(model, val_ds, device, autocast)
            say("val", step=step, epoch=epoch, val_loss=round(val_loss, 6))
        if full:
            adapter_dir = None
            model_dir = save_full_model(model, args.base, os.path.join(args.out, "model"))
        else:
            model_dir = None
            adapter_dir = os.path.join(args.out, "adapter")
            save_adapter(model, lcfg, adapter_dir, args.base)
        save_checkpoint(args.out, step, checkpoint_state(), lcfg, model, args.base)
        say("done", step=step, total_steps=total_steps, adapter=adapter_dir, model=model_dir,
            # No step in this run (resumed at the end): no loss, and JSON has no NaN.
            train_loss=None if math.isnan(last_loss) else last_loss, val_loss=val_loss,
            peak_mem_mb=round(peak_memory_mb(device), 1), elapsed_s=round(time.time() - t_start, 3))
    _finish(distributed)
    return 0


TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "generation_config.json", "special_tokens_map.json",
                   "vocab.json", "merges.txt")


def save_full_model(model, base: str, out: str) -> str:
    """The trained model as an HF folder beside the run: weights + config, the base's tokenizer files.
    Written to `<out>.partial` and renamed, so a crash never leaves half a model."""
    from .model import save_model

    tmp = out + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    save_model(model, tmp, dtype=torch.float32)
    for name in TOKENIZER_FILES:
        src = os.path.join(base, name)
        if os.path.exists(src):
            shutil.copyfile(src, os.path.join(tmp, name))
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    return out


class _null:
    def __enter__(self):
        return None

    def __exit__(self, *a):
        return False


def _finish(distributed: bool) -> None:
    if distributed:
        import torch.distributed as dist

        dist.barrier()
        dist.destroy_process_group()


def parse_args(argv=None) -> TrainArgs:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = TrainArgs(base="", train="", out="")
    for name, f in TrainArgs.__dataclass_fields__.items():
        flag = "--" + name.replace("_", "-")
        if name in ("base", "train", "out"):
            p.add_argument(flag, required=True)
        elif f.type in ("bool", bool):
            p.add_argument("--no-" + name.replace("_", "-"), dest=name, action="store_false", default=getattr(defaults, name))
        else:
            typ = {"int": int, "float": float}.get(str(f.type), str)
            p.add_argument(flag, type=typ, default=getattr(defaults, name))
    return TrainArgs(**vars(p.parse_args(argv)))


def main(argv=None) -> int:
    try:
        return run(parse_args(argv))
    except (ValueError, FileNotFoundError) as e:
        emit("error", message=str(e))
        print(f"finetune: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
