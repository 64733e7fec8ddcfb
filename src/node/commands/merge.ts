/**
 * `tokenskip merge`: fold a LoRA adapter (ours, or any PEFT folder such as
 * hemingkx/TokenSkip-Qwen2.5-7B-Instruct-GSM8K) into its base model (tokenskip_trainer.merge), writing an
 * HF checkpoint (safetensors + config + tokenizer) and a manifest.
 *
 *   tokenskip merge --base Qwen2.5-7B-Instruct --adapter runs/q7/adapter --out merged/
 */
import { choiceOption, parseCommandArgs, UsageError, writeSummary } from '../args.ts';
import { warnIfFixture } from '../fixtures.ts';
import { checkOutputs, guardOutputs } from '../output.ts';
import { commandInfo } from './table.mjs';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { Command, CommandIO } from './types.ts';
import { TokenSkipError } from '../../core/errors.ts';
import { findPython, runTrainerModule } from '../pipeline/python.ts';
import {
  baseVersions,
  digest,
  manifestPathFor,
  mustRunCommand,
  writeManifest,
} from '../pipeline/manifest.ts';
import { createBar, type Bar } from '../pipeline/progress.ts';

async function safetensorsIn(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((f) => f.endsWith('.safetensors') || f === 'config.json')
    .sort()
    .map((f) => join(dir, f));
}

export const mergeCommand: Command = {
  ...commandInfo('merge'),
  async run(argv, io) {
    const { values } = parseCommandArgs('merge', argv, {
      base: { type: 'string' },
      adapter: { type: 'string' },
      out: { type: 'string' },
      dtype: { type: 'string', default: '' },
      python: { type: 'string' },
      force: { type: 'boolean', default: false },
    });
    if (!values.base || !values.adapter || !values.out) {
      throw new UsageError('--base, --adapter and --out are required.');
    }
    if (values.dtype !== '') {
      choiceOption('--dtype', values.dtype, ['float32', 'bfloat16', 'float16'] as const);
    }
    const { base, adapter, out } = values;
    await checkOutputs([{ path: out, folder: true }], [base, adapter]);
    warnIfFixture(io.stderr, '--base', values.base);
    return guardOutputs([{ path: out, folder: true }], [base, adapter], () =>
      merge({ ...values, base, adapter, out }, io),
    );
  },
};

async function merge(
  values: {
    base: string;
    adapter: string;
    out: string;
    dtype: string;
    python?: string;
    force: boolean;
    json: boolean;
  },
  io: CommandIO,
): Promise<number> {
  let adapter = values.adapter;
  if (
    !existsSync(join(adapter, 'adapter_config.json')) &&
    existsSync(join(adapter, 'adapter', 'adapter_config.json'))
  ) {
    adapter = join(adapter, 'adapter');
  }
  if (!existsSync(join(values.base, 'config.json'))) {
    throw new TokenSkipError(
      'MODEL_FILE_MISSING',
      `${values.base}/config.json is missing; --base must be an HF model folder.`,
    );
  }
  const inputs = await Promise.all(
    [
      ...(await safetensorsIn(values.base)),
      join(adapter, 'adapter_config.json'),
      join(adapter, 'adapter_model.safetensors'),
    ].map(digest),
  );
  const settings = { dtype: values.dtype };
  const manifestPath = manifestPathFor(values.out, true);
  if (!(await mustRunCommand('merge', 'merges again', values, { inputs, settings }, io))) return 0;
  const py = await findPython(values.python);
  let bar: Bar | undefined;
  let done: Record<string, unknown> | undefined;
  const args = ['--base', values.base, '--adapter', adapter, '--out', values.out];
  if (values.dtype) args.push('--dtype', values.dtype);
  const r = await runTrainerModule(py, 'merge', args, {
    stderr: io.stderr,
    onEvent(e) {
      if (e.event === 'shard') {
        bar ??= createBar(io.stderr, 'merge', Number(e.total));
        bar.update(Number(e.index));
      } else if (e.event === 'done') done = e;
    },
  });
  bar?.stop();
  if (r.code !== 0 || !done) {
    throw new TokenSkipError(
      r.code === 2 ? 'MODEL_FILE_CORRUPT' : 'INTERNAL',
      `merge failed: ${r.lastError ?? `exit ${r.code}`}`,
    );
  }
  const outputs = await Promise.all((await safetensorsIn(values.out)).map(digest));
  await writeManifest(manifestPath, {
    command: 'merge',
    inputs,
    settings,
    outputs,
    versions: { ...baseVersions(), python: py.executable, torch: py.torch },
    results: done,
  });
  writeSummary(io, values.json, `merge: merged -> ${values.out}`, done);
  return 0;
}
