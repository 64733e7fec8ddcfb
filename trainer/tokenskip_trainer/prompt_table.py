"""The TokenSkip prompt table, read from prompt_table.json (generated from src/core/prompts/formats.ts
by `npm run gen:prompts`; tests/prompts/prompt-table.test.ts checks the two agree). The mini
tokenizer's special tokens, eos, pad and corpus text come from here, so Python and TypeScript share
one chat template.

    from .prompt_table import MINI_SPECIALS, chat_text
"""
from __future__ import annotations

import json
import os
import re

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "prompt_table.json"), encoding="utf-8") as _f:
    TABLE = json.load(_f)

MINI = TABLE["mini"]
MINI_FORMAT = TABLE["formats"][MINI["family"]]
# The mini tokenizer's special tokens, in id order (after the byte tokens and the merges).
MINI_SPECIALS = list(MINI["specialTokens"])
MINI_EOS = MINI["eos"]
MINI_PAD = MINI["pad"]
# Qwen2.5-Instruct's chat special tokens (tiny.py's random Qwen2 checkpoints).
QWEN_SPECIALS = list(TABLE["formats"]["qwen2.5-instruct"]["specialTokens"])
INSTRUCTION = TABLE["record"]["instruction"]
# Training γ below 1 as the prompts print them: "0.9" ... "0.5".
GAMMAS = list(TABLE["gammas"])


def fill(template: str, **values: str) -> str:
    """`{name}` -> values[name] in one pass (build-prompt.ts fillTemplate)."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def chat_text(question: str, cot: str, answer: str, gamma: str) -> str:
    """The mini model's TokenSkip training text: the Qwen2.5-Instruct prompt for `question` at
    `gamma` ("1" for none), then the record's output and the eos token."""
    f = MINI_FORMAT
    marker = "" if gamma == "1" else fill(f["gammaMarker"], gamma=gamma)
    output = fill(TABLE["record"]["output"], cot=cot, answer=answer)
    return f["head"] + question + f["afterQuestion"] + marker + f["tail"] + output + MINI_EOS
