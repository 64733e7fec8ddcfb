"""LoRA SFT (or full-parameter training) of a Qwen2/Llama-3 checkpoint on `tokenskip build`
records: setup -> fit -> validate, as litgpt's finetune/lora.py.

    state = setup(TrainArgs(base=..., train=..., out=...))   # model, LoRA, data, optimizer, resume
    if fit(state):                                           # the loop; False when interrupted
        finish(state)                                        # validate, save adapter/ or model/

`--mode full` trains every weight instead of LoRA adapters (how the mini models are pretrained
from a random init, tokenskip_trainer.tiny --tokenizer): checkpoints then hold the whole model, and the
result is an HF model folder `<out>/model` (config, safetensors, tokenizer files of the base).

Defaults are TokenSkip's (REFERENCE section 1): rank 8, alpha 16, all linear layers, dropout 0,
AdamW lr 5e-5, 3 epochs, cosine with 10% warm-up, micro-batch 1 x accumulation 8, cutoff 2048,
bf16 autocast on CUDA (fp32 on CPU). Progress goes to stdout as JSON lines, one object per event,
so `tokenskip train` can drive a progress bar:

    {"event": "step", "step": 3, "total_steps": 90, "loss": 1.23, "lr": 5e-05, "tokens_per_s": 812.4, ...}

Checkpoints (adapter + optimizer + scheduler + RNG + data position) go to <out>/checkpoints every
--save-every steps; a new run with the same --out resumes from the newest. SIGINT/SIGTERM finish
the current optimizer step, save a checkpoint and exit with code 130.

    python -m tokenskip_trainer.finetune --base models/Qwen2.5-0.5B-Instruct --train build/train.jsonl --out runs/q05
    torchrun --nproc_per_node 4 -m tokenskip_trainer.finetune ...     # data-parallel (DDP)
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import shutil
import signal
import sys
import time
from dataclasses import asdict, dataclass
from typing import Callable, ContextManager, List, Optional, Tuple

import torch

from .args import TrainArgs, parse_train_args
from .data import SFTDataset, collate, lm_loss
from .lora import LoRAConfig, apply_lora, lora_state, save_adapter, PREFIX
from .model import CausalLM, load_model, save_model

VERSION = 1

__all__ = ["TrainArgs", "State", "setup", "fit", "validate", "finish", "run", "main"]


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


@dataclass
class State:
    """What setup() builds and fit() advances. Its loop position (step, epoch, micro-batch within
    the epoch) is, with the weights, optimizer, schedule and RNG, what a checkpoint stores."""

    args: TrainArgs
    device: torch.device
    distributed: bool
    """Under torchrun (RANK and WORLD_SIZE set): DDP, even with one process."""
    rank: int
    world: int
    use_bf16: bool
    autocast: Callable[[], ContextManager]
    train_ds: SFTDataset
    val_ds: Optional[SFTDataset]
    accum: int
    """Micro-batches per optimizer step in each process."""
    micro_per_epoch: int
    """Micro-batches per epoch in each process."""
    steps_per_epoch: int
    total_steps: int
    warmup_steps: int
    model: CausalLM
    """The model itself: what is validated and saved."""
    train_model: torch.nn.Module
    """What the loop calls: the model, DDP-wrapped under torchrun."""
    lcfg: Optional[LoRAConfig]
    """None in --mode full."""
    params: List[torch.nn.Parameter]
    opt: torch.optim.Optimizer
    sched: torch.optim.lr_scheduler.LambdaLR
    step: int = 0
    epoch: int = 0
    micro: int = 0
    resumed_from: Optional[str] = None
    steps_this_run: int = 0
    last_loss: float = math.nan
    val_loss: Optional[float] = None
    t_start: float = 0.0

    @property
    def main_proc(self) -> bool:
        return self.rank == 0

    @property
    def full(self) -> bool:
        return self.lcfg is None

    def say(self, event: str, **fields) -> None:
        """Progress as one JSON line, from the main process only."""
        if self.main_proc:
            emit(event, **fields)

    def checkpoint_state(self) -> dict:
        weights = ({"weights": {k: v.detach().clone() for k, v in self.model.state_dict().items()}} if self.full
                   else {"lora": lora_state(self.model)})
        cuda = self.device.type == "cuda"
        return {"step": self.step, "epoch": self.epoch, "micro": self.micro, "total_steps": self.total_steps,
                "train_records": len(self.train_ds), "mode": self.args.mode, **weights, "optimizer": self.opt.state_dict(),
                "scheduler": self.sched.state_dict(),
                "rng": {"cpu": torch.get_rng_state(), "cuda": torch.cuda.get_rng_state(self.device) if cuda else None},
                "version": VERSION}

    def load_checkpoint(self, ckpt: str) -> None:
        """Weights, optimizer, schedule, RNG and loop position from `ckpt`, made for the same data and settings."""
        state = torch.load(os.path.join(ckpt, "state.pt"), map_location="cpu")
        if state.get("total_steps") != self.total_steps or state.get("train_records") != len(self.train_ds):
            raise ValueError(f"{ckpt}: checkpoint was made for another dataset or settings; pass --no-resume or another --out")
        if state.get("mode", "lora") != self.args.mode:
            raise ValueError(f"{ckpt}: checkpoint was made with --mode {state.get('mode', 'lora')}; pass --no-resume or another --out")
        sd = self.model.state_dict()
        with torch.no_grad():
            if self.full:
                self.model.load_state_dict(state["weights"])
            else:
                for k, v in state["lora"].items():
                    sd[k[len(PREFIX):]].copy_(v)
        self.opt.load_state_dict(state["optimizer"])
        self.sched.load_state_dict(state["scheduler"])
        torch.set_rng_state(state["rng"]["cpu"])
        if self.device.type == "cuda" and state["rng"].get("cuda") is not None:
            torch.cuda.set_rng_state(state["rng"]["cuda"], self.device)
        self.step, self.epoch, self.micro = state["step"], state["epoch"], state["micro"]
        self.resumed_from = ckpt

    def save_checkpoint(self) -> str:
        return save_checkpoint(self.args.out, self.step, self.checkpoint_state(), self.lcfg, self.model, self.args.base)


def _device(args: TrainArgs, local_rank: int) -> torch.device:
    if args.device == "auto":
        return torch.device(f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu")
    return torch.device(args.device)


def _autocast(use_bf16: bool, device: torch.device) -> Callable[[], ContextManager]:
    if use_bf16 and device.type == "cuda":
        return lambda: torch.autocast("cuda", dtype=torch.bfloat16)
    if use_bf16:
        return lambda: torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext


def setup(args: TrainArgs) -> State:
    """Device (and the process group under torchrun), data and schedule sizes, the model with LoRA
    (or all weights trainable), AdamW + schedule, the newest checkpoint of --out when resuming.
    Writes train_args.json and emits `start`."""
    torch.set_num_threads(args.threads)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    distributed = "RANK" in os.environ and "WORLD_SIZE" in os.environ
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = _device(args, local_rank)
    if device.type == "cuda":
        torch.cuda.set_device(device)
    if distributed:
        import torch.distributed as dist

        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    use_bf16 = args.precision == "bf16" or (args.precision == "auto" and device.type == "cuda")

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

    # Base weights in bf16 on GPU (half the memory), trained weights always fp32 (stable updates).
    model = load_model(args.base, dtype=torch.bfloat16 if use_bf16 and device.type == "cuda" else torch.float32, device=str(device))
    lcfg = None if args.mode == "full" else LoRAConfig(r=args.rank, lora_alpha=args.alpha, lora_dropout=args.dropout)
    torch.manual_seed(args.seed)
    if lcfg is not None:
        apply_lora(model, lcfg)
    for p in model.parameters():
        if p.requires_grad:
            p.data = p.data.float()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=args.weight_decay)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda(total_steps, warmup_steps))
    state = State(args=args, device=device, distributed=distributed, rank=rank, world=world, use_bf16=use_bf16,
                  autocast=_autocast(use_bf16, device), train_ds=train_ds, val_ds=val_ds, accum=accum,
                  micro_per_epoch=micro_per_epoch, steps_per_epoch=steps_per_epoch, total_steps=total_steps,
                  warmup_steps=warmup_steps, model=model, train_model=model, lcfg=lcfg, params=params, opt=opt, sched=sched)
    ckpt = latest_checkpoint(args.out) if args.resume else None
    if ckpt:
        state.load_checkpoint(ckpt)
    if distributed:
        from torch.nn.parallel import DistributedDataParallel as DDP

        state.train_model = DDP(model, device_ids=[local_rank] if device.type == "cuda" else None)
    model.train()
    Stop.install()
    os.makedirs(args.out, exist_ok=True)
    if state.main_proc:
        with open(os.path.join(args.out, "train_args.json"), "w") as f:
            json.dump({**asdict(args), "world_size": world, "accumulation": accum, "total_steps": total_steps,
                       "warmup_steps": warmup_steps, "lora": lcfg.to_peft(args.base) if lcfg else None, "trainer_version": VERSION,
                       "torch": torch.__version__}, f, indent=2)
    state.say("start", total_steps=total_steps, steps_per_epoch=steps_per_epoch, epochs=args.epochs, train_records=len(train_ds),
              val_records=len(val_ds) if val_ds else 0, device=str(device), precision="bf16" if use_bf16 else "fp32",
              world_size=world, accumulation=accum, resumed_from=state.resumed_from, step=state.step,
              trainable_params=sum(p.numel() for p in params))
    return state


def fit(state: State) -> bool:
    """Optimizer steps from the state's position to --max-steps or the end of the last epoch, with
    `step` events, validation after each epoch and a checkpoint every --save-every steps. Returns
    False when stopped (SIGINT/SIGTERM, --halt-after): a checkpoint is saved and `interrupted` emitted."""
    args = state.args
    limit = args.max_steps or state.total_steps
    state.t_start = time.time()
    while state.epoch < args.epochs and state.step < limit:
        # The epoch's order depends on the seed and the epoch only, so a resumed run sees the same data.
        g = torch.Generator().manual_seed(args.seed + state.epoch)
        order = torch.randperm(len(state.train_ds), generator=g).tolist()
        mine = order[state.rank::state.world][: state.micro_per_epoch * args.micro_batch]
        while state.micro < state.micro_per_epoch and state.step < limit:
            t0 = time.time()
            loss, tokens = _optimizer_step(state, mine)
            dt = time.time() - t0
            state.say("step", step=state.step, total_steps=state.total_steps, epoch=state.epoch, loss=round(loss, 6),
                      lr=state.sched.get_last_lr()[0], tokens_per_s=round(tokens * state.world / max(dt, 1e-9), 2),
                      tokens=tokens * state.world, elapsed_s=round(time.time() - state.t_start, 3),
                      peak_mem_mb=round(peak_memory_mb(state.device), 1))
            if state.micro >= state.micro_per_epoch:
                state.epoch, state.micro = state.epoch + 1, 0
                if state.val_ds is not None and state.main_proc:
                    state.val_loss = validate(state.model, state.val_ds, state.device, state.autocast)
                    state.say("val", step=state.step, epoch=state.epoch, val_loss=round(state.val_loss, 6))
            stop = _stop_requested(state)
            if state.main_proc and (stop or state.step % args.save_every == 0):
                state.say("checkpoint", step=state.step, path=state.save_checkpoint())
            if stop:
                state.say("interrupted", step=state.step, checkpoint=latest_checkpoint(args.out))
                return False
            if state.micro == 0:
                break
    return True


def _optimizer_step(state: State, mine: List[int]) -> Tuple[float, int]:
    """One optimizer step over up to `accum` micro-batches of this process's share `mine` of the
    epoch; advances step and micro. Returns the step's loss and the tokens this process saw."""
    args = state.args
    n_micro = min(state.accum, state.micro_per_epoch - state.micro)
    tokens = 0
    loss_sum = 0.0
    for j in range(n_micro):
        idx = mine[(state.micro + j) * args.micro_batch:(state.micro + j + 1) * args.micro_batch]
        b = {k: v.to(state.device) for k, v in collate([state.train_ds[i] for i in idx]).items()}
        tokens += int(b["attention_mask"].sum())
        # Gradients are all-reduced once, on the step's last micro-batch.
        sync_ctx = state.train_model.no_sync() if state.distributed and j < n_micro - 1 else contextlib.nullcontext()
        with sync_ctx:
            with state.autocast():
                # One sequence per micro-batch has no padding: drop the mask so SDPA can use flash attention.
                mask = None if args.micro_batch == 1 else b["attention_mask"]
                logits, _ = state.train_model(b["input_ids"], mask)
            loss = lm_loss(logits, b["labels"]) / n_micro
            loss.backward()
        loss_sum += loss.item()
    torch.nn.utils.clip_grad_norm_(state.params, 1.0)
    state.opt.step()
    state.sched.step()
    state.opt.zero_grad(set_to_none=True)
    state.micro += n_micro
    state.step += 1
    state.steps_this_run += 1
    state.last_loss = loss_sum
    if state.device.type == "cuda":
        torch.cuda.synchronize(state.device)
    return loss_sum, tokens


def _stop_requested(state: State) -> bool:
    """A signal (or --halt-after) in any process stops all of them after the same step."""
    flag = Stop.requested or (state.args.halt_after and state.steps_this_run >= state.args.halt_after)
    if state.distributed:
        import torch.distributed as dist

        t = torch.tensor([1.0 if flag else 0.0], device=state.device)
        dist.all_reduce(t)
        flag = t.item() > 0
    return bool(flag)


def validate(model: CausalLM, ds: SFTDataset, device: torch.device, autocast: Callable[[], ContextManager] = contextlib.nullcontext) -> float:
    """Mean loss over `ds`, one record at a time (no padding); leaves the model in training mode."""
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


def finish(state: State) -> None:
    """After fit(): the final validation (unless the last epoch's already ran), the result (adapter/
    or model/), a last checkpoint and `done`. Main process only."""
    if not state.main_proc:
        return
    args = state.args
    if state.val_ds is not None and state.val_loss is None:
        state.val_loss = validate(state.model, state.val_ds, state.device, state.autocast)
        state.say("val", step=state.step, epoch=state.epoch, val_loss=round(state.val_loss, 6))
    if state.full:
        adapter_dir = None
        model_dir = save_full_model(state.model, args.base, os.path.join(args.out, "model"))
    else:
        model_dir = None
        adapter_dir = os.path.join(args.out, "adapter")
        save_adapter(state.model, state.lcfg, adapter_dir, args.base)
    state.save_checkpoint()
    state.say("done", step=state.step, total_steps=state.total_steps, adapter=adapter_dir, model=model_dir,
              # No step in this run (resumed at the end): no loss, and JSON has no NaN.
              train_loss=None if math.isnan(state.last_loss) else state.last_loss, val_loss=state.val_loss,
              peak_mem_mb=round(peak_memory_mb(state.device), 1), elapsed_s=round(time.time() - state.t_start, 3))


def run(args: TrainArgs) -> int:
    """setup -> fit -> validate and save. Exit code: 0 done, 130 stopped (resume with the same --out)."""
    state = setup(args)
    completed = fit(state)
    if completed:
        finish(state)
    _finish(state.distributed)
    return 0 if completed else 130


TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "generation_config.json", "special_tokens_map.json",
                   "vocab.json", "merges.txt")


def save_full_model(model, base: str, out: str) -> str:
    """The trained model as an HF folder beside the run: weights + config, the base's tokenizer files.
    Written to `<out>.partial` and renamed, so a crash never leaves half a model."""
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


def _finish(distributed: bool) -> None:
    if distributed:
        import torch.distributed as dist

        dist.barrier()
        dist.destroy_process_group()


def parse_args(argv=None) -> TrainArgs:
    return parse_train_args(argv, prog="python -m tokenskip_trainer.finetune", description=__doc__.split("\n\n")[0])


def main(argv=None) -> int:
    try:
        return run(parse_args(argv))
    except (ValueError, FileNotFoundError) as e:
        emit("error", message=str(e))
        print(f"finetune: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
