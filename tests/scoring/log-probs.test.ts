// log-softmax gathering against a softmax written out longhand (no max trick) on small logits.
import { describe, expect, it } from 'vitest';
import { gatherNextTokenLogProbs } from '../../src/core/scoring/log-probs.ts';

function naiveLogProb(row: number[], target: number): number {
  const z = row.reduce((s, x) => s + Math.exp(x), 0);
  return Math.log(Math.exp(row[target] as number) / z);
}

describe('gatherNextTokenLogProbs', () => {
  it('matches a longhand softmax and reads row t for token t + 1', () => {
    const rows = [
      [0.1, 2.0, -1.0, 0.5],
      [3.0, 3.0, 3.0, 3.0],
      [-2.0, 0.0, 5.0, 1.0],
    ];
    const next = [1, 3, 2];
    const lp = gatherNextTokenLogProbs(Float32Array.from(rows.flat()), 3, 4, next);
    expect(lp.length).toBe(3);
    rows.forEach((row, t) => expect(lp[t]).toBeCloseTo(naiveLogProb(row, next[t] as number), 6));
    expect(lp[1]).toBeCloseTo(Math.log(0.25), 6);
  });

  it('stays finite for logits that overflow a naive exp', () => {
    const lp = gatherNextTokenLogProbs(Float32Array.from([1000, 999, 0]), 1, 3, [1]);
    expect(lp[0]).toBeCloseTo(-1 - Math.log(1 + Math.exp(-1) + Math.exp(-1000)), 6);
  });

  it('rejects ids outside the vocabulary and too few logits', () => {
    expect(() => gatherNextTokenLogProbs(new Float32Array(8), 2, 4, [0, 4])).toThrow(
      /vocabulary of 4/,
    );
    expect(() => gatherNextTokenLogProbs(new Float32Array(7), 2, 4, [0, 1])).toThrow(
      /fewer than 2 positions/,
    );
  });
});
