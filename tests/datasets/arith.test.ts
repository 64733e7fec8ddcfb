/**
 * TinyArith, the mini models' task: deterministic, disjoint splits, every problem solvable from its
 * own CoT and graded correct by the project grader, word roles that line up with the CoT, and the
 * shipped data/arith/ exactly what `tokenskip data arith` writes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  arithProblem,
  arithSplits,
  cotWords,
  emptyTally,
  parseRoles,
  tallyRoles,
} from '../../src/core/datasets/arith.ts';
import { gradeSample } from '../../src/core/eval/index.ts';
import { repoRoot } from '../helpers/fixtures.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-arith-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/tokenskip.mjs'), ...args], {
    encoding: 'utf8',
    cwd: dir,
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('TinyArith generator', () => {
  const splits = arithSplits(1, { train: 3000, val: 300, test: 500 });
  const all = [...splits.train, ...splits.val, ...splits.test];

  it('is deterministic: the same seed gives the same problems, another seed others', () => {
    expect(arithSplits(1, { train: 3000, val: 300, test: 500 })).toEqual(splits);
    expect(arithProblem(12345, 'x')).toEqual(arithProblem(12345, 'x'));
    const other = arithSplits(2, { train: 50, val: 0, test: 0 });
    expect(other.train.map((p) => p.question)).not.toEqual(
      splits.train.slice(0, 50).map((p) => p.question),
    );
    // A larger split extends the same stream: the first problems never change.
    expect(arithSplits(1, { train: 100, val: 300, test: 500 }).train).toEqual(
      splits.train.slice(0, 100),
    );
  });

  it('keeps train, validation and test disjoint', () => {
    const seen = new Map<string, string>();
    for (const [name, list] of Object.entries(splits)) {
      for (const p of list) {
        expect(seen.get(p.question), `${p.id} repeats a ${seen.get(p.question)} question`).toBe(
          undefined,
        );
        seen.set(p.question, name);
      }
    }
    expect(seen.size).toBe(3800);
  });

  it('writes every step of the arithmetic correctly and ends on the answer', () => {
    for (const p of all) {
      const steps = [...p.cot.matchAll(/(\d+) ([-+*/]) (\d+) = (\d+)/g)];
      expect(steps).toHaveLength(p.steps);
      let value: number | undefined;
      for (const [, a, op, b, c] of steps) {
        const x = Number(a);
        const y = Number(b);
        const expected = { '+': x + y, '-': x - y, '*': x * y, '/': x / y }[op!]!;
        expect(Number(c), `${p.id}: ${a} ${op} ${b} = ${c}`).toBe(expected);
        if (value !== undefined) expect(x, `${p.id} chains its steps`).toBe(value);
        value = Number(c);
        expect(value).toBeGreaterThanOrEqual(1);
        expect(value).toBeLessThanOrEqual(20);
      }
      expect(String(value)).toBe(p.answer);
      expect(p.steps).toBeGreaterThanOrEqual(2);
      expect(p.steps).toBeLessThanOrEqual(4);
    }
  });

  it('is graded correct from its own CoT in the TokenSkip answer format, wrong with another answer', () => {
    for (const p of all.slice(0, 400)) {
      const output = `${p.cot}\n\nThe final answer is: $\\boxed{${p.answer}}$`;
      expect(
        gradeSample({ dataset: 'gsm8k', question: p.question, output, answer: p.answer }).correct,
      ).toBe(true);
      const wrong = `${p.cot}\n\nThe final answer is: $\\boxed{${Number(p.answer) + 1}}$`;
      expect(
        gradeSample({ dataset: 'gsm8k', question: p.question, output: wrong, answer: p.answer })
          .correct,
      ).toBe(false);
    }
  });

  it('gives every CoT word a role: numbers and operators essential, connectives filler', () => {
    for (const p of all.slice(0, 500)) {
      const words = cotWords(p.cot);
      expect(p.roles).toHaveLength(words.length);
      words.forEach((w, i) => {
        if (/^\d+\.?$|^[-+*/=]$/.test(w)) expect(p.roles[i], `${p.id} '${w}'`).toBe('essential');
        else expect(p.roles[i], `${p.id} '${w}'`).not.toBe('essential');
      });
      // Every problem has filler to skip and context in between.
      expect(p.roles).toContain('filler');
      expect(p.roles).toContain('context');
    }
  });

  it('tallies kept words per role through the scorer’s own word split', () => {
    const p = arithProblem(7, 'x');
    const words = cotWords(p.cot);
    // A compressor that keeps exactly the essential words, reported with punctuation split off.
    const labels = words.flatMap((w, i): [string, number][] => {
      const keep = p.roles[i] === 'essential' ? 1 : 0;
      const m = /^(.*?)([.,]?)$/.exec(w)!;
      return m[2]
        ? [
            [m[1]!, keep],
            [m[2], 0],
          ]
        : [[w, keep]];
    });
    const t = tallyRoles(emptyTally(), p.cot, p.roles, labels);
    expect(t.essential.kept).toBe(t.essential.total);
    expect(t.filler.kept).toBe(0);
    expect(t.context.kept).toBe(0);
    expect(() => tallyRoles(emptyTally(), p.cot, p.roles.slice(1), labels)).toThrow(/roles/);
  });

  it('refuses a seed or size out of range with a clear message', () => {
    expect(() => arithSplits(-1, { train: 1, val: 1, test: 1 })).toThrow(
      /seed must be a whole number/,
    );
    expect(() => arithSplits(1, { train: 1.5, val: 1, test: 1 })).toThrow(
      /train size must be a whole number/,
    );
    expect(() => arithSplits(1, { train: 2_000_000, val: 1, test: 1 })).toThrow(/1,000,000/);
    expect(() => parseRoles('efx')).toThrow(/unknown word role 'x'/);
  });
});

describe('tokenskip data arith', () => {
  it('writes exactly the shipped data/arith/', () => {
    const out = path.join(dir, 'arith');
    const r = cli(['data', 'arith', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ train: 5000, val: 500, test: 1000 });
    for (const split of ['train', 'val', 'test']) {
      expect(readFileSync(path.join(out, `${split}.jsonl`), 'utf8')).toBe(
        readFileSync(path.join(repoRoot, 'data/arith', `${split}.jsonl`), 'utf8'),
      );
    }
    const line = JSON.parse(readFileSync(path.join(out, 'test.jsonl'), 'utf8').split('\n')[0]!);
    expect(Object.keys(line)).toEqual(['question', 'answer', 'cot', 'id', 'steps', 'roles']);
    expect(parseRoles(line.roles)).toHaveLength(cotWords(line.cot).length);
  });

  it('refuses bad sizes and seeds before writing anything', () => {
    for (const args of [
      ['--seed=-3'],
      ['--seed', '4294967296'],
      ['--train', 'abc'],
      ['--test', '2000000'],
    ]) {
      const out = path.join(dir, `bad-${args.join('')}`);
      const r = cli(['data', 'arith', '--out', out, ...args]);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(/seed|train|test/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
    }
    const wrong = cli(['data', 'gsm9k', '--out', dir]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/expected the dataset name 'arith'/);
  });
});

describe('TinyArith in Chinese', () => {
  const splits = arithSplits(1, { train: 400, val: 50, test: 50 }, ['en', 'zh']);
  const zh = splits.train.filter((p) => p.language === 'zh');

  it('takes the languages in turn, and the English problems keep their ids and wording', () => {
    expect(splits.train.map((p) => p.language ?? 'en').slice(0, 4)).toEqual([
      'en',
      'zh',
      'en',
      'zh',
    ]);
    expect(zh).toHaveLength(200);
    expect(arithProblem(99, 'x', 'en')).toEqual(arithProblem(99, 'x'));
    expect(() => arithSplits(1, { train: 1, val: 0, test: 0 }, [])).toThrow(/languages/);
  });

  it('is the translation of the English problem with the same seed: same numbers, steps, answer', () => {
    for (let seed = 1; seed < 300; seed++) {
      const en = arithProblem(seed, 'x');
      const cn = arithProblem(seed, 'x', 'zh');
      const digits = (s: string) => s.match(/\d+/g);
      expect(digits(cn.question)).toEqual(digits(en.question));
      expect(digits(cn.cot)).toEqual(digits(en.cot));
      expect([cn.answer, cn.steps]).toEqual([en.answer, en.steps]);
      expect(cn.question).toMatch(/^[^a-zA-Z]+$/);
    }
  });

  it('computes correctly, is graded correct, and gives one role per character', () => {
    for (const p of zh) {
      const steps = [...p.cot.matchAll(/(\d+) ([-+*/]) (\d+) = (\d+)/g)];
      expect(steps).toHaveLength(p.steps);
      expect(steps.at(-1)![4]).toBe(p.answer);
      const output = `${p.cot}\n\nThe final answer is: $\\boxed{${p.answer}}$`;
      expect(
        gradeSample({ dataset: 'gsm8k', question: p.question, output, answer: p.answer }).correct,
      ).toBe(true);
      const words = cotWords(p.cot);
      expect(p.roles).toHaveLength(words.length);
      words.forEach((w, i) => {
        if (/^\d+$|^[-+*/=]$/.test(w)) expect(p.roles[i], `${p.id} '${w}'`).toBe('essential');
        else {
          expect(w, `${p.id}: a Chinese word is one character`).toHaveLength(1);
          expect(p.roles[i]).not.toBe('essential');
        }
      });
      expect(p.roles).toContain('filler');
    }
  });

  it('writes `language` only on Chinese lines, and refuses an unknown language', () => {
    const out = path.join(dir, 'arith-zh');
    const r = cli(['data', 'arith', '--out', out, '--train', '4', '--languages', 'en,zh']);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(path.join(out, 'train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.language)).toEqual([undefined, 'zh', undefined, 'zh']);
    const bad = cli(['data', 'arith', '--out', path.join(dir, 'x'), '--languages', 'en,fr']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--languages takes en and\/or zh/);
  });
});
