"""Writes models/fixtures/no-logits-lm/: a broken "causal LM" for the scorers' bad-input tests.

Its ONNX graph takes input_ids and attention_mask like a causal LM but returns only
`hidden_states` (no `logits`), so loading it as a CTS / perplexity reference model must fail with a
clear MODEL_OUTPUT_INVALID error. The tests pair it with a real tokenizer in a temporary folder.

Deterministic. Usage: /usr/bin/python3 scripts/make_bad_causal_fixture.py
"""

import json
import os

import onnx
from onnx import TensorProto, helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "models", "fixtures", "no-logits-lm")


def main():
    os.makedirs(os.path.join(OUT, "onnx"), exist_ok=True)
    seq = ["batch_size", "sequence_length"]
    graph = helper.make_graph(
        [
            helper.make_node("Cast", ["input_ids"], ["ids_f"], to=TensorProto.FLOAT),
            helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["ids_f", "mask_f"], ["hidden_states"]),
        ],
        "no_logits_lm",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, seq),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, seq),
        ],
        [helper.make_tensor_value_info("hidden_states", TensorProto.FLOAT, seq)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], producer_name="tokenskip-studio")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, "onnx", "model.onnx"))
    config = {
        "_name_or_path": "tokenskip-studio/no-logits-lm",
        "model_type": "qwen2",
        "hidden_size": 8,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "num_key_value_heads": 1,
        "max_position_embeddings": 4096,
        "bos_token_id": 0,
        "eos_token_id": 0,
        "tokenskip_fixture": "Broken on purpose: no logits output. For bad-input tests only.",
    }
    with open(os.path.join(OUT, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
