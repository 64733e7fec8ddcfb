"""`torchrun` for `tokenskip train --nproc N`: runs torch.distributed.run with one fix.

torch 1.13's launcher (Debian's python3-torch) parses `--redirects 0` into None on Python 3.11,
because 3.11 stopped listing zero-valued flags when iterating an IntFlag, and then crashes before
starting any worker. We map that None back to Std.NONE; on a current torch this is a no-op.

    python -m tokenskip_trainer.launch --standalone --nproc_per_node 4 -m tokenskip_trainer.finetune --base ...

`-m` is torchrun's --module: each worker runs `python -u -m tokenskip_trainer.finetune ...` with
this environment, so PYTHONPATH (or `pip install -e trainer`) must make the package importable.
"""
import runpy
import sys

from torch.distributed.elastic.multiprocessing import api

_from_str = api.Std.from_str.__func__


def _fixed(cls, vm):
    value = _from_str(cls, vm)
    return cls.NONE if value is None else value


api.Std.from_str = classmethod(_fixed)

if __name__ == "__main__":
    sys.argv[0] = "torchrun"
    runpy.run_module("torch.distributed.run", run_name="__main__", alter_sys=True)
