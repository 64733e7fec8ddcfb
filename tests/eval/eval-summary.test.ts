/** `tokenskip eval`'s per-γ report comes from the same metrics as the Benchmark page. */
import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/node/commands/eval.ts';

describe('eval summary', () => {
  it('reports accuracy, ΔAcc, ratio and speedup against γ = 1', () => {
    const sample = (gamma: number, correct: boolean, cot_tokens: number, latency_s: number) => ({
      key: `${gamma}-${cot_tokens}`,
      gamma,
      correct,
      cot_tokens,
      latency_s,
      prediction: '1',
    });
    const rows = summarize(
      [
        sample(1, true, 100, 2),
        sample(1, true, 80, 2),
        sample(0.5, true, 50, 1),
        sample(0.5, false, 40, 1),
      ],
      [1, 0.5],
    );
    expect(rows[0]).toMatchObject({ gamma: 1, accuracy: 1, delta_acc: 0, actual_ratio: 1 });
    expect(rows[1]).toMatchObject({ gamma: 0.5, accuracy: 0.5, delta_acc: -0.5, cot_tokens: 45 });
    expect(rows[1]!.actual_ratio).toBeCloseTo(45 / 90);
    expect(rows[1]!.speedup).toBeCloseTo(2);
  });

  it('leaves ΔAcc, ratio and speedup empty without a γ = 1 run', () => {
    const rows = summarize(
      [{ key: 'a', gamma: 0.6, correct: true, cot_tokens: 10, latency_s: 1, prediction: '' }],
      [0.6],
    );
    expect(rows[0]).toMatchObject({ delta_acc: null, actual_ratio: null, speedup: null });
  });
});
