"""The mini scorer trainer (tokenskip_trainer.scorer): vocabulary, training, ONNX export, bad labels."""
import contextlib
import io
import json
import os
import unittest

from . import helpers  # noqa: F401  (threads)
import onnx

from tokenskip_trainer import scorer

PROBLEMS = [
    {"question": "Tom has 5 apples. He buys 3 more. How many apples does Tom have now?",
     "cot": "First, let's see. Tom starts with 5 apples. Then he buys 3 more, so he has 5 + 3 = 8 apples.", "answer": "8"},
    {"question": "Mia has 4 pears. She eats 2. How many pears does Mia have now?",
     "cot": "Okay, let's think. Mia has 4 pears. Now she eats 2 of them, so she has 4 - 2 = 2 pears.", "answer": "2"},
]


def run(argv):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
        code = scorer.main(argv)
    return code, [json.loads(line) for line in buf.getvalue().splitlines() if line.startswith("{")]


class ScorerTest(unittest.TestCase):
    def setUp(self):
        self.d = helpers.tmpdir(self)
        self.data = os.path.join(self.d, "data.jsonl")
        with open(self.data, "w") as f:
            f.write("".join(json.dumps(p) + "\n" for p in PROBLEMS))
        self.out = os.path.join(self.d, "scorer")
        code, events = run(["vocab", "--data", self.data, "--out", self.out])
        self.assertEqual(code, 0)
        self.vocab = events[-1]

    def records(self, name, label_of):
        path = os.path.join(self.d, name)
        with open(path, "w") as f:
            for i in range(40):
                ids = [101] + [110 + (i + j) % 30 for j in range(12)] + [102]
                labels = [-100] + [label_of(t) for t in ids[1:-1]] + [-100]
                f.write(json.dumps({"id": str(i), "input_ids": ids, "labels": labels}) + "\n")
        return path

    def test_vocab_has_mbert_specials_and_placeholder_room(self):
        with open(os.path.join(self.out, "tokenizer.json")) as f:
            vocab = json.load(f)["model"]["vocab"]
        self.assertEqual([vocab[t] for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")], [0, 100, 101, 102, 103])
        self.assertIn("apples", vocab)
        self.assertEqual(self.vocab["vocab_size"], self.vocab["base_vocab"] + 100)

    def test_learns_a_labelling_and_exports_the_llmlingua2_interface(self):
        path = self.records("r.jsonl", lambda t: t % 2)
        code, events = run(["train", "--records", path, "--val-records", path, "--out", self.out, "--hidden", "32",
                            "--layers", "1", "--heads", "2", "--epochs", "30", "--lr", "3e-3"])
        self.assertEqual(code, 0, events[-1])
        self.assertGreater(events[-1]["val_token_accuracy"], 0.95)
        graph = onnx.load(os.path.join(self.out, "onnx", "model.onnx"))
        self.assertEqual([i.name for i in graph.graph.input], ["input_ids", "attention_mask", "token_type_ids"])
        self.assertEqual([o.name for o in graph.graph.output], ["logits"])
        with open(os.path.join(self.out, "config.json")) as f:
            cfg = json.load(f)
        self.assertEqual((cfg["model_type"], cfg["vocab_size"]), ("bert", self.vocab["vocab_size"]))

    def test_labels_of_one_class_are_refused(self):
        path = self.records("ones.jsonl", lambda t: 1)
        code, events = run(["train", "--records", path, "--out", self.out])
        self.assertEqual(code, 2)
        self.assertIn("every labelled token is kept", events[-1]["message"])
        self.assertFalse(os.path.exists(os.path.join(self.out, "onnx")))


if __name__ == "__main__":
    unittest.main()
