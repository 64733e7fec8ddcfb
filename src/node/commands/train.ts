/**
 * `tokenskip train`: LoRA SFT in PyTorch (trainer/finetune.py), watched from Node.
 *
 *   tokenskip train --base Qwen2.5-0.5B-Instruct --data build/ --out runs/q05 [--nproc 4]
 *   tokenskip train --mode full --base mini-init --data build/ --out runs/pretrain   # every weight
 *
 * The trainer's JSON-lines progress drives a progress bar. Ctrl-C (or SIGTERM) makes the trainer
 * save a checkpoint and stop; running the same command again resumes from the newest checkpoint,
 * as it does after a crash. Writes <out>/adapter (PEFT layout) and <out>/manifest.json.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Command } from './types.ts';
import { TokenSkipError } from '../../core/errors.ts';
import { findPython, runTrainerScript, type TrainerEvent } from '../trainer/python.ts';
import { baseVersions, digest, manifestPathFor, writeManifest } from '../trainer/manifest.ts';
import { createBar, type Bar } from '../trainer/progress.ts';

const PASS_THROUGH = [
  'epochs',
  'lr',
  'batch',
  'micro-batch',
  'cutoff',
  'warmup',
  'rank',
  'alpha',
  'seed',
  'save-every',
  'max-steps',
  'precision',
  'device',
  'threads',
  'mode',
] as const;

const USAGE = `Usage: tokenskip train --base DIR --data DIR --out DIR [options]

  --base DIR         HF model folder (config.json + safetensors)
  --data DIR         output of \`tokenskip build\` (train.jsonl, val.jsonl)
  --out DIR          run folder (checkpoints/, adapter/, manifest.json); re-run to resume
  --nproc N          data-parallel processes under torchrun (one per GPU)
  --python EXE       Python with PyTorch (default: TOKENSKIP_PYTHON or the first python3 that has torch)
  --no-resume        start over even if checkpoints exist
  --mode M           lora (default: adapters, base frozen) or full (every weight; writes <out>/model)
  Hyper-parameters (TokenSkip defaults): --epochs 3 --lr 5e-5 --batch 8 --micro-batch 1 --cutoff 2048
  --warmup 0.1 --rank 8 --alpha 16 --seed 42 --save-every 50 --max-steps 0 --precision auto --device auto --threads 2
`;

export const trainCommand: Command = {
  name: 'train',
  summary: 'LoRA fine-tune on built records (PyTorch; resumable; --nproc for DDP)',
  usage: USAGE,
  async run(argv, io) {
    const options: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }> = {
      base: { type: 'string' },
      data: { type: 'string' },
      out: { type: 'string' },
      nproc: { type: 'string' },
      python: { type: 'string' },
      'no-resume': { type: 'boolean', default: false },
    };
    for (const k of PASS_THROUGH) options[k] = { type: 'string' };
    const { values } = parseArgs({ args: argv, options });
    const base = values.base as string | undefined;
    const data = values.data as string | undefined;
    const out = values.out as string | undefined;
    if (!base || !data || !out)
      throw new TokenSkipError(
        'INVALID_ARGUMENT',
        `--base, --data and --out are required.\n${USAGE}`,
      );
    const trainFile = join(data, 'train.jsonl');
    const valFile = join(data, 'val.jsonl');
    if (!existsSync(trainFile)) {
      throw new TokenSkipError(
        'MODEL_FILE_MISSING',
        `${trainFile} is missing; run \`tokenskip build\` first.`,
      );
    }
    const nproc = values.nproc ? Number(values.nproc) : 0;
    if (values.nproc && !(Number.isInteger(nproc) && nproc >= 1)) {
      throw new TokenSkipError('INVALID_ARGUMENT', '--nproc must be a positive integer.');
    }
    const py = await findPython(values.python as string | undefined);
    const args = ['--base', base, '--train', trainFile, '--out', out];
    if (existsSync(valFile)) args.push('--val', valFile);
    for (const k of PASS_THROUGH)
      if (typeof values[k] === 'string') args.push(`--${k}`, values[k] as string);
    if (values['no-resume']) args.push('--no-resume');

    let bar: Bar | undefined;
    let start: TrainerEvent | undefined;
    let done: TrainerEvent | undefined;
    let lastStep: TrainerEvent | undefined;
    const losses: number[] = [];
    const result = await runTrainerScript(py, 'finetune.py', args, {
      stderr: io.stderr,
      nproc: nproc || undefined,
      onEvent(e) {
        if (e.event === 'start') {
          start = e;
          if (e.resumed_from) io.stderr.write(`train: resuming from ${String(e.resumed_from)}\n`);
          bar = createBar(
            io.stderr,
            'train',
            Number(e.total_steps),
            'loss {loss} lr {lr} {tps} tok/s',
          );
          bar.update(Number(e.step), { loss: '-', lr: '-', tps: '-' });
        } else if (e.event === 'step') {
          lastStep = e;
          losses.push(Number(e.loss));
          bar?.update(Number(e.step), {
            loss: Number(e.loss).toFixed(4),
            lr: Number(e.lr).toExponential(2),
            tps: Math.round(Number(e.tokens_per_s)),
          });
        } else if (e.event === 'done') {
          done = e;
        }
      },
    });
    bar?.stop();
    if (result.interrupted) {
      io.stderr.write(
        `train: stopped at step ${String(lastStep?.step ?? start?.step ?? 0)}; run the same command again to resume.\n`,
      );
      return 130;
    }
    if (result.code !== 0 || !done) {
      throw new TokenSkipError(
        result.code === 2 ? 'INVALID_ARGUMENT' : 'INTERNAL',
        `trainer failed (exit ${result.code}): ${result.lastError ?? 'no message'}. Fix the cause and run the same command again; it resumes from the last checkpoint.`,
      );
    }
    const full = values.mode === 'full';
    const adapter = join(out, full ? 'model' : 'adapter');
    const inputs = [
      await digest(trainFile),
      ...(existsSync(valFile) ? [await digest(valFile)] : []),
      await digest(join(base, 'config.json')),
    ];
    const outputs = full
      ? [
          await digest(join(adapter, 'model.safetensors')),
          await digest(join(adapter, 'config.json')),
        ]
      : [
          await digest(join(adapter, 'adapter_model.safetensors')),
          await digest(join(adapter, 'adapter_config.json')),
        ];
    const settings = {
      base,
      nproc: nproc || 1,
      ...Object.fromEntries(
        PASS_THROUGH.filter((k) => values[k] !== undefined).map((k) => [k, values[k]]),
      ),
    };
    await writeManifest(manifestPathFor(out, true), {
      command: 'train',
      inputs,
      settings,
      outputs,
      versions: { ...baseVersions(), python: py.executable, torch: py.torch },
      results: { start, done, losses },
    });
    io.stdout.write(
      `${JSON.stringify({ [full ? 'model' : 'adapter']: adapter, steps: done.step, train_loss: done.train_loss, val_loss: done.val_loss, losses })}\n`,
    );
    return 0;
  },
};
