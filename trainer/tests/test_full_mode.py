"""`--mode full`: every weight trained (how the mini models are pretrained from a random init)."""
import json
import os
import unittest

from . import helpers
import torch

from tokenskip_trainer import finetune
from tokenskip_trainer.model import load_model
from .test_finetune import run_quiet


class FullModeTest(unittest.TestCase):
    def setUp(self):
        self.d = helpers.tmpdir(self)
        self.base = helpers.tiny_model(self.d, std=0.02, hidden=32, intermediate=64)
        self.train = helpers.write_records(os.path.join(self.d, "train.jsonl"), 16, seed=0)

    def args(self, out, *extra):
        return ["--mode", "full", "--base", self.base, "--train", self.train, "--out", os.path.join(self.d, out),
                "--batch", "4", "--micro-batch", "4", "--epochs", "3", "--save-every", "2", "--lr", "1e-2", *extra]

    def test_loss_falls_and_a_whole_model_is_written(self):
        code, events = run_quiet(self.args("run"))
        self.assertEqual(code, 0, events[-1])
        start = events[0]
        total = sum(p.numel() for p in load_model(self.base).parameters())
        self.assertEqual(start["trainable_params"], total)  # every weight, not adapters
        steps = [e["loss"] for e in events if e["event"] == "step"]
        self.assertEqual(len(steps), 12)
        self.assertLess(sum(steps[-2:]) / 2, 0.8 * sum(steps[:2]) / 2, steps)
        model_dir = os.path.join(self.d, "run", "model")
        self.assertEqual(events[-1]["model"], model_dir)
        self.assertIsNone(events[-1]["adapter"])
        for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json"):
            self.assertTrue(os.path.exists(os.path.join(model_dir, name)), name)
        trained, base = load_model(model_dir), load_model(self.base)
        moved = [n for (n, a), (_, b) in zip(trained.named_parameters(), base.named_parameters()) if not torch.equal(a, b)]
        self.assertEqual(len(moved), len(list(base.parameters())))  # every tensor changed
        self.assertFalse(os.path.exists(os.path.join(self.d, "run", "adapter")))

    def test_resume_is_bit_identical(self):
        code, _ = run_quiet(self.args("straight"))
        self.assertEqual(code, 0)
        code, events = run_quiet(self.args("resumed", "--halt-after", "5"))
        self.assertEqual(code, 130)
        self.assertEqual(events[-1]["event"], "interrupted")
        code, events = run_quiet(self.args("resumed"))
        self.assertEqual(code, 0)
        self.assertTrue(events[0]["resumed_from"].endswith("step-000005"))
        a = load_model(os.path.join(self.d, "straight", "model")).state_dict()
        b = load_model(os.path.join(self.d, "resumed", "model")).state_dict()
        for k in a:
            self.assertTrue(torch.equal(a[k], b[k]), k)

    def test_a_lora_checkpoint_is_not_resumed_as_full(self):
        code, _ = run_quiet(["--base", self.base, "--train", self.train, "--out", os.path.join(self.d, "x"),
                             "--batch", "4", "--micro-batch", "4", "--epochs", "3", "--save-every", "2", "--halt-after", "2"])
        self.assertEqual(code, 130)
        code, events = run_quiet(self.args("x"))
        self.assertEqual(code, 2)
        self.assertIn("--mode lora", events[-1]["message"])


if __name__ == "__main__":
    unittest.main()
