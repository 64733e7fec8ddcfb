import os
import unittest

import torch

from . import helpers
from tokenskip_trainer.export_onnx import export
from tokenskip_trainer.from_onnx import convert
from tokenskip_trainer.model import load_model
from tokenskip_trainer.safetensors_io import load_file


class FromOnnxTest(unittest.TestCase):
    """The shipped mini base exists only as ONNX: its checkpoint must come back exactly."""

    def round_trip(self, **kw):
        d = helpers.tmpdir(self)
        base = helpers.tiny_model(d, **kw)
        export(base, os.path.join(d, "web"))
        convert(os.path.join(d, "web"), os.path.join(d, "back"))
        a = load_file(os.path.join(base, "model.safetensors"))
        b = load_file(os.path.join(d, "back", "model.safetensors"))
        self.assertEqual(sorted(a), sorted(b))
        for k in a:
            self.assertTrue(torch.equal(a[k], b[k]), k)
        # And it is a checkpoint the trainer loads, with the tokenizer beside it.
        load_model(os.path.join(d, "back"))
        self.assertTrue(os.path.exists(os.path.join(d, "back", "tokenizer.json")))
        # Re-exporting gives the same ONNX file, byte for byte.
        export(os.path.join(d, "back"), os.path.join(d, "web2"))
        with open(os.path.join(d, "web", "onnx", "model.onnx"), "rb") as f1, \
                open(os.path.join(d, "web2", "onnx", "model.onnx"), "rb") as f2:
            self.assertEqual(f1.read(), f2.read())

    def test_weights_come_back_exactly(self):
        self.round_trip()

    def test_refuses_a_folder_without_onnx(self):
        d = helpers.tmpdir(self)
        with self.assertRaisesRegex(ValueError, "onnx/model.onnx is missing"):
            convert(helpers.tiny_model(d), os.path.join(d, "out"))


if __name__ == "__main__":
    unittest.main()
