/**
 * How Node runs the trainer: `python -m tokenskip_trainer.<module>` with trainer/ on PYTHONPATH,
 * and under torchrun (`--nproc`) through the launch wrapper's `-m`, whose workers must import the
 * package too. Real interpreter, real torchrun (one process, gloo on CPU).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Writable } from 'node:stream';
import {
  findPython,
  runTrainerModule,
  TRAINER_DIR,
  trainerEnv,
  type PythonInfo,
  type TrainerEvent,
} from '../../src/node/pipeline/python.ts';

const root = mkdtempSync(join(tmpdir(), 'trainer-modules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const py: PythonInfo = await findPython();

function collect(): { stderr: Writable; text: () => string } {
  let text = '';
  const stderr = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stderr, text: () => text };
}

describe('trainer modules from Node', () => {
  it('puts the trainer folder first on PYTHONPATH and keeps what was there', () => {
    expect(trainerEnv({ PYTHONPATH: '/opt/x' }).PYTHONPATH).toBe(
      `${TRAINER_DIR}${delimiter}/opt/x`,
    );
    expect(trainerEnv({}).PYTHONPATH).toBe(TRAINER_DIR);
  });

  it('runs tiny, then finetune under torchrun -m with one process', async () => {
    const base = join(root, 'base');
    const tiny = collect();
    const made = await runTrainerModule(py, 'tiny', [base, '--seed', '3'], {
      stderr: tiny.stderr,
    });
    expect(made.code, tiny.text()).toBe(0);
    expect(JSON.parse(readFileSync(join(base, 'config.json'), 'utf8'))).toMatchObject({
      model_type: 'qwen2',
    });

    const recs = Array.from({ length: 8 }, (_, i) => {
      const resp = Array.from({ length: 6 }, (_, j) => 20 + ((i + j) % 30));
      return JSON.stringify({ input_ids: [257, 11, ...resp], labels: [-100, -100, ...resp] });
    });
    writeFileSync(join(root, 'train.jsonl'), recs.join('\n') + '\n');
    const events: TrainerEvent[] = [];
    const log = collect();
    const r = await runTrainerModule(
      py,
      'finetune',
      ['--base', base, '--train', join(root, 'train.jsonl'), '--out', join(root, 'run')],
      {
        stderr: log.stderr,
        nproc: 1,
        // PYTHONPATH must survive into the worker torchrun starts (`python -u -m ...`).
        env: { OMP_NUM_THREADS: '1', PYTHONPATH: '' },
        onEvent: (e) => events.push(e),
      },
    );
    expect(r.code, `${r.lastError ?? ''}\n${log.text()}`).toBe(0);
    expect(events[0]).toMatchObject({ event: 'start', world_size: 1, total_steps: 3 });
    expect(events.at(-1)).toMatchObject({ event: 'done', step: 3 });
  }, 180_000);

  it('reports a trainer error as a one-line message, not a traceback', async () => {
    const log = collect();
    const r = await runTrainerModule(
      py,
      'finetune',
      ['--base', join(root, 'missing'), '--train', join(root, 'missing.jsonl'), '--out', root],
      { stderr: log.stderr },
    );
    expect(r.code).toBe(2);
    expect(r.lastError).toMatch(/missing\.jsonl/);
    expect(r.lastError).not.toMatch(/Traceback/);
  });
});
