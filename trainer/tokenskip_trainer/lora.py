"""LoRA on every linear layer of the decoder (q, k, v, o, gate, up, down), PEFT-compatible.

y = x W^T + b + (alpha / r) * x A^T B^T, with A (r, in) Kaiming-uniform and B (out, r) zero, so
training starts from the base model exactly. Adapters are saved in the standard PEFT layout
(`adapter_config.json` + `adapter_model.safetensors`, keys
`base_model.model.<module>.lora_A.weight`), so our adapters and published ones are interchangeable.

    apply_lora(model, LoRAConfig())
    save_adapter(model, cfg, "out/adapter")
    merge_lora(model)              # W <- W + (alpha/r) B A, adapters removed
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field, asdict
from typing import Dict, List

import torch
import torch.nn as nn
import torch.nn.functional as F

from .safetensors_io import load_file, save_file

ALL_LINEAR = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
PREFIX = "base_model.model."


@dataclass
class LoRAConfig:
    r: int = 8
    """LoRA rank."""
    lora_alpha: float = 16.0
    """Scale numerator: the update is multiplied by lora_alpha / r."""
    lora_dropout: float = 0.0
    target_modules: List[str] = field(default_factory=lambda: list(ALL_LINEAR))
    use_rslora: bool = False
    """PEFT's rank-stabilised variant: scale lora_alpha / sqrt(r)."""

    @property
    def scale(self) -> float:
        return self.lora_alpha / (math.sqrt(self.r) if self.use_rslora else self.r)

    def to_peft(self, base_model: str = "") -> dict:
        return {
            "peft_type": "LORA",
            "task_type": "CAUSAL_LM",
            "base_model_name_or_path": base_model,
            "r": self.r,
            "lora_alpha": self.lora_alpha,
            "lora_dropout": self.lora_dropout,
            "target_modules": self.target_modules,
            "bias": "none",
            "fan_in_fan_out": False,
            "use_rslora": self.use_rslora,
            "inference_mode": True,
        }

    @classmethod
    def from_peft(cls, d: dict) -> "LoRAConfig":
        if d.get("peft_type", "LORA") != "LORA":
            raise ValueError(f"adapter peft_type {d.get('peft_type')!r} is not LORA")
        if d.get("fan_in_fan_out"):
            raise ValueError("fan_in_fan_out adapters (GPT-2 Conv1D) are not supported for Qwen2/Llama")
        tm = d.get("target_modules") or ALL_LINEAR
        if isinstance(tm, str):  # PEFT allows a regex or "all-linear"
            tm = ALL_LINEAR if tm == "all-linear" else [m for m in ALL_LINEAR if m in tm]
        return cls(r=int(d["r"]), lora_alpha=float(d["lora_alpha"]), lora_dropout=float(d.get("lora_dropout", 0.0)),
                   target_modules=list(tm), use_rslora=bool(d.get("use_rslora", False)))


class LoRALinear(nn.Linear):
    """nn.Linear with a low-rank update; `weight`/`bias` keep their HF names."""

    def __init__(self, base: nn.Linear, cfg: LoRAConfig) -> None:
        nn.Module.__init__(self)
        self.in_features, self.out_features = base.in_features, base.out_features
        self.weight = base.weight
        self.bias = base.bias
        self.scale = cfg.scale
        dev, dt = base.weight.device, base.weight.dtype
        self.lora_A = nn.Linear(self.in_features, cfg.r, bias=False, device=dev, dtype=dt)
        self.lora_B = nn.Linear(cfg.r, self.out_features, bias=False, device=dev, dtype=dt)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.dropout = nn.Dropout(cfg.lora_dropout) if cfg.lora_dropout > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight, self.bias) + self.lora_B(self.lora_A(self.dropout(x))) * self.scale

    def merged(self) -> nn.Linear:
        lin = nn.Linear(self.in_features, self.out_features, bias=self.bias is not None,
                        device=self.weight.device, dtype=self.weight.dtype)
        with torch.no_grad():
            delta = (self.lora_B.weight.float() @ self.lora_A.weight.float()) * self.scale
            lin.weight.copy_((self.weight.float() + delta).to(self.weight.dtype))
            if self.bias is not None:
                lin.bias.copy_(self.bias)
        return lin


def apply_lora(model: nn.Module, cfg: LoRAConfig) -> List[str]:
    """Replaces target linears in place, freezes everything else; returns the wrapped module names."""
    for p in model.parameters():
        p.requires_grad_(False)
    wrapped = []
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if child_name in cfg.target_modules and isinstance(child, nn.Linear) and not isinstance(child, LoRALinear):
                setattr(module, child_name, LoRALinear(child, cfg))
                wrapped.append(f"{name}.{child_name}" if name else child_name)
    if not wrapped:
        raise ValueError(f"no module matched target_modules {cfg.target_modules}")
    for n, p in model.named_parameters():
        p.requires_grad_("lora_" in n)
    return wrapped


def lora_state(model: nn.Module) -> Dict[str, torch.Tensor]:
    """Adapter tensors under their PEFT names."""
    return {PREFIX + k: v.detach().clone() for k, v in model.state_dict().items() if ".lora_A." in k or ".lora_B." in k}


def save_adapter(model: nn.Module, cfg: LoRAConfig, out_dir: str, base_model: str = "") -> None:
    os.makedirs(out_dir, exist_ok=True)
    save_file({k: v.float() for k, v in lora_state(model).items()}, os.path.join(out_dir, "adapter_model.safetensors"), {"format": "pt"})
    tmp = os.path.join(out_dir, "adapter_config.json.partial")
    with open(tmp, "w") as f:
        json.dump(cfg.to_peft(base_model), f, indent=2)
    os.replace(tmp, os.path.join(out_dir, "adapter_config.json"))


def read_adapter(adapter_dir: str):
    """Returns (LoRAConfig, {module_name: (A (r, in), B (out, r))}) from a PEFT-layout folder."""
    cfg_path = os.path.join(adapter_dir, "adapter_config.json")
    w_path = os.path.join(adapter_dir, "adapter_model.safetensors")
    if not os.path.exists(cfg_path):
        raise ValueError(f"{adapter_dir}: adapter_config.json is missing (expected a PEFT LoRA folder)")
    if not os.path.exists(w_path):
        if os.path.exists(os.path.join(adapter_dir, "adapter_model.bin")):
            raise ValueError(f"{adapter_dir}: only adapter_model.bin found; convert it to adapter_model.safetensors "
                             "(python -c \"import torch; from safetensors.torch import save_file; "
                             "save_file(torch.load('adapter_model.bin'), 'adapter_model.safetensors')\")")
        raise ValueError(f"{adapter_dir}: adapter_model.safetensors is missing")
    with open(cfg_path) as f:
        cfg = LoRAConfig.from_peft(json.load(f))
    pairs: Dict[str, dict] = {}
    for k, t in load_file(w_path).items():
        name = k[len(PREFIX):] if k.startswith(PREFIX) else k
        for part in ("lora_A", "lora_B"):
            for suffix in (f".{part}.weight", f".{part}.default.weight"):
                if name.endswith(suffix):
                    pairs.setdefault(name[: -len(suffix)], {})[part] = t
    out = {}
    for mod, d in pairs.items():
        if "lora_A" not in d or "lora_B" not in d:
            raise ValueError(f"{adapter_dir}: {mod} has only one of lora_A / lora_B")
        if d["lora_A"].shape[0] != cfg.r or d["lora_B"].shape[1] != cfg.r:
            raise ValueError(f"{adapter_dir}: {mod} rank does not match r={cfg.r} in adapter_config.json")
        out[mod] = (d["lora_A"], d["lora_B"])
    if not out:
        raise ValueError(f"{adapter_dir}: adapter_model.safetensors holds no lora_A/lora_B tensors")
    return cfg, out


def load_adapter_into(model: nn.Module, adapter_dir: str) -> None:
    """Loads saved adapter weights into a model that already has apply_lora() applied."""
    _, pairs = read_adapter(adapter_dir)
    modules = dict(model.named_modules())
    for mod, (a, b) in pairs.items():
        m = modules.get(mod)
        if not isinstance(m, LoRALinear):
            raise ValueError(f"adapter module {mod} is not a LoRA layer of this model")
        with torch.no_grad():
            m.lora_A.weight.copy_(a)
            m.lora_B.weight.copy_(b)


def merge_lora(model: nn.Module) -> nn.Module:
    """Folds every LoRALinear back into a plain nn.Linear."""
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, LoRALinear):
                setattr(module, child_name, child.merged())
    return model
