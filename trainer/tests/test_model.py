import json
import os
import unittest

from . import helpers
import torch

from tokenskip_trainer.model import CausalLM, Config, init_random, load_model, save_model, rope_inv_freq


class ModelTest(unittest.TestCase):
    def test_kv_cache_matches_full_forward(self):
        d = helpers.tmpdir(self)
        model = load_model(helpers.tiny_model(d)).eval()
        ids = torch.randint(0, 256, (2, 9), generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            full, _ = model(ids)
            a, past = model(ids[:, :5])
            b, _ = model(ids[:, 5:], past=past)
        self.assertTrue(torch.allclose(torch.cat([a, b], 1), full, atol=1e-5))

    def test_right_padding_does_not_change_real_positions(self):
        d = helpers.tmpdir(self)
        model = load_model(helpers.tiny_model(d)).eval()
        ids = torch.tensor([[257, 10, 11, 12, 13]])
        padded = torch.tensor([[257, 10, 11, 12, 13, 0, 0]])
        mask = torch.tensor([[1, 1, 1, 1, 1, 0, 0]])
        with torch.no_grad():
            a, _ = model(ids)
            b, _ = model(padded, mask)
        self.assertTrue(torch.allclose(a, b[:, :5], atol=1e-5))

    def test_save_load_round_trip_and_tied_head(self):
        d = helpers.tmpdir(self)
        path = helpers.tiny_model(d)
        m = load_model(path)
        self.assertIs(m.lm_head.weight, m.model.embed_tokens.weight)
        save_model(m, os.path.join(d, "copy"))
        m2 = load_model(os.path.join(d, "copy"))
        for (k, v), (k2, v2) in zip(m.state_dict().items(), m2.state_dict().items()):
            self.assertEqual(k, k2)
            self.assertTrue(torch.equal(v, v2), k)

    def test_bad_checkpoints_are_reported(self):
        d = helpers.tmpdir(self)
        path = helpers.tiny_model(d)
        with open(os.path.join(path, "config.json")) as f:
            cfg = json.load(f)
        cfg["hidden_size"] = 32
        with open(os.path.join(path, "config.json"), "w") as f:
            json.dump(cfg, f)
        with self.assertRaisesRegex(ValueError, "shape"):
            load_model(path)
        os.remove(os.path.join(path, "model.safetensors"))
        with self.assertRaisesRegex(ValueError, "no model.safetensors"):
            load_model(path)
        os.remove(os.path.join(path, "config.json"))
        with self.assertRaisesRegex(ValueError, "config.json is missing"):
            load_model(path)

    def test_llama3_rope_scaling_and_no_bias(self):
        cfg = Config(model_type="llama", vocab_size=64, hidden_size=64, intermediate_size=32, num_hidden_layers=1,
                     num_attention_heads=4, num_key_value_heads=1, rope_theta=500000.0, tie_word_embeddings=False,
                     rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                   "original_max_position_embeddings": 8192})
        self.assertFalse(cfg.attention_bias)
        inv = rope_inv_freq(cfg)
        plain = 1.0 / (500000.0 ** (torch.arange(0, 16, 2).float() / 16))
        # Highest frequency untouched, lowest slowed by the factor (wavelength above 8192).
        self.assertAlmostEqual(inv[0].item(), plain[0].item(), places=6)
        self.assertAlmostEqual(inv[-1].item(), plain[-1].item() / 8.0, places=9)
        m = init_random(CausalLM(cfg))
        self.assertIsNone(m.model.layers[0].self_attn.q_proj.bias)
        logits, _ = m(torch.tensor([[1, 2, 3]]))
        self.assertEqual(tuple(logits.shape), (1, 3, 64))


if __name__ == "__main__":
    unittest.main()
