/**
 * `tokenskip compress --rates`: each record is scored once and every γ is written from that one
 * pass. Each γ's file must be byte-identical to a separate `--rate γ` run (the real CLI in a child
 * process, the fixture models on onnxruntime-node).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures.ts';

const bin = path.join(repoRoot, 'bin/tokenskip.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-rates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd: dir,
    timeout: 180_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const gsm8k = readFileSync(path.join(repoRoot, 'data/gsm8k/train.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean);
const input = path.join(dir, 'in.jsonl');
// 60 records: more than one group of 50, so the per-group path runs twice.
writeFileSync(input, gsm8k.slice(0, 60).join('\n') + '\n');
const rates = ['0.5', '0.6', '0.7', '0.8', '0.9'];

describe('tokenskip compress --rates', () => {
  it.each([
    ['llmlingua2 (mBERT fixture)', ['--model', 'tiny-lingua-mbert']],
    ['llmlingua2 (XLM-R fixture)', ['--model', 'tiny-lingua-xlmr']],
  ])(
    '%s: one scoring pass, each γ byte-identical to its own --rate run',
    (name, model) => {
      const tag = name.replace(/\W+/g, '-');
      const many = cli([
        'compress',
        '--in',
        input,
        '--out',
        path.join(dir, `${tag}-many-{rate}.jsonl`),
        '--rates',
        rates.join(','),
        '--json',
        ...model,
      ]);
      expect(many.code, many.stderr).toBe(0);
      const summary = JSON.parse(many.stdout) as {
        modelCalls: number;
        modelCallsPerRateRescoring: number;
        out: string[];
      };
      expect(summary.out).toHaveLength(rates.length);
      expect(summary.modelCallsPerRateRescoring).toBe(summary.modelCalls * rates.length);
      expect(many.stderr).toMatch(
        new RegExp(
          `Scored 60 records once for 5 γ: ${summary.modelCalls} model calls, [\\d.]+ s; re-scoring per γ \\(as the reference does\\) would take ${summary.modelCalls * 5} model calls`,
        ),
      );
      for (const g of rates) {
        const single = path.join(dir, `${tag}-single-${g}.jsonl`);
        const one = cli(['compress', '--in', input, '--out', single, '--rate', g, ...model]);
        expect(one.code, one.stderr).toBe(0);
        const a = readFileSync(path.join(dir, `${tag}-many-${g}.jsonl`));
        expect(a.equals(readFileSync(single)), `γ ${g}`).toBe(true);
      }
      // The γ really differ: lower γ keeps fewer tokens.
      const kept = (g: string) =>
        readFileSync(path.join(dir, `${tag}-many-${g}.jsonl`), 'utf8')
          .split('\n')
          .filter(Boolean)
          .reduce(
            (n, l) => n + (JSON.parse(l) as { compressed_tokens: number }).compressed_tokens,
            0,
          );
      expect(kept('0.5')).toBeLessThan(kept('0.9'));
    },
    300_000,
  );

  it('CTS: each γ byte-identical to its own --rate run', () => {
    const small = path.join(dir, 'small.jsonl');
    writeFileSync(small, gsm8k.slice(0, 4).join('\n') + '\n');
    const args = [
      '--scorer',
      'cts',
      '--ref-model',
      path.join(repoRoot, 'models/fixtures/tiny-qwen2'),
    ];
    const many = cli([
      'compress',
      '--in',
      small,
      '--out',
      path.join(dir, 'cts-{rate}.jsonl'),
      '--rates',
      '0.5,0.8',
      ...args,
    ]);
    expect(many.code, many.stderr).toBe(0);
    expect(many.stderr).toMatch(/Scored 4 records once for 2 γ: 4 records scored/);
    for (const g of ['0.5', '0.8']) {
      const single = path.join(dir, `cts-single-${g}.jsonl`);
      expect(cli(['compress', '--in', small, '--out', single, '--rate', g, ...args]).code).toBe(0);
      expect(readFileSync(path.join(dir, `cts-${g}.jsonl`)).equals(readFileSync(single))).toBe(
        true,
      );
    }
  }, 300_000);

  it('--rate-field: 30 CoTs × 3 γ as 90 records score each CoT once; bytes as three --rate runs', () => {
    // γ-major order: a CoT's three records lie in different groups of the run.
    const gammas = [0.5, 0.7, 0.9];
    const rows = (g: number) =>
      gsm8k.slice(0, 30).map((l) => JSON.stringify({ ...JSON.parse(l), gamma: g }));
    const all = path.join(dir, 'field-90.jsonl');
    writeFileSync(all, gammas.flatMap(rows).join('\n') + '\n');
    // --batch-size 1: one model call per one-chunk CoT, so the calls count the texts scored.
    const model = ['--model', 'tiny-lingua-mbert', '--batch-size', '1'];
    const out = path.join(dir, 'field-90.out.jsonl');
    const run = cli([
      'compress',
      '--in',
      all,
      '--out',
      out,
      '--rate-field',
      'gamma',
      '--json',
      ...model,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as {
      textsScored: number;
      modelCalls: number;
      records: number;
    };
    expect(summary).toMatchObject({ records: 90, textsScored: 30, modelCalls: 30 });
    expect(run.stderr).toMatch(/Scored 30 distinct texts for 90 records/);
    const singles = gammas.map((g) => {
      const input = path.join(dir, `field-${g}.jsonl`);
      writeFileSync(input, rows(g).join('\n') + '\n');
      const single = path.join(dir, `field-${g}.out.jsonl`);
      const one = cli([
        'compress',
        '--in',
        input,
        '--out',
        single,
        '--rate',
        String(g),
        '--json',
        ...model,
      ]);
      expect(one.code, one.stderr).toBe(0);
      expect(JSON.parse(one.stdout)).toMatchObject({ textsScored: 30, modelCalls: 30 });
      return readFileSync(single);
    });
    expect(readFileSync(out).equals(Buffer.concat(singles))).toBe(true);
  }, 300_000);

  it.each([
    [['--rates', '0.5,0.7', '--out', 'x.jsonl'], /put \{rate\} in --out/],
    [['--rates', '0.5,0.5', '--out', 'x-{rate}.jsonl'], /--rates lists γ = 0\.5 twice/],
    [['--rates', '0.5,1.5', '--out', 'x-{rate}.jsonl'], /--rates/],
    [['--rates', '0.5', '--rate', '0.5', '--out', 'x-{rate}.jsonl'], /replaces --rate/],
  ])('usage error %#: one line, exit 2, no output', (extra, message) => {
    const { code, stderr } = cli(['compress', '--in', input, ...extra]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(path.join(dir, 'x.jsonl')) || existsSync(path.join(dir, 'x-0.5.jsonl'))).toBe(
      false,
    );
  });
});
