"""Qwen2 / Llama-3 decoder in plain PyTorch, loading HF checkpoints (config.json + safetensors).

Module names mirror the Hugging Face ones (`model.layers.0.self_attn.q_proj.weight`), so an HF
state dict loads with no renaming and LoRA/PEFT key names line up.

    model = load_model("path/to/Qwen2.5-0.5B-Instruct")
    logits, present = model(input_ids)              # (B, T, vocab)
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field, asdict
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .safetensors_io import iter_tensors, model_files

KV = Tuple[torch.Tensor, torch.Tensor]


@dataclass
class Config:
    """The subset of an HF config.json that a Qwen2/Llama decoder needs."""

    model_type: str = "qwen2"
    vocab_size: int = 151936
    hidden_size: int = 896
    intermediate_size: int = 4864
    num_hidden_layers: int = 24
    num_attention_heads: int = 14
    num_key_value_heads: int = 2
    head_dim: Optional[int] = None
    rms_norm_eps: float = 1e-6
    rope_theta: float = 1000000.0
    rope_scaling: Optional[dict] = None
    max_position_embeddings: int = 32768
    tie_word_embeddings: bool = True
    attention_bias: Optional[bool] = None
    """Bias on q/k/v. Qwen2 always has it; Llama has `attention_bias` in its config (default False)."""
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.model_type not in ("qwen2", "llama"):
            raise ValueError(f"model_type {self.model_type!r} is not supported (qwen2 or llama)")
        if self.head_dim is None:
            self.head_dim = self.hidden_size // self.num_attention_heads
        if self.attention_bias is None:
            self.attention_bias = self.model_type == "qwen2"
        if self.num_attention_heads % self.num_key_value_heads:
            raise ValueError("num_attention_heads must be a multiple of num_key_value_heads")

    @classmethod
    def from_dict(cls, d: dict) -> "Config":
        known = {k for k in cls.__dataclass_fields__ if k != "extra"}
        kwargs = {k: d[k] for k in known if k in d and d[k] is not None}
        rp = d.get("rope_parameters")
        if isinstance(rp, dict):
            # transformers >= 5 writes RoPE settings as `rope_parameters` instead of rope_theta/rope_scaling.
            if "rope_theta" in rp:
                kwargs["rope_theta"] = rp["rope_theta"]
            if rp.get("rope_type", "default") != "default":
                kwargs["rope_scaling"] = rp
        if kwargs.get("model_type") == "llama" and "attention_bias" not in d:
            kwargs["attention_bias"] = False
        return cls(**kwargs, extra={k: v for k, v in d.items() if k not in known})

    @classmethod
    def from_file(cls, path: str) -> "Config":
        with open(path) as f:
            return cls.from_dict(json.load(f))

    def to_dict(self) -> dict:
        d = asdict(self)
        extra = d.pop("extra")
        return {**extra, **d}


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Normalise in fp32 like the reference; cast back before the scale (HF order).
        dtype = x.dtype
        x = x.float()
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x.to(dtype)


def rope_inv_freq(cfg: Config) -> torch.Tensor:
    hd = cfg.head_dim
    inv = 1.0 / (cfg.rope_theta ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
    rs = cfg.rope_scaling or {}
    if rs.get("rope_type", rs.get("type")) == "llama3":
        # Llama-3.1 frequency-dependent scaling: long wavelengths slowed by `factor`, short kept.
        factor = rs["factor"]
        low, high = rs.get("low_freq_factor", 1.0), rs.get("high_freq_factor", 4.0)
        old = rs.get("original_max_position_embeddings", 8192)
        wavelen = 2 * math.pi / inv
        smooth = (old / wavelen - low) / (high - low)
        scaled = torch.where(wavelen > old / low, inv / factor, inv)
        mid = (1 - smooth) * inv / factor + smooth * inv
        is_mid = (wavelen <= old / low) & (wavelen >= old / high)
        inv = torch.where(is_mid, mid, scaled)
    return inv


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    # Fused attention where torch has it (>= 2.0); the ONNX export turns it off so the graph is
    # plain MatMul/Softmax on every torch version.
    use_sdpa = hasattr(F, "scaled_dot_product_attention")

    def __init__(self, cfg: Config) -> None:
        super().__init__()
        self.nh, self.nkv, self.hd = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
        b = bool(cfg.attention_bias)
        self.q_proj = nn.Linear(cfg.hidden_size, self.nh * self.hd, bias=b)
        self.k_proj = nn.Linear(cfg.hidden_size, self.nkv * self.hd, bias=b)
        self.v_proj = nn.Linear(cfg.hidden_size, self.nkv * self.hd, bias=b)
        self.o_proj = nn.Linear(self.nh * self.hd, cfg.hidden_size, bias=False)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, mask: torch.Tensor, past: Optional[KV]) -> Tuple[torch.Tensor, KV]:
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.nh, self.hd).transpose(1, 2)  # (B, nh, T, hs)
        k = self.k_proj(x).view(B, T, self.nkv, self.hd).transpose(1, 2)  # (B, nkv, T, hs)
        v = self.v_proj(x).view(B, T, self.nkv, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past is not None:
            k = torch.cat([past[0], k], dim=2)  # (B, nkv, P+T, hs)
            v = torch.cat([past[1], v], dim=2)
        present = (k, v)
        rep = self.nh // self.nkv
        if rep > 1:
            S = k.shape[2]
            k = k[:, :, None].expand(B, self.nkv, rep, S, self.hd).reshape(B, self.nh, S, self.hd)
            v = v[:, :, None].expand(B, self.nkv, rep, S, self.hd).reshape(B, self.nh, S, self.hd)
        if self.use_sdpa:
            # mask None = plain causal with no padding: lets torch pick the flash kernel.
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=mask is None)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.hd))  # (B, nh, T, S)
            if mask is not None:
                att = att + mask
            else:
                att = att.masked_fill(torch.ones(T, k.shape[2], dtype=torch.bool, device=x.device).triu(1), float("-inf"))
            att = F.softmax(att.float(), dim=-1).to(q.dtype)
            y = att @ v  # (B, nh, T, hs)
        y = y.transpose(1, 2).reshape(B, T, self.nh * self.hd)
        return self.o_proj(y), present


class MLP(nn.Module):
    def __init__(self, cfg: Config) -> None:
        super().__init__()
        self.gate_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.up_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.down_proj = nn.Linear(cfg.intermediate_size, cfg.hidden_size, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, cfg: Config) -> None:
        super().__init__()
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.mlp = MLP(cfg)

    def forward(self, x, cos, sin, mask, past):
        h, present = self.self_attn(self.input_layernorm(x), cos, sin, mask, past)
        x = x + h
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, present


class Decoder(nn.Module):
    def __init__(self, cfg: Config) -> None:
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList(Block(cfg) for _ in range(cfg.num_hidden_layers))
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)


class CausalLM(nn.Module):
    def __init__(self, cfg: Config) -> None:
        super().__init__()
        self.config = cfg
        self.model = Decoder(cfg)
        self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        if cfg.tie_word_embeddings:
            self.lm_head.weight = self.model.embed_tokens.weight
        self.register_buffer("inv_freq", rope_inv_freq(cfg), persistent=False)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: Optional[torch.Tensor] = None,
        position_ids: Optional[torch.Tensor] = None,
        past: Optional[List[KV]] = None,
    ) -> Tuple[torch.Tensor, List[KV]]:
        """input_ids (B, T); attention_mask (B, P+T) 1 = real token; returns logits (B, T, V)."""
        B, T = input_ids.shape
        P = past[0][0].shape[2] if past else 0
        if position_ids is None:
            position_ids = torch.arange(P, P + T, device=input_ids.device).unsqueeze(0).expand(B, T)
        x = self.model.embed_tokens(input_ids)
        freqs = position_ids[..., None].float() * self.inv_freq  # (B, T, hs/2)
        emb = torch.cat([freqs, freqs], dim=-1)[:, None]  # (B, 1, T, hs)
        cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
        # No mask, no cache: pure causal attention (training with micro-batch 1) needs no mask tensor.
        plain = attention_mask is None and P == 0 and not torch.jit.is_tracing()
        mask = None if plain else self.build_mask(attention_mask, B, T, P, x.device, x.dtype)
        presents: List[KV] = []
        for i, layer in enumerate(self.model.layers):
            x, present = layer(x, cos, sin, mask, past[i] if past else None)
            presents.append(present)
        logits = self.lm_head(self.model.norm(x))
        return logits, presents

    @staticmethod
    def build_mask(attention_mask, B: int, T: int, P: int, device, dtype) -> torch.Tensor:
        """Additive mask (B, 1, T, P+T): causal, and padded keys hidden. Built from aranges so the
        ONNX graph keeps the sequence lengths dynamic."""
        S = P + T
        q_pos = torch.arange(T, device=device)[:, None] + P
        k_pos = torch.arange(S, device=device)[None, :]
        allowed = (k_pos <= q_pos)[None, None]  # (1, 1, T, S)
        if attention_mask is not None:
            allowed = allowed & attention_mask[:, None, None, :].bool()
        neg = torch.finfo(dtype).min
        zero = torch.zeros((), dtype=dtype, device=device)
        return torch.where(allowed, zero, torch.full((), neg, dtype=dtype, device=device))


def load_model(model_dir: str, dtype: torch.dtype = torch.float32, device: str = "cpu") -> CausalLM:
    """Builds the model from config.json and loads every safetensors shard, checking names and shapes."""
    cfg_path = os.path.join(model_dir, "config.json")
    if not os.path.exists(cfg_path):
        raise ValueError(f"{model_dir}: config.json is missing (expected an HF checkpoint folder)")
    cfg = Config.from_file(cfg_path)
    if hasattr(torch.device, "__enter__"):
        # torch >= 2: build on the meta device so a 7B model is not initialised only to be overwritten.
        with torch.device("meta"):
            model = CausalLM(cfg)
        model = model.to_empty(device=device)
        if cfg.tie_word_embeddings:
            model.lm_head.weight = model.model.embed_tokens.weight
    else:
        model = CausalLM(cfg).to(device)
    model.inv_freq = rope_inv_freq(cfg).to(device)
    expected = dict(model.state_dict())
    seen = set()
    for path in model_files(model_dir):
        for name, t in iter_tensors(path):
            if name not in expected:
                if name == "lm_head.weight" and cfg.tie_word_embeddings:
                    continue  # some tied checkpoints still store it
                if name.endswith("rotary_emb.inv_freq"):
                    continue
                raise ValueError(f"{path}: unexpected tensor {name} for a {cfg.model_type} model")
            if tuple(t.shape) != tuple(expected[name].shape):
                raise ValueError(f"{path}: {name} has shape {tuple(t.shape)}, config.json implies {tuple(expected[name].shape)}")
            with torch.no_grad():
                expected[name].copy_(t.to(dtype))
            seen.add(name)
    missing = [n for n in expected if n not in seen and not (n == "lm_head.weight" and cfg.tie_word_embeddings)]
    if missing:
        raise ValueError(f"{model_dir}: checkpoint lacks {len(missing)} tensors, e.g. {missing[:3]}")
    model = model.to(dtype)
    model.inv_freq = rope_inv_freq(cfg).to(device)  # RoPE frequencies stay fp32 even in a bf16 model
    return model


def init_random(model: CausalLM, seed: int = 0, std: float = 0.02, embed_std: float = 0.02) -> CausalLM:
    """Deterministic random init (tests, fixtures, benchmarks): N(0, std) weights, N(0, embed_std) embeddings."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("layernorm.weight") or name == "model.norm.weight":
                p.fill_(1.0)
            elif name.startswith("model.embed_tokens") or name == "lm_head.weight":
                p.copy_(torch.randn(p.shape, generator=g) * embed_std)
            else:
                p.copy_(torch.randn(p.shape, generator=g) * std)
    return model


def save_model(model: CausalLM, model_dir: str, dtype: torch.dtype = torch.float32) -> None:
    """HF layout: config.json + model.safetensors (tied lm_head not stored, like HF)."""
    from .safetensors_io import save_sharded

    os.makedirs(model_dir, exist_ok=True)
    cfg = model.config.to_dict()
    cfg.setdefault("architectures", ["Qwen2ForCausalLM" if model.config.model_type == "qwen2" else "LlamaForCausalLM"])
    cfg["torch_dtype"] = {torch.float32: "float32", torch.bfloat16: "bfloat16", torch.float16: "float16"}[dtype]
    sd = model.state_dict()
    items = ((k, v.to(dtype)) for k, v in sd.items() if not (k == "lm_head.weight" and model.config.tie_word_embeddings))
    save_sharded(items, model_dir)
    tmp = os.path.join(model_dir, "config.json.partial")
    with open(tmp, "w") as f:
        json.dump(cfg, f, indent=2)
    os.replace(tmp, os.path.join(model_dir, "config.json"))
