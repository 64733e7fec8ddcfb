"""Byte-level BPE in Qwen2's layout, trained on a corpus: the tokenizer of the mini models.

Writes a Hugging Face `tokenizer.json` (NFC normaliser, Qwen2's pre-tokenizer regex, ByteLevel
decoder, Qwen2's chat special tokens) that `@huggingface/tokenizers` in Node and in the browser
loads like a real Qwen2 tokenizer. Qwen2's regex splits every digit into its own piece, so
numbers are always read digit by digit ("15" -> "1", "5"), which makes small arithmetic learnable.

    merges = train_bpe(texts, n_merges=800)
    write_tokenizer(out_dir, merges)

Training uses a transcription of the regex for Python's `re`, which has no \\p{L}: \\p{L} becomes
[^\\W\\d_] and \\p{N} becomes \\d. The two agree on text made of letters (any script, Chinese
included), decimal digits, punctuation, symbols and spaces; the corpus is checked for that.
"""
from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from typing import Dict, Iterable, List, Tuple

from .prompt_table import MINI_EOS, MINI_PAD, MINI_SPECIALS

# The chat special tokens, in id order, from the prompt table (src/core/prompts/formats.ts).
SPECIALS = MINI_SPECIALS

QWEN2_REGEX = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
L, N = r"[^\W\d_]", r"\d"  # \p{L} and \p{N} on the characters `_check_chars` admits
PRETOKEN_REGEX = re.compile(
    rf"(?i:'s|'t|'re|'ve|'m|'ll|'d)|(?:(?!{L}|{N})[^\r\n])?{L}+|{N}"
    rf"| ?(?:(?!{L}|{N})[^\s])+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
SPECIAL_RE = re.compile("(" + "|".join(re.escape(s) for s in SPECIALS) + ")")


def bytes_to_unicode() -> Dict[int, str]:
    """GPT-2's byte -> printable character table used by every byte-level BPE."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, n = {}, 0
    for b in range(256):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + n)
            n += 1
    return chars


BYTE_CHARS = bytes_to_unicode()
_BYTE_OF = {c: b for b, c in BYTE_CHARS.items()}


def _check_chars(text: str) -> None:
    """Refuses characters where the transcribed regex could split unlike Qwen2's: marks, and
    numbers that are not decimal digits (and the underscore, a letter to neither)."""
    if text.isascii():
        return
    for ch in set(text):
        cat = unicodedata.category(ch)
        if cat[0] in "MN" and not (cat == "Nd" and ch.isascii()) or (cat[0] == "L" and not ch.isalpha()):
            raise ValueError(f"the BPE trainer cannot split {ch!r} ({cat}) exactly as Qwen2's regex; "
                             "remove it from the corpus")


def pretokenize(text: str, split_specials: bool = True) -> List[str]:
    """Byte-level pieces of text; chat special tokens are left out unless `split_specials`
    is False (then they are ordinary text, as the tiny-qwen2 fixture was trained)."""
    text = unicodedata.normalize("NFC", text)
    _check_chars(text)
    pieces: List[str] = []
    for part in SPECIAL_RE.split(text) if split_specials else [text]:
        if part and part not in SPECIALS:
            pieces.extend("".join(BYTE_CHARS[b] for b in p.encode("utf-8")) for p in PRETOKEN_REGEX.findall(part))
    return pieces


def _non_ascii_bytes(token: str) -> int:
    """Bytes >= 0x80 in a byte-level token (a CJK character is three of them)."""
    return sum(1 for ch in token if _BYTE_OF[ch] >= 0x80)


def train_bpe(texts: Iterable[str], n_merges: int, min_count: int = 2,
              split_specials: bool = True, max_cjk_chars: int = 0) -> List[Tuple[str, str]]:
    """Classic BPE: repeatedly merge the most frequent adjacent pair (ties: smallest pair), until
    `n_merges` merges or no pair occurs `min_count` times.

    `max_cjk_chars` > 0 skips merges whose token would hold more non-ASCII bytes than that many
    three-byte (CJK) characters. Qwen2's pre-tokenizer keeps a run of Han characters together (no
    spaces split it), so on templated text BPE otherwise learns whole clauses as one token
    ("，我们一步一步来算"); dropping a word from such a clause then leaves a sequence the model
    has never seen, down to raw bytes. Real Qwen2.5 tokens hold one to a few characters."""
    cap = 3 * max_cjk_chars if max_cjk_chars > 0 else None
    counts: Dict[str, int] = {}
    for text in texts:
        for word in pretokenize(text, split_specials):
            counts[word] = counts.get(word, 0) + 1
    words = [(list(w), c) for w, c in sorted(counts.items())]
    merges: List[Tuple[str, str]] = []
    for _ in range(n_merges):
        pairs: Dict[Tuple[str, str], int] = {}
        for symbols, c in words:
            for a, b in zip(symbols, symbols[1:]):
                pairs[(a, b)] = pairs.get((a, b), 0) + c
        if not pairs:
            break
        if cap is not None:
            pairs = {k: v for k, v in pairs.items() if _non_ascii_bytes(k[0] + k[1]) <= cap}
            if not pairs:
                break
        best, count = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        if count < min_count:
            break
        merges.append(best)
        joined = best[0] + best[1]
        for symbols, _c in words:
            i = 0
            while i < len(symbols) - 1:
                if symbols[i] == best[0] and symbols[i + 1] == best[1]:
                    symbols[i:i + 2] = [joined]
                i += 1
    return merges


class Tokenizer:
    """Encodes exactly as tokenizers' BPE does for this vocabulary (lowest-rank merge first)."""

    def __init__(self, merges: List[Tuple[str, str]]):
        self.merges = merges
        self.ranks = {pair: i for i, pair in enumerate(merges)}
        self.vocab = {BYTE_CHARS[b]: b for b in range(256)}
        for a, b in merges:
            self.vocab.setdefault(a + b, len(self.vocab))
        for s in SPECIALS:
            self.vocab[s] = len(self.vocab)
        self.inverse = {i: t for t, i in self.vocab.items()}
        self.special_re = re.compile("(" + "|".join(re.escape(s) for s in SPECIALS) + ")")

    def _bpe(self, word: str) -> List[str]:
        symbols = list(word)
        while len(symbols) > 1:
            ranked = [(self.ranks.get(p, math.inf), i) for i, p in enumerate(zip(symbols, symbols[1:]))]
            rank, _ = min(ranked)
            if rank == math.inf:
                break
            a, b = self.merges[int(rank)]
            out, i = [], 0
            while i < len(symbols):
                if i < len(symbols) - 1 and symbols[i] == a and symbols[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            symbols = out
        return symbols

    def encode(self, text: str) -> List[int]:
        ids: List[int] = []
        for part in self.special_re.split(text):
            if part in SPECIALS:
                ids.append(self.vocab[part])
            elif part:
                for word in pretokenize(part):
                    ids.extend(self.vocab[s] for s in self._bpe(word))
        return ids

    def decode(self, ids: List[int]) -> str:
        byte_of = {c: b for b, c in BYTE_CHARS.items()}
        out, buf = [], bytearray()
        for i in ids:
            tok = self.inverse[i]
            if tok in SPECIALS:
                out.append(buf.decode("utf-8", "replace") + tok)
                buf = bytearray()
            else:
                buf.extend(byte_of[c] for c in tok)
        return "".join(out) + buf.decode("utf-8", "replace")



def vocab_of(merges: List[Tuple[str, str]]) -> Dict[str, int]:
    vocab = {BYTE_CHARS[b]: b for b in range(256)}
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    for s in SPECIALS:
        vocab[s] = len(vocab)
    return vocab


def tokenizer_json(merges: List[Tuple[str, str]]) -> dict:
    vocab = vocab_of(merges)
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": vocab[s], "content": s, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True}
            for s in SPECIALS
        ],
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": QWEN2_REGEX}, "behavior": "Isolated", "invert": False},
                byte_level,
            ],
        },
        "post_processor": byte_level,
        "decoder": byte_level,
        "model": {
            "type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
            "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
            "vocab": {t: i for t, i in vocab.items() if t not in SPECIALS},
            "merges": [f"{a} {b}" for a, b in merges],
        },
    }


def write_tokenizer(out: str, merges: List[Tuple[str, str]]) -> Dict[str, int]:
    """tokenizer.json + tokenizer_config.json in Qwen2's conventions; returns the special ids."""
    os.makedirs(out, exist_ok=True)
    vocab = vocab_of(merges)
    files = {
        "tokenizer.json": tokenizer_json(merges),
        "tokenizer_config.json": {"tokenizer_class": "Qwen2Tokenizer", "eos_token": MINI_EOS,
                                  "pad_token": MINI_PAD, "bos_token": None, "model_max_length": 512},
    }
    for name, obj in files.items():
        tmp = os.path.join(out, name + ".partial")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, indent=1)
        os.replace(tmp, os.path.join(out, name))
    return {s: vocab[s] for s in SPECIALS} | {"vocab_size": len(vocab)}
