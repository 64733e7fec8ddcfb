import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/node/cli.ts';
import { byteLevelTokenizer } from './tiny-tokenizer.ts';

const root = mkdtempSync(join(tmpdir(), 'build-'));
const model = join(root, 'model');

function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    stdin: process.stdin,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  } as never;
  return main(args, io).then((code) => ({ code, out: out.join(''), err: err.join('') }));
}
const lines = (p: string) =>
  readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(() => {
  mkdirSync(model);
  writeFileSync(join(model, 'tokenizer.json'), JSON.stringify(byteLevelTokenizer()));
  writeFileSync(join(model, 'config.json'), JSON.stringify({ model_type: 'qwen2' }));
  const traces = Array.from({ length: 30 }, (_, i) => ({
    id: `s${i}`,
    question: `Q${i}: what is ${i} + ${i}?`,
    answer: String(2 * i),
    cot: `We add ${i} and ${i} together to get ${2 * i}.`,
  }));
  writeFileSync(join(root, 'traces.jsonl'), traces.map((t) => JSON.stringify(t)).join('\n') + '\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('tokenskip build with one compress run (--assign-gamma, then per-line γ)', () => {
  it('assigns seeded γ, then builds masked records with the per-line compressed CoT', async () => {
    const planned = join(root, 'planned.jsonl');
    const a = await cli([
      'build',
      '--assign-gamma',
      '--traces',
      join(root, 'traces.jsonl'),
      '--out',
      planned,
      '--seed',
      '7',
    ]);
    expect(a.code, a.err).toBe(0);
    const plan = lines(planned);
    expect(new Set(plan.map((r) => r.gamma)).size).toBeGreaterThan(3);
    // What `tokenskip compress --rate-field gamma` writes: the input fields plus compressed_prompt.
    const compressed = join(root, 'compressed.jsonl');
    writeFileSync(
      compressed,
      plan
        .map((r) =>
          JSON.stringify({
            ...r,
            compressed_prompt: `${String(r.cot).split(' ').slice(0, 4).join(' ')} [γ ${r.gamma}]`,
          }),
        )
        .join('\n') + '\n',
    );
    const out = join(root, 'build');
    const b = await cli([
      'build',
      '--json',
      '--model',
      model,
      '--traces',
      compressed,
      '--out',
      out,
      '--seed',
      '7',
    ]);
    expect(b.code, b.err).toBe(0);
    expect(JSON.parse(b.out)).toMatchObject({ train: 27, val: 3 });
    const recs = [...lines(join(out, 'train.jsonl')), ...lines(join(out, 'val.jsonl'))];
    expect(recs).toHaveLength(30);
    for (const r of recs) {
      const src = plan.find((p) => p.id === r.id)!;
      expect(r.gamma).toBe(src.gamma);
      if (r.gamma === 1)
        expect(r.output).toBe(
          `${String(src.cot)}\n\nThe final answer is: $\\boxed{${String(src.answer)}}$`,
        );
      else {
        expect(r.output).toContain(`[γ ${String(r.gamma)}]`);
        expect(r.input).toBe(`${String(src.question)}<|eot_id|>${String(r.gamma)}<|eot_id|>`);
      }
      const ids = r.input_ids as number[];
      const labels = r.labels as number[];
      const k = labels.findIndex((l) => l !== -100);
      expect(k).toBeGreaterThan(10);
      expect(labels.slice(k)).toEqual(ids.slice(k));
      expect(labels.slice(0, k).every((l) => l === -100)).toBe(true);
    }
    const dsInfo = JSON.parse(readFileSync(join(out, 'llamafactory', 'dataset_info.json'), 'utf8'));
    expect(dsInfo.tokenskip_train.columns).toEqual({
      prompt: 'instruction',
      query: 'input',
      response: 'output',
    });
  });

  it('--paired writes every trace at every γ (originals at 1) and holds out whole traces', async () => {
    const planned = join(root, 'paired.jsonl');
    const a = await cli([
      'build',
      '--assign-gamma',
      '--paired',
      '--gammas',
      '1,0.7,0.5',
      '--traces',
      join(root, 'traces.jsonl'),
      '--out',
      planned,
    ]);
    expect(a.code, a.err).toBe(0);
    const plan = lines(planned);
    expect(plan).toHaveLength(90);
    expect(plan.slice(0, 3).map((r) => [r.id, r.trace, r.gamma])).toEqual([
      ['s0@1', 's0', 1],
      ['s0@0.7', 's0', 0.7],
      ['s0@0.5', 's0', 0.5],
    ]);
    const compressed = join(root, 'paired-compressed.jsonl');
    writeFileSync(
      compressed,
      plan.map((r) => JSON.stringify({ ...r, compressed_prompt: `short ${r.gamma}` })).join('\n'),
    );
    const out = join(root, 'paired-build');
    const b = await cli(['build', '--model', model, '--traces', compressed, '--out', out]);
    expect(b.code, b.err).toBe(0);
    const train = lines(join(out, 'train.jsonl'));
    const val = lines(join(out, 'val.jsonl'));
    expect(train.length + val.length).toBe(90);
    const valTraces = new Set(val.map((r) => r.trace));
    expect(valTraces.size).toBeGreaterThan(0);
    // No trace is in both splits, and each held-out trace brings all three of its γ.
    expect(train.some((r) => valTraces.has(r.trace))).toBe(false);
    expect(val).toHaveLength(3 * valTraces.size);
  });

  it('refuses a γ set without 1.0, saying why', async () => {
    const r = await cli([
      'build',
      '--assign-gamma',
      '--paired',
      '--gammas',
      '0.9,0.5',
      '--traces',
      join(root, 'traces.jsonl'),
      '--out',
      join(root, 'no-one.jsonl'),
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/lacks 1\.0: the training data must keep the original CoTs/);
    expect(() => readFileSync(join(root, 'no-one.jsonl'))).toThrow();
  });

  it('names the file and line of a malformed trace, and writes nothing', async () => {
    const bad = join(root, 'bad.jsonl');
    writeFileSync(
      bad,
      '{"question": "q", "answer": "1", "cot": "c"}\n{"question": "q2", "cot": "c"}\n',
    );
    const out = join(root, 'bad-build');
    const r = await cli(['build', '--model', model, '--traces', bad, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.jsonl:2: missing field prediction or answer/);
    expect(() => readFileSync(join(out, 'train.jsonl'))).toThrow();
  });

  it('rejects a model folder without tokenizer.json', async () => {
    const empty = join(root, 'empty-model');
    mkdirSync(empty);
    writeFileSync(join(empty, 'config.json'), '{"model_type": "qwen2"}');
    const r = await cli([
      'build',
      '--model',
      empty,
      '--traces',
      join(root, 'traces.jsonl'),
      '--out',
      join(root, 'x'),
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/tokenizer\.json is missing/);
  });
});
