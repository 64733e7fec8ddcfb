"""Generates the tiny LLMLingua-2-style token-classification fixtures the tests and the offline demo use.

Real scorers (microsoft/llmlingua-2-*) cannot be downloaded here, so this script builds two tiny
models with the same file layout and input/output names as their transformers.js ONNX exports:

  models/fixtures/tiny-lingua-xlmr/   XLM-R style: Unigram tokenizer, Metaspace `▁`, <s> </s> <pad> <unk>
  models/fixtures/tiny-lingua-mbert/  mBERT style: WordPiece tokenizer, `##` continuations, [CLS] [SEP]

Each holds config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json and
onnx/model.onnx (inputs input_ids, attention_mask [, token_type_ids] -> logits [B, T, 2]). The vocab
is learnt from the shipped GSM8K/MATH text plus 100 `[NEWi]` placeholder rows, as in the real models.

The encoder is a small random transformer, but its keep-logit also carries a per-token prior (digits
and operators high, stop words low), so the offline demo compresses CoTs in a plausible way. It is
NOT LLMLingua-2: it only has LLMLingua-2's shape.

Deterministic: same inputs, same bytes. Usage (Debian's python3 has torch and onnx; the trainer
package on the path, or `pip install -e trainer`):
  PYTHONPATH=trainer /usr/bin/python3 scripts/make_scorer_fixtures.py       # the committed fixtures
  PYTHONPATH=trainer /usr/bin/python3 scripts/make_scorer_fixtures.py --size base --out DIR   # benches
"""

import argparse
import collections
import json
import math
import os
import re
import unicodedata

import sys

import torch

try:
    from tokenskip_trainer.token_classifier import TokenClassifier, added_token, mbert_tokenizer, wordpiece_split
except ImportError as e:
    sys.exit(f"make_scorer_fixtures: {e}; run it with PYTHONPATH=trainer (npm run fixtures) or pip install -e trainer")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N_PLACEHOLDERS = 100
STOP_WORDS = set(
    "the a an of to is are was were be so then and or for that this it its in on at by with as from "
    "he she they we you i his her their our has have had will would can could there here which who "
    "what how also just now each per into out up".split()
)


def read_corpus(limit=2500):
    texts = []
    with open(os.path.join(ROOT, "data/gsm8k/train.jsonl"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= limit:
                break
            row = json.loads(line)
            texts.append(row["question"])
            texts.append(re.sub(r"<<[^>]*>>", "", row["cot"]))
    with open(os.path.join(ROOT, "data/math-500/test.jsonl"), encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            texts.append(row["problem"])
            texts.append(row["solution"])
    return [unicodedata.normalize("NFKC", t) for t in texts]


def keep_prior(word):
    """Keep-logit prior of a word: high for numbers and math, low for stop words."""
    bare = word.lstrip("▁#").lower()
    if not bare:
        return -1.0
    if any(ch.isdigit() for ch in bare):
        return 3.0
    if all(ch in "+-*/=$%^()[]{}<>\\" for ch in bare):
        return 2.0
    if bare in STOP_WORDS:
        return -2.5
    if all(unicodedata.category(ch).startswith("P") for ch in bare):
        return -1.0
    return 0.5 + min(len(bare), 10) * 0.1


# ---------------------------------------------------------------------------------------------
# Tokenizers (tokenizer.json in the Hugging Face tokenizers format)


def xlmr_tokenizer(texts, n_words):
    words = collections.Counter()
    chars = collections.Counter()
    for t in texts:
        for w in t.split():
            # "day." -> "▁day" + ".", "$18" -> "▁$" + "18": pieces as SentencePiece tends to learn them.
            for i, piece in enumerate(wordpiece_split(w)):
                words[("▁" if i == 0 else "") + piece] += 1
            chars.update(w)
    total = sum(words.values())
    vocab = [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0], ["▁", -6.0]]
    seen = {p for p, _ in vocab}
    for ch, _ in sorted(chars.items(), key=lambda kv: (-kv[1], kv[0])):
        for piece in (ch, "▁" + ch):
            if piece not in seen:
                vocab.append([piece, -12.0 if piece == ch else -11.0])
                seen.add(piece)
    for w, c in sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:n_words]:
        if w not in seen:
            vocab.append([w, round(math.log(c / total), 6)])
            seen.add(w)
    vocab.append(["<mask>", 0.0])
    mask_id = len(vocab) - 1
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            added_token(0, "<s>"),
            added_token(1, "<pad>"),
            added_token(2, "</s>"),
            added_token(3, "<unk>"),
            added_token(mask_id, "<mask>", lstrip=True),
        ],
        "normalizer": {
            "type": "Sequence",
            "normalizers": [
                # The real charsmap is a binary blob; tokenizers.js applies NFKC + whitespace rules here.
                {"type": "Precompiled", "precompiled_charsmap": None},
                {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
            ],
        },
        "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
        "post_processor": {
            "type": "RobertaProcessing",
            "sep": ["</s>", 2],
            "cls": ["<s>", 0],
            "trim_offsets": True,
            "add_prefix_space": True,
        },
        "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": False},
    }
    specials = {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "sep_token": "</s>",
        "pad_token": "<pad>",
        "cls_token": "<s>",
        "mask_token": "<mask>",
    }
    pieces = [p for p, _ in vocab]
    return tok, specials, pieces


# ---------------------------------------------------------------------------------------------
# Model


class TinyTokenClassifier(TokenClassifier):
    """The trainer's classifier with a per-token keep prior added to its logits (the offline demo's
    plausible compression); same parameters, same ONNX inputs and outputs."""

    def __init__(self, vocab_size, d, n_layer, n_head, prior, with_token_types):
        super().__init__(vocab_size, d, n_layer, n_head, token_types=with_token_types)
        self.register_buffer("prior", prior.view(-1, 1))  # (V, 1) keep-logit prior per token id

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        logits = super().forward(input_ids, attention_mask, token_type_ids) * 0.5  # (B, T, 2)
        p = torch.nn.functional.embedding(input_ids, self.prior)  # (B, T, 1)
        return logits + torch.cat([-p, p], dim=-1)


SIZES = {
    # name: (words in vocab, hidden, layers, heads)
    "tiny": (1500, 32, 2, 2),
    "base": (1500, 768, 12, 12),
}


def build(kind, size, out_dir, texts):
    n_words, d, n_layer, n_head = SIZES[size]
    torch.manual_seed(1234 if kind == "xlmr" else 4321)
    if kind == "xlmr":
        tok, specials, pieces = xlmr_tokenizer(texts, n_words)
        model_type, arch, klass = "xlm-roberta", "XLMRobertaForTokenClassification", "XLMRobertaTokenizer"
    else:
        tok, specials, pieces = mbert_tokenizer(texts, n_words)
        model_type, arch, klass = "bert", "BertForTokenClassification", "BertTokenizer"
    base_vocab = len(pieces)
    vocab_size = base_vocab + N_PLACEHOLDERS
    special_set = set(specials.values())
    prior = torch.tensor(
        [0.0 if p in special_set or p.startswith("[unused") else keep_prior(p) for p in pieces]
        + [0.0] * N_PLACEHOLDERS
    )
    model = TinyTokenClassifier(vocab_size, d, n_layer, n_head, prior, with_token_types=kind == "mbert").eval()

    os.makedirs(os.path.join(out_dir, "onnx"), exist_ok=True)
    config = {
        "_name_or_path": f"tokenskip-studio/tiny-lingua-{kind}",
        "architectures": [arch],
        "model_type": model_type,
        "vocab_size": vocab_size,
        "hidden_size": d,
        "num_hidden_layers": n_layer,
        "num_attention_heads": n_head,
        "max_position_embeddings": 512,
        "id2label": {"0": "LABEL_0", "1": "LABEL_1"},
        "label2id": {"LABEL_0": 0, "LABEL_1": 1},
        "tokenskip_fixture": "Tiny random token classifier with a keep prior; NOT LLMLingua-2.",
    }
    tok_config = {"model_max_length": 512, "tokenizer_class": klass, "clean_up_tokenization_spaces": True, **specials}
    for name, obj in (
        ("config.json", config),
        ("tokenizer.json", tok),
        ("tokenizer_config.json", tok_config),
        ("special_tokens_map.json", specials),
    ):
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, indent=None if name == "tokenizer.json" else 2)
            f.write("\n")

    ids = torch.randint(0, base_vocab, (2, 16))
    mask = torch.ones_like(ids)
    args, names, axes = (ids, mask), ["input_ids", "attention_mask"], {}
    if kind == "mbert":
        args, names = (ids, mask, torch.zeros_like(ids)), names + ["token_type_ids"]
    for n in names + ["logits"]:
        axes[n] = {0: "batch_size", 1: "sequence_length"}
    torch.onnx.export(
        model,
        args,
        os.path.join(out_dir, "onnx", "model.onnx"),
        input_names=names,
        output_names=["logits"],
        dynamic_axes=axes,
        opset_version=14,
        do_constant_folding=True,
    )
    print(f"wrote {out_dir}: vocab {vocab_size} ({base_vocab} + {N_PLACEHOLDERS} placeholders), d={d}, layers={n_layer}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--out", default=os.path.join(ROOT, "models", "fixtures"), help="parent folder")
    parser.add_argument("--kinds", default="xlmr,mbert")
    args = parser.parse_args()
    torch.set_num_threads(2)
    texts = read_corpus()
    for kind in args.kinds.split(","):
        suffix = "" if args.size == "tiny" else f"-{args.size}"
        build(kind, args.size, os.path.join(args.out, f"tiny-lingua-{kind}{suffix}"), texts)


if __name__ == "__main__":
    main()
