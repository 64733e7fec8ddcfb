/** The worked example's variants: worded as the canonical example, and the committed eval file. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  canonicalExample,
  workedExamples,
  workedVariant,
} from '../../src/core/datasets/canonical-example.ts';

describe('workedVariant', () => {
  it('with the canonical numbers is the canonical example, in both languages', () => {
    for (const l of ['en', 'zh'] as const) {
      const v = workedVariant(l, 5, 3, 2);
      const c = canonicalExample(l);
      expect([v.question, v.cot, v.answer]).toEqual([c.question, c.cot, c.answer]);
    }
  });

  it('data/arith/worked.jsonl holds exactly workedExamples()', () => {
    const rows = readFileSync('data/arith/worked.jsonl', 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(rows).toEqual(
      workedExamples().map(({ id, question, cot, answer }) => ({ id, question, cot, answer })),
    );
    expect(new Set(rows.map((r) => r.answer)).size).toBeGreaterThan(3);
  });
});
