/**
 * Ctrl-C during `tokenskip train`: the CLI forwards SIGINT to the trainer, which saves a checkpoint
 * and stops (exit 130); the same command then resumes from that checkpoint. Runs the real CLI
 * (bin/tokenskip.mjs) and the real Python trainer; skipped when no Python with torch is found.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  findPython,
  trainerEnv,
  trainerModuleArgs,
  type PythonInfo,
} from '../../src/node/pipeline/python.ts';

const root = mkdtempSync(join(tmpdir(), 'train-signal-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
// Throws a clear "install python3-torch" error when no Python with torch is found.
const py: PythonInfo = await findPython();

function runCli(args: string[], onStart?: (child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, [resolve('bin/tokenskip.mjs'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  onStart?.(child);
  return new Promise<{ code: number | null; out: string; err: string }>((res) =>
    child.on('close', (code) => res({ code, out, err })),
  );
}

// No Python with torch is a failure, not a skip: CI installs Debian's python3-torch (.ci/run).
describe('tokenskip train and Ctrl-C', () => {
  it('saves a checkpoint on SIGINT and resumes from it', async () => {
    const base = join(root, 'base');
    execFileSync(py.executable, trainerModuleArgs('tiny', [base]), { env: trainerEnv() });
    const data = join(root, 'data');
    mkdirSync(data);
    const recs = Array.from({ length: 64 }, (_, i) => {
      const prompt = [257, 10 + (i % 7), 11, 12];
      const resp = Array.from({ length: 12 }, (_, j) => 20 + ((i + j) % 30));
      return JSON.stringify({
        input_ids: [...prompt, ...resp],
        labels: [...prompt.map(() => -100), ...resp],
      });
    });
    writeFileSync(join(data, 'train.jsonl'), recs.join('\n') + '\n');
    const run = join(root, 'run');
    const args = [
      'train',
      '--json',
      '--base',
      base,
      '--data',
      data,
      '--out',
      run,
      '--batch',
      '2',
      '--epochs',
      '3',
      '--save-every',
      '1000',
    ];
    const ckpts = () =>
      existsSync(join(run, 'checkpoints')) ? readdirSync(join(run, 'checkpoints')) : [];
    const first = await runCli(args, (child) => {
      // Interrupt once training is under way (train_args.json is written just before the first step).
      const timer = setInterval(() => {
        if (existsSync(join(run, 'train_args.json'))) {
          clearInterval(timer);
          setTimeout(() => child.kill('SIGINT'), 500);
        }
      }, 100);
    });
    expect(first.code, first.err).toBe(130);
    expect(first.err).toMatch(/stopped at step \d+; run the same command again to resume/);
    expect(ckpts()).toHaveLength(1); // saved on the signal, not by --save-every
    expect(existsSync(join(run, 'adapter'))).toBe(false);
    const stopped = Number(ckpts()[0]!.replace('step-', ''));

    const second = await runCli([...args, '--max-steps', String(stopped + 2)]);
    expect(second.code, second.err).toBe(0);
    expect(second.err).toMatch(
      new RegExp(`resuming from .*step-${String(stopped).padStart(6, '0')}`),
    );
    expect(JSON.parse(second.out.trim().split('\n').pop()!).steps).toBe(stopped + 2);
    expect(existsSync(join(run, 'adapter', 'adapter_model.safetensors'))).toBe(true);
  }, 120_000);
});
