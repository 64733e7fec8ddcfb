import contextlib
import io
import json
import os
import signal
import subprocess
import unittest

from . import helpers
import torch

from tokenskip_trainer import finetune
from tokenskip_trainer.args import TrainArgs
from tokenskip_trainer.safetensors_io import load_file


def run_quiet(argv):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = finetune.main(argv)
    events = [json.loads(line) for line in buf.getvalue().splitlines() if line.startswith("{")]
    return code, events


class FinetuneTest(unittest.TestCase):
    def setUp(self):
        self.d = helpers.tmpdir(self)
        self.base = helpers.tiny_model(self.d)
        self.train = helpers.write_records(os.path.join(self.d, "train.jsonl"), 16, seed=0)
        self.val = helpers.write_records(os.path.join(self.d, "val.jsonl"), 4, seed=1)

    def args(self, out, *extra):
        return ["--base", self.base, "--train", self.train, "--val", self.val, "--out", os.path.join(self.d, out),
                "--batch", "4", "--epochs", "3", "--save-every", "2", *extra]

    def test_loss_goes_down_and_files_are_written(self):
        code, events = run_quiet(self.args("run", "--lr", "2e-2", "--rank", "8"))
        self.assertEqual(code, 0)
        steps = [e for e in events if e["event"] == "step"]
        self.assertEqual(len(steps), 12)  # 16 records / batch 4 x 3 epochs
        first = sum(e["loss"] for e in steps[:2]) / 2
        last = sum(e["loss"] for e in steps[-2:]) / 2
        self.assertLess(last, first * 0.8, [e["loss"] for e in steps])
        # Warm-up: 10% of 12 steps rounds up to 2, so step 1 is at half the peak; cosine ends at 0.
        self.assertAlmostEqual(steps[0]["lr"], 1e-2)
        self.assertAlmostEqual(steps[-1]["lr"], 0.0)
        for e in steps:
            self.assertGreater(e["tokens_per_s"], 0)
        vals = [e for e in events if e["event"] == "val"]
        self.assertEqual(len(vals), 3)
        self.assertLess(vals[-1]["val_loss"], vals[0]["val_loss"])
        done = events[-1]
        self.assertEqual(done["event"], "done")
        adapter = os.path.join(self.d, "run", "adapter")
        with open(os.path.join(adapter, "adapter_config.json")) as f:
            cfg = json.load(f)
        self.assertEqual((cfg["r"], cfg["lora_alpha"], cfg["peft_type"]), (8, 16.0, "LORA"))
        tensors = load_file(os.path.join(adapter, "adapter_model.safetensors"))
        self.assertEqual(len(tensors), 2 * 2 * 7)
        self.assertIn("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", tensors)
        self.assertTrue(os.path.exists(os.path.join(self.d, "run", "train_args.json")))

    def test_resume_after_interruption_gives_the_same_state(self):
        code, _ = run_quiet(self.args("full"))
        self.assertEqual(code, 0)
        code, events = run_quiet(self.args("cut", "--halt-after", "3"))
        self.assertEqual(code, 130)
        self.assertEqual(events[-1]["event"], "interrupted")
        self.assertEqual(events[-1]["step"], 3)
        code, events = run_quiet(self.args("cut"))
        self.assertEqual(code, 0)
        start = events[0]
        self.assertEqual(start["event"], "start")
        self.assertEqual(start["step"], 3)
        self.assertTrue(start["resumed_from"].endswith("step-000003"))
        self.assertEqual([e["step"] for e in events if e["event"] == "step"], list(range(4, 13)))
        a = load_file(os.path.join(self.d, "full", "adapter", "adapter_model.safetensors"))
        b = load_file(os.path.join(self.d, "cut", "adapter", "adapter_model.safetensors"))
        for k in a:
            self.assertTrue(torch.equal(a[k], b[k]), k)
        # Only the newest checkpoints are kept.
        self.assertLessEqual(len(os.listdir(os.path.join(self.d, "cut", "checkpoints"))), 2)

    def test_setup_fit_validate_as_functions(self):
        args = TrainArgs(base=self.base, train=self.train, val=self.val, out=os.path.join(self.d, "api"), batch=4,
                         epochs=1, lr=2e-2, halt_after=2, save_every=100)
        with contextlib.redirect_stdout(io.StringIO()):
            state = finetune.setup(args)
            self.assertEqual((state.total_steps, state.accum, state.step), (4, 4, 0))
            before = finetune.validate(state.model, state.val_ds, state.device)
            self.assertFalse(finetune.fit(state))  # --halt-after 2: stopped with a checkpoint
            self.assertEqual(state.step, 2)
            self.assertTrue(os.path.exists(os.path.join(args.out, "checkpoints", "step-000002", "state.pt")))
            state = finetune.setup(TrainArgs(**{**vars(args), "halt_after": 0}))
            self.assertEqual(state.step, 2)  # resumed
            self.assertTrue(finetune.fit(state))
            self.assertEqual((state.step, state.epoch), (4, 1))
            after = finetune.validate(state.model, state.val_ds, state.device)
            finetune.finish(state)
        self.assertLess(after, before)
        self.assertAlmostEqual(state.val_loss, after, places=5)  # the epoch's validation is the final one
        self.assertTrue(os.path.exists(os.path.join(args.out, "adapter", "adapter_model.safetensors")))

    def test_settings_are_checked_when_built(self):
        with self.assertRaisesRegex(ValueError, "--warmup"):
            TrainArgs(base="b", train="t", out="o", warmup=1.0)
        with self.assertRaisesRegex(ValueError, "--mode"):
            TrainArgs(base="b", train="t", out="o", mode="qlora")
        code, events = run_quiet(self.args("bad", "--epochs", "0"))
        self.assertEqual((code, events[-1]["event"]), (2, "error"))
        self.assertIn("--epochs", events[-1]["message"])

    def test_help_lists_the_field_docs(self):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf), self.assertRaises(SystemExit):
            finetune.parse_args(["--help"])
        self.assertIn("Optimizer steps between checkpoints.", " ".join(buf.getvalue().split()))

    def test_sigint_saves_and_exits_cleanly(self):
        out = os.path.join(self.d, "sig")
        events = []
        with subprocess.Popen(helpers.module_cmd("finetune", *self.args("sig", "--save-every", "100")),
                              stdout=subprocess.PIPE, text=True, env=helpers.module_env()) as proc:
            for line in proc.stdout:
                events.append(json.loads(line))
                if events[-1]["event"] == "step":
                    proc.send_signal(signal.SIGINT)
        self.assertEqual(proc.wait(timeout=60), 130)
        self.assertEqual(events[-1]["event"], "interrupted")
        stopped = events[-1]["step"]
        self.assertTrue(os.path.exists(os.path.join(out, "checkpoints", f"step-{stopped:06d}", "state.pt")))
        self.assertFalse(os.path.exists(os.path.join(out, "adapter")))

    def test_bad_records_are_reported(self):
        with open(self.train, "a") as f:
            f.write('{"input_ids": [1, 2], "oops": true}\n')
        code, events = run_quiet(self.args("bad"))
        self.assertEqual(code, 2)
        self.assertEqual(events[-1]["event"], "error")
        self.assertIn("train.jsonl:17", events[-1]["message"])

    def test_torchrun_single_process_ddp(self):
        try:
            import torch.distributed.run  # noqa: F401
        except ImportError:
            self.skipTest("torch.distributed.run is not available in this torch build")
        env = helpers.module_env(MASTER_ADDR="127.0.0.1", OMP_NUM_THREADS="1")
        # torchrun's -m/--module (torch/distributed/run.py): each worker runs `python -m tokenskip_trainer.finetune`.
        res = subprocess.run(helpers.module_cmd("launch", "--nproc_per_node", "1", "--master_port", "29517",
                                                "-m", "tokenskip_trainer.finetune", *self.args("ddp", "--max-steps", "2")),
                             capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(res.returncode, 0, res.stderr[-2000:])
        events = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
        self.assertEqual(events[0]["world_size"], 1)
        self.assertEqual(events[-1]["event"], "done")
        self.assertEqual(events[-1]["step"], 2)


if __name__ == "__main__":
    unittest.main()
