"""TokenSkip's PyTorch trainer: LoRA (or full) SFT of Qwen2/Llama-3 checkpoints, merge and export.

Modules (each runnable with `python -m tokenskip_trainer.<name> --help`):
model (the decoder and its config), lora, data, finetune (setup -> fit -> validate), launch
(torchrun), merge, export_onnx, generate, tiny (random checkpoints), bench_train; and for the mini
models: bpe, mini_tokenizer, token_classifier, scorer.

    pip install -e trainer                      # or, uninstalled: PYTHONPATH=trainer
    python -m tokenskip_trainer.finetune --base ... --train ... --out ...
"""

__version__ = "0.1.0"
