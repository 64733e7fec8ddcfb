/**
 * `tokenskip mini --quick`: the whole recipe that makes the shipped mini models, at tiny sizes, so
 * every step stays wired (data -> tokenizer -> init -> pretrain -> ONNX -> collect -> teacher labels
 * -> scorer -> scorer quality -> γ -> compress -> build -> LoRA -> merge -> ONNX -> eval -> table).
 * The quick base model is too small to answer anything, so collect runs the shipped mini base
 * (models/mini/base) and keeps real traces. A second run does nothing (every step is done).
 *
 * In `npm test` the quick recipe runs at smoke size: `--quick --recipe tests/trainer/mini-smoke.json`
 * (3 pretraining and 3 LoRA steps, 20 collected and 4 test problems: every step and the resume
 * still run; this file took 391 s instead of 815 s on a busy 2-core machine). The whole quick
 * recipe, as the README gives it:
 *
 *   TOKENSKIP_MINI_TEST=quick npx vitest run tests/trainer/mini-pipeline.test.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/fixtures.ts';
import type { MiniTable } from '../../src/core/eval/reference-table.ts';

const SMOKE_RECIPE = join(repoRoot, 'tests/trainer/mini-smoke.json');

const out = mkdtempSync(join(tmpdir(), 'mini-quick-'));
/** `--recipe` over `--quick`: the smoke sizes, unless TOKENSKIP_MINI_TEST=quick asks for all of it. */
const smoke = process.env.TOKENSKIP_MINI_TEST === 'quick' ? [] : ['--recipe', SMOKE_RECIPE];
// The --reuse-base run trains a few LoRA steps on the 1.9M-parameter shipped base.
writeFileSync(
  join(out, 'tiny-lora.json'),
  JSON.stringify({
    collectProblems: 20,
    testProblems: 4,
    ...(smoke.length > 0 && { lora: { maxSteps: 3 } }),
  }),
);
afterAll(() => rmSync(out, { recursive: true, force: true }));

function mini(args: string[]) {
  const r = spawnSync(
    process.execPath,
    [join(repoRoot, 'bin/tokenskip.mjs'), 'mini', '--out', out, '--quick', ...smoke, ...args],
    { encoding: 'utf8', timeout: 900_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tokenskip mini --quick', () => {
  it('runs every step and prints the table; a re-run resumes with nothing to do', () => {
    const r = mini(['--json']);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    const table = JSON.parse(r.stdout.trim().split('\n').pop()!) as MiniTable;
    expect(table.rows.map((x) => [x.method, x.gamma])).toEqual([
      ['Original', 1],
      ['TokenSkip', 1],
      ['TokenSkip', 0.9],
      ['TokenSkip', 0.8],
      ['TokenSkip', 0.7],
      ['TokenSkip', 0.6],
      ['TokenSkip', 0.5],
    ]);
    expect(r.stderr).toMatch(/\| Method \| γ \| Accuracy \|/);
    // TinyArith in English and Chinese: the table splits accuracy and length by language.
    expect(Object.keys(table.by_language ?? {})).toEqual(['en', 'zh']);
    expect(table.by_language!.zh!.map((x) => [x.method, x.gamma])).toEqual(
      table.rows.map((x) => [x.method, x.gamma]),
    );
    expect(r.stderr).toMatch(/\| Accuracy \(en\) \| CoT tokens \(en\) \| Accuracy \(zh\)/);
    // The scorer was distilled and measured, and the TokenSkip data used its compressions.
    const quality = JSON.parse(readFileSync(join(out, 'scorer-quality.json'), 'utf8'));
    expect(Object.keys(quality.configs)).toEqual(['scorer', 'shipped']);
    expect(Object.keys(quality.configs.shipped)).toEqual(['0.9', '0.7', '0.5']);
    // Measured on held-out phrasings only, with the held-out words tallied apart.
    expect(quality.held_out_phrasings).toBe(true);
    expect(quality.configs.shipped['0.7'].held_out.tally.filler.total).toBeGreaterThan(0);
    // The paper's data: every trace at every γ, originals at γ = 1.
    const planned = readFileSync(join(out, 'planned.jsonl'), 'utf8').trim().split('\n');
    const gammas = planned.map((l) => (JSON.parse(l) as { gamma: number }).gamma);
    expect(gammas.slice(0, 6)).toEqual([1, 0.9, 0.8, 0.7, 0.6, 0.5]);
    // The shipped compression forces digits and operators: every essential word is kept.
    expect(quality.configs.shipped['0.7'].essential_kept).toBe(1);
    const compressed = readFileSync(join(out, 'compressed.jsonl'), 'utf8').trim().split('\n');
    expect(compressed.length).toBeGreaterThan(10);
    expect(JSON.parse(compressed[0]!)).toHaveProperty('compressed_prompt');
    // Chinese CoTs are compressed with --join-cjk: no space between two Chinese characters.
    const chinese = compressed
      .map((l) => JSON.parse(l) as { compressed_prompt: string; language?: string })
      .filter((x) => x.language === 'zh');
    expect(chinese.length).toBeGreaterThan(0);
    for (const x of chinese)
      expect(x.compressed_prompt).not.toMatch(/\p{Script=Han} +\p{Script=Han}/u);
    for (const f of [
      'base-onnx/onnx/model.onnx',
      'tokenskip-onnx/onnx/model.onnx',
      'scorer/onnx/model.onnx',
    ])
      expect(existsSync(join(out, f)), f).toBe(true);

    const again = mini([]);
    expect(again.code, again.stderr.slice(-2000)).toBe(0);
    expect(again.stderr).not.toMatch(/\.\.\.\n/); // no step started
    expect(again.stderr.match(/done already/g)?.length).toBeGreaterThanOrEqual(18);
  }, 900_000);

  it('--reuse-base starts from the shipped base model read back from ONNX: no pretraining', () => {
    const reuse = join(out, 'reuse');
    const r = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'bin/tokenskip.mjs'),
        'mini',
        '--out',
        reuse,
        '--quick',
        '--reuse-base',
        join(repoRoot, 'models/mini/base'),
        '--recipe',
        join(reuse, '..', 'tiny-lora.json'),
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toMatch(/reuse-base: .* s/);
    expect(r.stderr).not.toMatch(/pretrain \.\.\./);
    // The checkpoint is the shipped base: its ONNX copy is the shipped file, byte for byte.
    // (Buffer.equals: toEqual walks the 7.7 MB element by element, minutes on a busy machine.)
    const copy = readFileSync(join(reuse, 'base-onnx/onnx/model.onnx'));
    const shipped = readFileSync(join(repoRoot, 'models/mini/base/onnx/model.onnx'));
    expect(copy.length).toBe(shipped.length);
    expect(copy.equals(shipped), 'base-onnx/onnx/model.onnx differs from the shipped file').toBe(
      true,
    );
    expect(existsSync(join(reuse, 'pretrain/model/model.safetensors'))).toBe(true);
    expect(existsSync(join(reuse, 'tokenskip-onnx/onnx/model.onnx'))).toBe(true);
  }, 900_000);

  it('refuses bad options before doing anything', () => {
    writeFileSync(join(out, 'typo.json'), '{"lora": {"rnak": 4}}');
    for (const [args, message] of [
      [['--reuse-base', join(out, 'nowhere')], /--reuse-base .*: expected an ONNX export of ours/],
      [['--recipe', join(out, 'typo.json')], /unknown recipe setting 'lora\.rnak'/],
      [['--seed=-1'], /--seed must be a whole number/],
      [['--threads', '0'], /--threads must be a positive whole number/],
      [['--device', 'tpu'], /--device must be auto, cpu or cuda/],
    ] as const) {
      const r = spawnSync(
        process.execPath,
        [join(repoRoot, 'bin/tokenskip.mjs'), 'mini', '--out', join(out, 'bad'), ...args],
        { encoding: 'utf8' },
      );
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(existsSync(join(out, 'bad'))).toBe(false);
    }
  });
});
