import json
import os
import unittest

from . import helpers
import torch

from tokenskip_trainer.lora import LoRAConfig, LoRALinear, apply_lora, merge_lora, save_adapter, PREFIX
from tokenskip_trainer.merge import merge
from tokenskip_trainer.model import load_model
from tokenskip_trainer.safetensors_io import save_file


def randomize_b(model, seed=3):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, LoRALinear):
                m.lora_B.weight.copy_(torch.randn(m.lora_B.weight.shape, generator=g) * 0.1)


class LoRATest(unittest.TestCase):
    def test_starts_at_base_and_targets_all_linear(self):
        d = helpers.tmpdir(self)
        model = load_model(helpers.tiny_model(d)).eval()
        ids = torch.tensor([[257, 5, 6, 7]])
        base, _ = model(ids)
        wrapped = apply_lora(model, LoRAConfig())
        self.assertEqual(len(wrapped), 2 * 7)
        after, _ = model(ids)
        self.assertTrue(torch.equal(base, after))
        trainable = [n for n, p in model.named_parameters() if p.requires_grad]
        self.assertTrue(trainable and all("lora_" in n for n in trainable))

    def test_merged_weights_and_logits_equal_base_plus_ba(self):
        d = helpers.tmpdir(self)
        model = load_model(helpers.tiny_model(d)).eval()
        w0 = model.model.layers[1].mlp.down_proj.weight.detach().clone()
        cfg = LoRAConfig(r=8, lora_alpha=16)
        apply_lora(model, cfg)
        randomize_b(model)
        layer = model.model.layers[1].mlp.down_proj
        expected_w = w0 + (16 / 8) * layer.lora_B.weight @ layer.lora_A.weight
        ids = torch.tensor([[257, 40, 41, 42, 43, 44]])
        with torch.no_grad():
            lora_logits, _ = model(ids)
            merge_lora(model)
            merged_logits, _ = model(ids)
        self.assertFalse(any(isinstance(m, LoRALinear) for m in model.modules()))
        self.assertTrue(torch.allclose(model.model.layers[1].mlp.down_proj.weight, expected_w, atol=1e-6))
        self.assertTrue(torch.allclose(lora_logits, merged_logits, atol=1e-5))
        self.assertGreater((lora_logits - load_model(os.path.join(d, "base"))(ids)[0]).abs().max().item(), 1e-4)

    def test_merge_script_on_our_adapter(self):
        d = helpers.tmpdir(self)
        base = helpers.tiny_model(d)
        model = load_model(base).eval()
        cfg = LoRAConfig()
        apply_lora(model, cfg)
        randomize_b(model)
        save_adapter(model, cfg, os.path.join(d, "adapter"), base)
        info = merge(base, os.path.join(d, "adapter"), os.path.join(d, "merged"))
        self.assertEqual(info["merged_modules"], 14)
        for f in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json"):
            self.assertTrue(os.path.exists(os.path.join(d, "merged", f)), f)
        ids = torch.tensor([[257, 9, 8, 7, 6]])
        with torch.no_grad():
            want, _ = model(ids)
            got, _ = load_model(os.path.join(d, "merged"))(ids)
        self.assertTrue(torch.allclose(want, got, atol=1e-5))

    def test_peft_layout_adapter(self):
        """An adapter as PEFT writes it (subset of modules, rsLoRA off, alpha 32, r 4)."""
        d = helpers.tmpdir(self)
        base = helpers.tiny_model(d)
        g = torch.Generator().manual_seed(7)
        ad = os.path.join(d, "peft")
        os.makedirs(ad)
        tensors = {}
        for i in range(2):
            for mod, (o, n) in {"self_attn.q_proj": (16, 16), "self_attn.v_proj": (8, 16)}.items():
                key = f"{PREFIX}model.layers.{i}.{mod}"
                tensors[f"{key}.lora_A.weight"] = torch.randn(4, n, generator=g)
                tensors[f"{key}.lora_B.weight"] = torch.randn(o, 4, generator=g)
        save_file(tensors, os.path.join(ad, "adapter_model.safetensors"), {"format": "pt"})
        with open(os.path.join(ad, "adapter_config.json"), "w") as f:
            json.dump({"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": 4, "lora_alpha": 32, "lora_dropout": 0.05,
                       "target_modules": ["q_proj", "v_proj"], "bias": "none", "fan_in_fan_out": False,
                       "base_model_name_or_path": "Qwen/Qwen2.5-7B-Instruct"}, f)
        merge(base, ad, os.path.join(d, "merged"))
        b = load_model(base)
        m = load_model(os.path.join(d, "merged"))
        key = f"{PREFIX}model.layers.1.self_attn.v_proj"
        want = b.model.layers[1].self_attn.v_proj.weight + 8.0 * tensors[key + ".lora_B.weight"] @ tensors[key + ".lora_A.weight"]
        self.assertTrue(torch.allclose(m.model.layers[1].self_attn.v_proj.weight, want, atol=1e-5))
        self.assertTrue(torch.equal(m.model.layers[1].mlp.up_proj.weight, b.model.layers[1].mlp.up_proj.weight))
        # A mismatched adapter (wrong base size) fails before anything is written.
        tensors[key + ".lora_B.weight"] = torch.randn(32, 4)
        save_file(tensors, os.path.join(ad, "adapter_model.safetensors"))
        with self.assertRaisesRegex(ValueError, "wrong base model"):
            merge(base, ad, os.path.join(d, "merged2"))
        self.assertFalse(os.path.exists(os.path.join(d, "merged2")))
        self.assertFalse(os.path.exists(os.path.join(d, "merged2.partial")))


if __name__ == "__main__":
    unittest.main()
