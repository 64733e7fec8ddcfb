// Parity with the reference grader run for real: fixtures/sympy-verdicts.json holds 4,819
// (prediction, gold) pairs and the verdict of the reference's `is_correct` with sympy 1.14's
// parse_latex. The pairs are MATH-500 gold answers against themselves, their decimal values (4 and
// 2 places, rounded), expanded / factored / shifted forms of the symbolic ones, random pairs of
// golds, and a cross product of tricky answers (percentages, tuples, intervals, unions, matrices,
// equations, radicals, polynomials). Every verdict must match, except the listed cases where sympy's
// parser misreads the gold and the reference says "equal" to a wrong answer.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { isCorrect } from '../../src/core/eval/equal.ts';
// equal.ts reaches the CAS through symbolic-hook.ts; importing symbolic.ts installs it.
import '../../src/core/eval/symbolic.ts';

type Row = [prediction: string, gold: string, referenceVerdict: boolean];
const rows = JSON.parse(
  readFileSync(new URL('./fixtures/sympy-verdicts.json', import.meta.url), 'utf8'),
) as Row[];

/** sympy reads `1,-2` as 1 and a mixed number `1\frac{4}{5}` as the product 1*(4/5). */
const KNOWN_DIFFERENCES = new Set(
  [
    ['1.0000', '1,-2'],
    ['1.00', '1,-2'],
    ['1', '1,-2'],
    ['0.8000', '1\\frac{4}{5}'],
    ['0.80', '1\\frac{4}{5}'],
    ['68.5000', '137\\frac{1}{2}'],
    ['68.50', '137\\frac{1}{2}'],
  ].map((pair) => JSON.stringify(pair)),
);

it('agrees with the reference (sympy) on every pair but its parser slips', () => {
  expect(rows.length).toBe(4819);
  const differences = rows
    .filter(([prediction, gold, verdict]) => isCorrect(prediction, gold) !== verdict)
    .map(
      ([prediction, gold, verdict]) => `${JSON.stringify([prediction, gold])} reference=${verdict}`,
    );
  expect(differences).toEqual([...KNOWN_DIFFERENCES].map((pair) => `${pair} reference=true`));
});
