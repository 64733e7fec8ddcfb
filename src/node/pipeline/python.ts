/**
 * Finds a Python with PyTorch and runs the trainer's modules (`python -m tokenskip_trainer.<name>`,
 * trainer/tokenskip_trainer/), parsing their JSON-lines progress. SIGINT/SIGTERM received by the
 * CLI are forwarded to the child, which saves a checkpoint and exits 130; the next run of the same
 * command resumes from it.
 *
 *   const py = await findPython();
 *   const code = await runTrainerModule(py, 'finetune', [...], { onEvent: (e) => ... });
 */
import { spawn, execFile } from 'node:child_process';
import { delimiter, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { TokenSkipError } from '../../core/errors.ts';
import { guardChild } from './child-guard.ts';

/** The folder holding the `tokenskip_trainer` package (and its pyproject.toml). */
export const TRAINER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../trainer');

/** The trainer's Python package: modules run as `python -m tokenskip_trainer.<name>`. */
export const TRAINER_PACKAGE = 'tokenskip_trainer';

/**
 * The environment a trainer module needs: TRAINER_DIR first on PYTHONPATH, so the package imports
 * uninstalled (as after `pip install -e trainer`); torchrun passes it on to its workers.
 */
export function trainerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const path = [TRAINER_DIR, env.PYTHONPATH].filter(Boolean).join(delimiter);
  return { ...env, PYTHONPATH: path };
}

/** The modules of trainer/tokenskip_trainer/ that have a command line. */
export type TrainerModule =
  | 'bench_train'
  | 'export_onnx'
  | 'finetune'
  | 'from_onnx'
  | 'generate'
  | 'launch'
  | 'merge'
  | 'mini_tokenizer'
  | 'scorer'
  | 'tiny';

/** `[-m, tokenskip_trainer.<module>, ...args]`: the argv after the interpreter. */
export function trainerModuleArgs(module: TrainerModule, args: string[] = []): string[] {
  return ['-m', `${TRAINER_PACKAGE}.${module}`, ...args];
}

export interface PythonInfo {
  executable: string;
  torch: string;
  cuda: boolean;
}

export interface TrainerEvent {
  event: string;
  [key: string]: unknown;
}

function probe(executable: string): Promise<PythonInfo | undefined> {
  return new Promise((res) => {
    execFile(
      executable,
      [
        '-c',
        'import json, torch; print(json.dumps({"torch": torch.__version__, "cuda": torch.cuda.is_available()}))',
      ],
      { timeout: 60_000 },
      (error, stdout) => {
        if (error) return res(undefined);
        try {
          const v = JSON.parse(stdout.trim().split('\n').pop() ?? '') as {
            torch: string;
            cuda: boolean;
          };
          res({ executable, torch: v.torch, cuda: v.cuda });
        } catch {
          res(undefined);
        }
      },
    );
  });
}

let cached: PythonInfo | undefined;

/**
 * The interpreter to use: --python / TOKENSKIP_PYTHON when given, otherwise the first of python3,
 * python and the system /usr/bin/python3 (Debian's python3-torch lives there) that imports torch.
 */
export async function findPython(explicit?: string): Promise<PythonInfo> {
  const wanted = explicit ?? process.env.TOKENSKIP_PYTHON;
  if (wanted) {
    const info = await probe(wanted);
    if (!info) {
      throw new TokenSkipError(
        'BACKEND_UNAVAILABLE',
        `${wanted} cannot import torch. Install PyTorch for it (pip install torch) or point --python / TOKENSKIP_PYTHON at an interpreter that has it.`,
      );
    }
    return info;
  }
  if (cached) return cached;
  for (const candidate of ['python3', 'python', '/usr/bin/python3']) {
    const info = await probe(candidate);
    if (info) return (cached = info);
  }
  throw new TokenSkipError(
    'BACKEND_UNAVAILABLE',
    'no Python with PyTorch found (tried python3, python, /usr/bin/python3). Install it: `pip install torch` (GPU: see trainer/README.md), or `apt-get install python3-torch` on Debian; or set TOKENSKIP_PYTHON.',
  );
}

export interface RunOptions {
  onEvent?: (e: TrainerEvent) => void;
  /** Non-JSON output of the script (warnings, tracebacks). */
  stderr: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  /** Launch under torchrun with this many processes (tokenskip_trainer.launch). */
  nproc?: number;
}

export interface RunResult {
  code: number;
  interrupted: boolean;
  lastError?: string;
}

/**
 * Runs `python -m tokenskip_trainer.<module> ...args`; with `nproc`, under torchrun through the
 * launch wrapper, whose `-m` (torchrun's --module, torch/distributed/run.py `config_from_args`)
 * makes every worker run `python -u -m tokenskip_trainer.<module>` with the same environment.
 */
export async function runTrainerModule(
  py: PythonInfo,
  module: TrainerModule,
  args: string[],
  o: RunOptions,
): Promise<RunResult> {
  const argv =
    o.nproc && o.nproc > 0
      ? trainerModuleArgs('launch', [
          '--standalone',
          '--nproc_per_node',
          String(o.nproc),
          '-m',
          `${TRAINER_PACKAGE}.${module}`,
          ...args,
        ])
      : trainerModuleArgs(module, args);
  const child = spawn(py.executable, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: trainerEnv({ ...process.env, PYTHONUNBUFFERED: '1', ...o.env }),
  });
  // Signals are forwarded below (the trainer saves a checkpoint on them); the watchdog ends the
  // trainer if this process is killed with SIGKILL.
  const unguard = guardChild(child, { forwardSignals: false });
  let interrupted = false;
  let lastError: string | undefined;
  const forward = (signal: NodeJS.Signals) => () => {
    interrupted = true;
    child.kill(signal);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (!line.startsWith('{')) {
      o.stderr.write(`${line}\n`);
      return;
    }
    try {
      const e = JSON.parse(line) as TrainerEvent;
      if (e.event === 'error') lastError = String(e.message);
      o.onEvent?.(e);
    } catch {
      o.stderr.write(`${line}\n`);
    }
  });
  let tail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  });
  const code = await new Promise<number>((res, rej) => {
    child.on('error', rej);
    child.on('close', (c, signal) => res(c ?? (signal ? 128 + 2 : 1)));
  });
  process.off('SIGINT', onInt);
  process.off('SIGTERM', onTerm);
  unguard();
  if (code !== 0 && code !== 130 && !lastError) {
    lastError = tail.trim().split('\n').slice(-5).join('\n') || `exited with code ${code}`;
  }
  return { code, interrupted: interrupted || code === 130, lastError };
}
