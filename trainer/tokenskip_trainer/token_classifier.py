"""A small bidirectional token classifier in the LLMLingua-2 layout (BERT-style WordPiece, post-LN
encoder, 2-class head), and the WordPiece vocabulary builder, shared by the test fixtures
(scripts/make_scorer_fixtures.py) and the mini scorer (tokenskip_trainer.scorer).

Exported graphs take `input_ids`, `attention_mask`, `token_type_ids` and return `logits` [B, T, 2]
(class 1 = keep), the interface of the real LLMLingua-2 ONNX exports, so the app and the CLI run
them through the unchanged LLMLingua-2 path.
"""
from __future__ import annotations

import collections
import math
import re

import torch
from torch import nn


def added_token(idx, content, lstrip=False):
    return {
        "id": idx,
        "content": content,
        "single_word": False,
        "lstrip": lstrip,
        "rstrip": False,
        "normalized": False,
        "special": True,
    }


_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def wordpiece_split(text):
    # As BERT's BasicTokenizer with tokenize_chinese_chars: every CJK character is a word of its own.
    return re.findall(rf"[{_CJK}]|[^\W{_CJK}]+|[^\w\s]", text)


def mbert_tokenizer(texts, n_words):
    words = collections.Counter()
    chars = collections.Counter()
    for t in texts:
        for w in wordpiece_split(t):
            words[w] += 1
            chars.update(w)
    pieces = ["[PAD]"] + [f"[unused{i}]" for i in range(1, 100)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    seen = set(pieces)
    for ch, _ in sorted(chars.items(), key=lambda kv: (-kv[1], kv[0])):
        for piece in (ch, "##" + ch):
            if piece not in seen:
                pieces.append(piece)
                seen.add(piece)
    for suffix in ("##s", "##ed", "##ing", "##er", "##ly", "##es", "##tion"):
        if suffix not in seen:
            pieces.append(suffix)
            seen.add(suffix)
    for w, _ in sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:n_words]:
        if w not in seen:
            pieces.append(w)
            seen.add(w)
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [added_token(pieces.index(t), t) for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")],
        "normalizer": {
            "type": "BertNormalizer",
            "clean_text": True,
            "handle_chinese_chars": True,
            "strip_accents": None,
            "lowercase": False,
        },
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 102], "cls": ["[CLS]", 101]},
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {
            "type": "WordPiece",
            "unk_token": "[UNK]",
            "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100,
            "vocab": {p: i for i, p in enumerate(pieces)},
        },
    }
    specials = {
        "unk_token": "[UNK]",
        "sep_token": "[SEP]",
        "pad_token": "[PAD]",
        "cls_token": "[CLS]",
        "mask_token": "[MASK]",
    }
    return tok, specials, pieces


class EncoderLayer(nn.Module):
    def __init__(self, d, n_head):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln1 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
        self.ln2 = nn.LayerNorm(d)

    def forward(self, x, bias):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1))) + bias  # (B, nh, T, T)
        y = att.softmax(dim=-1) @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        x = self.ln1(x + self.proj(y))  # post-LN, as BERT
        return self.ln2(x + self.ff(x))



class TokenClassifier(nn.Module):
    """BERT-style encoder + keep/drop head: token, position and token-type embeddings, post-LN layers.
    `token_types=False` leaves the token-type embedding out (XLM-R's layout: no token_type_ids input)."""

    def __init__(self, vocab_size: int, d: int, n_layer: int, n_head: int, max_positions: int = 512,
                 token_types: bool = True):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, d)
        self.pos = nn.Embedding(max_positions, d)
        self.types = nn.Embedding(2, d) if token_types else None
        self.ln = nn.LayerNorm(d)
        self.layers = nn.ModuleList([EncoderLayer(d, n_head) for _ in range(n_layer)])
        self.head = nn.Linear(d, 2)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        T = input_ids.shape[1]
        x = self.tok(input_ids) + self.pos(torch.arange(T, device=input_ids.device))[None]
        if self.types is not None:
            x = x + self.types(token_type_ids)
        x = self.ln(x)
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0  # (B, 1, 1, T)
        for layer in self.layers:
            x = layer(x, bias)
        return self.head(x)  # (B, T, 2)
