import os
import struct
import unittest

from . import helpers  # noqa: F401
import torch

from tokenskip_trainer.safetensors_io import load_file, save_file, metadata, read_header, save_sharded, model_files, iter_tensors


class SafetensorsTest(unittest.TestCase):
    def test_round_trip_all_dtypes(self):
        d = helpers.tmpdir(self)
        g = torch.Generator().manual_seed(0)
        tensors = {
            "f32": torch.randn(3, 5, generator=g),
            "f16": torch.randn(4, generator=g).half(),
            "bf16": torch.randn(2, 3, generator=g).bfloat16(),
            "i64": torch.arange(7),
            "u8": torch.arange(9, dtype=torch.uint8).reshape(3, 3),
            "empty": torch.zeros(0, 4),
            "scalar": torch.tensor(3.5),
        }
        p = os.path.join(d, "x.safetensors")
        save_file(tensors, p, {"format": "pt"})
        back = load_file(p)
        self.assertEqual(set(back), set(tensors))
        for k, v in tensors.items():
            self.assertEqual(back[k].dtype, v.dtype, k)
            self.assertEqual(tuple(back[k].shape), tuple(v.shape), k)
            self.assertTrue(torch.equal(back[k], v), k)
        self.assertEqual(metadata(p), {"format": "pt"})
        # Header layout: 8-byte length, JSON padded to a multiple of 8.
        with open(p, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
        self.assertEqual(n % 8, 0)
        self.assertFalse(os.path.exists(p + ".partial"))

    def test_rejects_truncated_and_garbage(self):
        d = helpers.tmpdir(self)
        p = os.path.join(d, "x.safetensors")
        save_file({"w": torch.randn(64, 64)}, p)
        with open(p, "rb") as f:
            raw = f.read()
        with open(p, "wb") as f:
            f.write(raw[: len(raw) // 2])
        with self.assertRaisesRegex(ValueError, "outside the file"):
            read_header(p)
        with open(p, "wb") as f:
            f.write(b"\xff" * 16)
        with self.assertRaisesRegex(ValueError, "not a safetensors file"):
            read_header(p)

    def test_sharded_checkpoint(self):
        d = helpers.tmpdir(self)
        items = [(f"t{i}", torch.full((256,), float(i))) for i in range(5)]
        names = save_sharded(iter(items), d, max_shard_bytes=2048)
        self.assertEqual(len(names), 3)
        files = model_files(d)
        got = {k: v for f in files for k, v in iter_tensors(f)}
        self.assertEqual(sorted(got), [f"t{i}" for i in range(5)])
        self.assertTrue(torch.equal(got["t3"], torch.full((256,), 3.0)))
        os.remove(os.path.join(d, names[1]))
        with self.assertRaisesRegex(ValueError, "missing"):
            model_files(d)


if __name__ == "__main__":
    unittest.main()
