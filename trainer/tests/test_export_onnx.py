import os
import unittest

from . import helpers
import onnx

from tokenskip_trainer.export_onnx import export


class ExportOnnxTest(unittest.TestCase):
    def test_layout_names_and_external_data(self):
        d = helpers.tmpdir(self)
        base = helpers.tiny_model(d)
        info = export(base, os.path.join(d, "web"))
        self.assertFalse(info["external_data"])
        self.assertEqual(sorted(os.listdir(os.path.join(d, "web", "onnx"))), ["model.onnx"])
        for f in ("config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json"):
            self.assertTrue(os.path.exists(os.path.join(d, "web", f)), f)
        m = onnx.load(os.path.join(d, "web", "onnx", "model.onnx"))
        names = [i.name for i in m.graph.input]
        self.assertEqual(names[:3], ["input_ids", "attention_mask", "position_ids"])
        self.assertEqual(names[3:], ["past_key_values.0.key", "past_key_values.0.value",
                                     "past_key_values.1.key", "past_key_values.1.value"])
        self.assertEqual([o.name for o in m.graph.output],
                         ["logits", "present.0.key", "present.0.value", "present.1.key", "present.1.value"])
        past = m.graph.input[3].type.tensor_type.shape.dim
        self.assertEqual([x.dim_param or x.dim_value for x in past], ["batch_size", 2, "past_sequence_length", 4])

        info = export(base, os.path.join(d, "web-ext"), external_data=True)
        self.assertTrue(info["external_data"])
        onnx_dir = os.path.join(d, "web-ext", "onnx")
        self.assertEqual(sorted(os.listdir(onnx_dir)), ["model.onnx", "model.onnx_data"])
        onnx.checker.check_model(os.path.join(onnx_dir, "model.onnx"))
        header = onnx.load(os.path.join(onnx_dir, "model.onnx"), load_external_data=False)
        external = [t.name for t in header.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
        self.assertIn("model.model.embed_tokens.weight", external)


if __name__ == "__main__":
    unittest.main()
