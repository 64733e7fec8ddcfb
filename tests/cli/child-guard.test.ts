/**
 * A pipeline's children end with it (issue 23, item 10): `guardChild` (src/node/pipeline/
 * child-guard.ts, used by `tokenskip mini` for every step and by every trainer run) forwards
 * SIGTERM and, for kill -9, leaves a watchdog that ends the child. Real processes, no mocks.
 * Also the output hashes `mini` keeps in its step markers (src/node/pipeline/output-hashes.ts).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { changedOutputs, hashOutputs } from '../../src/node/pipeline/output-hashes.ts';
import { repoRoot } from '../helpers/fixtures.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-guard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** A parent (like `mini`) running a long child under guardChild; resolves with both pids. */
async function parentWithChild() {
  const script = path.join(dir, `parent-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(
    script,
    `import { spawn } from 'node:child_process';
import { guardChild } from ${JSON.stringify(path.join(repoRoot, 'src/node/pipeline/child-guard.ts'))};
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
const release = guardChild(child, { graceS: 2 });
child.on('close', (code, signal) => { release(); console.log('child closed ' + signal); process.exit(1); });
console.log(String(child.pid));
`,
  );
  const parent = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot });
  let out = '';
  parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 3000 && !/^\d+\n/.test(out); i++) await new Promise((r) => setTimeout(r, 10));
  const child = Number.parseInt(out, 10);
  expect(child).toBeGreaterThan(0);
  const exited = new Promise<void>((resolve) => parent.on('exit', () => resolve()));
  return { parent, child, exited, output: () => out };
}

async function waitDead(pid: number, ms: number): Promise<boolean> {
  for (let t = 0; t < ms; t += 50) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

describe('a killed pipeline ends its child', () => {
  it('kill -9 of the parent: the watchdog ends the child', async () => {
    const { parent, child, exited } = await parentWithChild();
    expect(alive(child)).toBe(true);
    parent.kill('SIGKILL');
    await exited;
    expect(await waitDead(child, 10_000)).toBe(true);
  }, 30_000);

  it('SIGTERM to the parent is forwarded to the child', async () => {
    const { parent, child, exited, output } = await parentWithChild();
    parent.kill('SIGTERM');
    await exited;
    expect(output()).toContain('child closed SIGTERM');
    expect(await waitDead(child, 5_000)).toBe(true);
  }, 30_000);
});

describe('step output hashes', () => {
  it('name a truncated, edited or deleted output; files added later do not count', async () => {
    const root = path.join(dir, 'steps');
    mkdirSync(path.join(root, 'onnx'), { recursive: true });
    writeFileSync(path.join(root, 'onnx', 'model.onnx'), Buffer.alloc(5000, 7));
    writeFileSync(path.join(root, 'compressed.jsonl'), '{"a":1}\n{"a":2}\n');
    const recorded = await hashOutputs(root, ['onnx', 'compressed.jsonl']);
    expect(Object.keys(recorded).sort()).toEqual(['compressed.jsonl', 'onnx/model.onnx']);
    expect(await changedOutputs(root, recorded)).toEqual([]);
    writeFileSync(path.join(root, 'onnx', 'config.json'), '{}'); // a later step's file
    expect(await changedOutputs(root, recorded)).toEqual([]);
    truncateSync(path.join(root, 'onnx', 'model.onnx'), 1000);
    writeFileSync(path.join(root, 'compressed.jsonl'), '{"a":1}\n'); // cut at a line boundary
    expect(await changedOutputs(root, recorded)).toEqual(['onnx/model.onnx', 'compressed.jsonl']);
    rmSync(path.join(root, 'compressed.jsonl'));
    expect(await changedOutputs(root, recorded)).toContain('compressed.jsonl');
  });
});
