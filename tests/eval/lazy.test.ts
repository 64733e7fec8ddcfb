// The browser's grading path (src/core/eval/lazy.ts): Compute Engine is imported only when an
// answer reaches the symbolic check, and the verdicts are those of the eager grader.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gradeSampleLazy } from '../../src/core/eval/lazy.ts';
import { symbolicLoaded } from '../../src/core/eval/symbolic-hook.ts';

const gsm8k = readFileSync('data/gsm8k/test.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, 50)
  .map((l) => JSON.parse(l) as { question: string; answer: string });

describe('gradeSampleLazy', () => {
  it('grades GSM8K (numbers) without loading the CAS, then loads it for a symbolic MATH answer', async () => {
    for (const row of gsm8k) {
      const right = await gradeSampleLazy({
        dataset: 'gsm8k',
        question: row.question,
        output: `So the total is ${row.answer}.\n\nThe final answer is: $\\boxed{${row.answer}}$`,
        answer: row.answer,
      });
      expect(right.correct).toBe(true);
      const wrong = await gradeSampleLazy({
        dataset: 'gsm8k',
        question: row.question,
        output: 'The final answer is: $\\boxed{-0.5}$',
        answer: row.answer,
      });
      expect(wrong.correct).toBe(false);
    }
    // Plain numbers on MATH do not need it either.
    const plain = await gradeSampleLazy({ dataset: 'math', output: '$\\boxed{12}$', answer: '12' });
    expect(plain.correct).toBe(true);
    expect(symbolicLoaded()).toBe(false);

    const symbolic = await gradeSampleLazy({
      dataset: 'math',
      output: 'so $\\boxed{\\frac{1}{\\sqrt{3}}}$',
      answer: '\\frac{\\sqrt{3}}{3}',
    });
    expect(symbolicLoaded()).toBe(true);
    expect(symbolic.correct).toBe(true);
    const notEqual = await gradeSampleLazy({
      dataset: 'math',
      output: '$\\boxed{x^2+2x}$',
      answer: '(x+1)^2',
    });
    expect(notEqual.correct).toBe(false);
  });
});
