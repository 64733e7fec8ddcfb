"""The mini tokenizer's chat text and special tokens come from prompt_table.json (generated from
src/core/prompts/formats.ts); its corpus text stays byte-identical to what trained models/mini."""
import unittest

from tokenskip_trainer import bpe, mini_tokenizer, prompt_table

HEAD = ("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
        "Please reason step by step, and put your final answer within \\boxed{}.\n")


class PromptTableTest(unittest.TestCase):
    def test_chat_text_is_todays_qwen_text(self):
        # The literal strings mini_tokenizer.py wrote before the table (models/mini was trained on them).
        self.assertEqual(
            mini_tokenizer.chat_text("Q?", "c", "18", "0.6"),
            HEAD + "Q?<|eot_id|>0.6<|eot_id|><|im_end|>\n<|im_start|>assistant\n"
            "c\n\nThe final answer is: $\\boxed{18}$<|im_end|>",
        )
        self.assertEqual(
            mini_tokenizer.chat_text("Q?", "c", "18", "1"),
            HEAD + "Q?<|im_end|>\n<|im_start|>assistant\nc\n\nThe final answer is: $\\boxed{18}$<|im_end|>",
        )
        # Values are inserted verbatim, braces and backslashes included.
        self.assertIn("{answer} \\x", mini_tokenizer.chat_text("Q", "{answer} \\x", "1", "1"))

    def test_specials_and_gammas(self):
        self.assertEqual(bpe.SPECIALS, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
        self.assertEqual(mini_tokenizer.GAMMAS, ["0.9", "0.8", "0.7", "0.6", "0.5"])
        self.assertEqual((prompt_table.MINI_EOS, prompt_table.MINI_PAD), ("<|im_end|>", "<|endoftext|>"))
        self.assertEqual(mini_tokenizer.INSTRUCTION,
                         "Please reason step by step, and put your final answer within \\boxed{}.")


if __name__ == "__main__":
    unittest.main()
