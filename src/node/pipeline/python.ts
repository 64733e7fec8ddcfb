/**
 * Finds a Python with PyTorch and runs the trainer scripts (trainer/*.py), parsing their JSON-lines
 * progress. SIGINT/SIGTERM received by the CLI are forwarded to the child, which saves a checkpoint
 * and exits 130; the next run of the same command resumes from it.
 *
 *   const py = await findPython();
 *   const code = await runTrainerScript(py, 'finetune.py', [...], { onEvent: (e) => ... });
 */
import { spawn, execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { TokenSkipError } from '../../core/errors.ts';

export const TRAINER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../trainer');

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
  /** Launch under torchrun with this many processes (trainer/launch.py). */
  nproc?: number;
}

export interface RunResult {
  code: number;
  interrupted: boolean;
  lastError?: string;
}

export async function runTrainerScript(
  py: PythonInfo,
  script: string,
  args: string[],
  o: RunOptions,
): Promise<RunResult> {
  const path = join(TRAINER_DIR, script);
  const argv =
    o.nproc && o.nproc > 0
      ? [
          join(TRAINER_DIR, 'launch.py'),
          '--standalone',
          '--nproc_per_node',
          String(o.nproc),
          path,
          ...args,
        ]
      : [path, ...args];
  const child = spawn(py.executable, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1', ...o.env },
  });
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
  if (code !== 0 && code !== 130 && !lastError) {
    lastError = tail.trim().split('\n').slice(-5).join('\n') || `exited with code ${code}`;
  }
  return { code, interrupted: interrupted || code === 130, lastError };
}
