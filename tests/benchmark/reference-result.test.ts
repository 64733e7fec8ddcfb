/**
 * The Benchmark page opens on the committed reference run (models/mini/table.json) in the same
 * rows a browser run fills: the original model first, every row measured against it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  referenceRunSummaries,
  referenceTiming,
  type MiniTable,
} from '../../src/core/eval/reference-table.ts';

const table = JSON.parse(readFileSync('models/mini/table.json', 'utf8')) as MiniTable;
const runs = referenceRunSummaries(table, {
  original: 'mini-base',
  tokenskip: 'mini-tokenskip',
  dataset: 'arith',
});

describe('the reference run as benchmark rows', () => {
  it('keeps the table figures, the original model first and the baseline of every row', () => {
    expect(runs).toHaveLength(table.rows.length);
    expect(runs[0]).toMatchObject({ method: 'Original', model: 'mini-base', original: true });
    expect(runs[1]).toMatchObject({ method: 'TokenSkip γ=1', model: 'mini-tokenskip', gamma: 1 });
    for (const [i, r] of runs.entries()) {
      const row = table.rows[i]!;
      expect(r.baseline).toBe(runs[0]!.name);
      expect(r.accuracyPct).toBeCloseTo(100 * row.accuracy, 9);
      expect(r.deltaAccPct).toBeCloseTo(100 * row.delta_acc, 9);
      expect(r.speedup).toBe(row.speedup);
      expect(r.actualRatio).toBe(row.actual_ratio);
    }
    expect(new Set(runs.map((r) => r.name)).size).toBe(runs.length);
  });

  it('checks each speedup against its ideal 1 / ratio, as the page does for a browser run', () => {
    const timing = referenceTiming(runs);
    expect(timing.map((t) => t.run)).toEqual(runs.map((r) => r.name));
    for (const [i, t] of timing.entries()) {
      const row = table.rows[i]!;
      expect(t.speedupOverIdeal).toBeCloseTo(row.speedup * row.actual_ratio, 9);
    }
    expect(timing[0]).toMatchObject({ baseline: true, speedupOverIdeal: 1 });
  });
});
