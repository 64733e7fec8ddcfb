"""Our model's logits against transformers' on random tiny configs (only where transformers is installed)."""
import os
import unittest

from . import helpers
import torch

from tokenskip_trainer.model import load_model

try:
    import transformers  # noqa: F401

    HAVE_TRANSFORMERS = True
except ImportError:
    HAVE_TRANSFORMERS = False

SKIP = "transformers is not installed for this interpreter (parity test runs on the GPU machine: pip install transformers)"


@unittest.skipUnless(HAVE_TRANSFORMERS, SKIP)
class ParityTest(unittest.TestCase):
    def check(self, hf_model):
        d = helpers.tmpdir(self)
        hf_model.eval()
        # Larger weights than HF's init (std 0.02) so attention is peaked and RoPE/mask errors show.
        g = torch.Generator().manual_seed(2)
        with torch.no_grad():
            for n, p in hf_model.named_parameters():
                if "norm" not in n:
                    p.copy_(torch.randn(p.shape, generator=g) * 0.15)
        hf_model.save_pretrained(d, safe_serialization=True)
        ours = load_model(d).eval()
        ids = torch.randint(0, hf_model.config.vocab_size, (2, 11), generator=torch.Generator().manual_seed(0))
        mask = torch.ones_like(ids)
        mask[1, 8:] = 0  # right padding in the second row
        with torch.no_grad():
            want = hf_model(input_ids=ids, attention_mask=mask).logits
            got, _ = ours(ids, mask)
        self.assertTrue(torch.allclose(got[0], want[0], atol=1e-4), (got[0] - want[0]).abs().max())
        self.assertTrue(torch.allclose(got[1, :8], want[1, :8], atol=1e-4), (got[1, :8] - want[1, :8]).abs().max())
        # Cached decoding matches transformers' cached decoding too.
        with torch.no_grad():
            out = hf_model(input_ids=ids[:1, :6], use_cache=True)
            nxt = hf_model(input_ids=ids[:1, 6:], past_key_values=out.past_key_values, use_cache=True).logits
            a, past = ours(ids[:1, :6])
            b, _ = ours(ids[:1, 6:], past=past)
        self.assertTrue(torch.allclose(b, nxt, atol=1e-4))

    def test_qwen2(self):
        from transformers import Qwen2Config, Qwen2ForCausalLM

        torch.manual_seed(0)
        cfg = Qwen2Config(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                          num_key_value_heads=2, max_position_embeddings=256, tie_word_embeddings=True, rope_theta=10000.0)
        self.check(Qwen2ForCausalLM(cfg))

    def test_llama3(self):
        from transformers import LlamaConfig, LlamaForCausalLM

        torch.manual_seed(1)
        cfg = LlamaConfig(vocab_size=128, hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
                          num_key_value_heads=1, max_position_embeddings=256, tie_word_embeddings=False, rope_theta=500000.0,
                          rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                        "original_max_position_embeddings": 64})
        self.check(LlamaForCausalLM(cfg))


if __name__ == "__main__":
    unittest.main()
