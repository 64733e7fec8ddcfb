/**
 * `tokenskip train`: LoRA SFT in PyTorch (`python -m tokenskip_trainer.finetune`), watched from Node.
 *
 *   tokenskip train --base Qwen2.5-0.5B-Instruct --data build/ --out runs/q05 [--nproc 4]
 *
 * The trainer's JSON-lines progress drives a progress bar. Ctrl-C (or SIGTERM) makes the trainer
 * save a checkpoint and stop; running the same command again resumes from the newest checkpoint,
 * as it does after a crash. Writes <out>/adapter (PEFT layout) and <out>/manifest.json.
 */
import {
  intOption,
  numberOption,
  parseCommandArgs,
  UsageError,
  writeSummary,
  type NumberRule,
} from '../args.ts';
import { warnIfFixture } from '../fixtures.ts';
import { checkOutputs, guardOutputs } from '../output.ts';
import { commandInfo } from './table.mjs';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Command, CommandIO } from './types.ts';
import { TokenSkipError } from '../../core/errors.ts';
import { findPython, runTrainerModule, type TrainerEvent } from '../pipeline/python.ts';
import { baseVersions, digest, manifestPathFor, writeManifest } from '../pipeline/manifest.ts';
import { createBar, type Bar } from '../pipeline/progress.ts';

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

/** How each numeric hyper-parameter is checked before Python starts. */
const NUMERIC: Partial<Record<(typeof PASS_THROUGH)[number], NumberRule>> = {
  epochs: { min: 0, minExclusive: true },
  lr: { min: 0, minExclusive: true },
  batch: { integer: true, min: 1 },
  'micro-batch': { integer: true, min: 1 },
  cutoff: { integer: true, min: 1 },
  warmup: { min: 0 },
  rank: { integer: true, min: 1 },
  alpha: { min: 0, minExclusive: true },
  seed: { integer: true, min: 0 },
  'save-every': { integer: true, min: 0 },
  'max-steps': { integer: true, min: 0 },
  threads: { integer: true, min: 1 },
};

export const trainCommand: Command = {
  ...commandInfo('train'),
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
    const { values } = parseCommandArgs('train', argv, options);
    const base = values.base as string | undefined;
    const data = values.data as string | undefined;
    const out = values.out as string | undefined;
    if (!base || !data || !out) throw new UsageError('--base, --data and --out are required.');
    for (const k of PASS_THROUGH) {
      const rule = NUMERIC[k];
      if (rule && typeof values[k] === 'string') numberOption(`--${k}`, values[k] as string, rule);
    }
    if (values.mode !== undefined && values.mode !== 'lora' && values.mode !== 'full')
      throw new UsageError(`--mode must be lora or full, got '${String(values.mode)}'.`);
    const nproc =
      typeof values.nproc === 'string' ? intOption('--nproc', values.nproc as string) : 0;
    await checkOutputs([{ path: out, folder: true }], [base, data]);
    warnIfFixture(io.stderr, '--base', base);
    return guardOutputs([{ path: out, folder: true }], [base, data], () =>
      train(values, base, data, out, nproc, io),
    );
  },
};

async function train(
  values: Record<string, string | boolean | undefined>,
  base: string,
  data: string,
  out: string,
  nproc: number,
  io: CommandIO,
): Promise<number> {
  const trainFile = join(data, 'train.jsonl');
  const valFile = join(data, 'val.jsonl');
  if (!existsSync(trainFile)) {
    throw new TokenSkipError(
      'MODEL_FILE_MISSING',
      `${trainFile} is missing; run \`tokenskip build\` first.`,
    );
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
  const result = await runTrainerModule(py, 'finetune', args, {
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
  // --mode full trains every weight and writes a whole model folder instead of an adapter.
  const full = values.mode === 'full';
  const adapter = join(out, full ? 'model' : 'adapter');
  const inputs = [
    await digest(trainFile),
    ...(existsSync(valFile) ? [await digest(valFile)] : []),
    await digest(join(base, 'config.json')),
  ];
  const outputs = full
    ? [await digest(join(adapter, 'model.safetensors')), await digest(join(adapter, 'config.json'))]
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
  writeSummary(
    io,
    values.json === true,
    `train: ${String(done.step)} steps, train loss ${String(done.train_loss)}, val loss ${String(done.val_loss)} -> ${adapter}`,
    {
      [full ? 'model' : 'adapter']: adapter,
      steps: done.step,
      train_loss: done.train_loss,
      val_loss: done.val_loss,
      losses,
    },
  );
  return 0;
}
