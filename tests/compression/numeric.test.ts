import { describe, expect, it } from 'vitest';
import { numpyPercentile } from '../../src/core/compression/numpy-percentile.ts';
import { formatPyFixed } from '../../src/core/compression/py-format.ts';
import { thresholdPercentile } from '../../src/core/compression/llmlingua2.ts';

// [values, q, numpy 1.24 np.percentile(values, q)] — generated once with numpy, with ties on purpose.
const numpyGolden: [number[], number, number][] = [
  [[0.625, 0.897, 0.776, 0.225, 0.3], 50, 0.625],
  [[0.874, 0.874, 0.821, 0.797, 0.468, 0.303, 0.278], 68, 0.82524],
  [[0.255, 0.255, 0.255, 0.553, 0.996, 0.793, 0.622, 0.989, 0.215, 0.16, 0.613], 10, 0.215],
  [
    [0.044, 0.044, 0.044, 0.044, 0.917, 0.629, 0.514, 0.497, 0.248, 0.012, 0.192, 0.692, 0.201],
    41,
    0.18016,
  ],
  [[0.37, 0.004, 0.83, 0.154], 99, 0.8161999999999998],
  [[0.268, 0.268, 0.268, 0.847, 0.64, 0.742, 0.091, 0.541, 0.508], 100, 0.847],
  [[0.871], 31, 0.871],
  [
    [
      0.361, 0.361, 0.361, 0.361, 0.361, 0.361, 0.816, 0.379, 0.979, 0.59, 0.605, 0.638, 0.676,
      0.151, 0.44, 0.24, 0.402, 0.097, 0.968, 0.215,
    ],
    20,
    0.33680000000000004,
  ],
  [[0.672, 0.672, 0.874, 0.662, 0.132, 0.845], 0, 0.132],
  [
    [
      0.945, 0.945, 0.945, 0.945, 0.945, 0.928, 0.552, 0.181, 0.884, 0.642, 0.57, 0.376, 0.411,
      0.239, 0.038, 0.876, 0.468,
    ],
    67,
    0.91568,
  ],
  [[1, 2, 2, 2, 3], 50, 2],
  [[0.1, 0.5, 0.5, 0.9], 10, 0.22000000000000003],
];

describe('numpyPercentile', () => {
  it.each(numpyGolden)('matches numpy bit for bit on %j at q=%d', (values, q, expected) => {
    expect(numpyPercentile(values, q)).toBe(expected);
  });

  it('rejects q outside [0, 100] as numpy does (rate 0 would ask for 101)', () => {
    expect(() => numpyPercentile([1, 2], 101)).toThrow(/range \[0, 100\]/);
    expect(() => numpyPercentile([1, 2], Number.NaN)).toThrow();
  });
});

describe('thresholdPercentile (the reference int(100 * reduce_rate + 1))', () => {
  it.each([
    [0.9, 10], // 1 - 0.9 = 0.09999999999999998
    [0.33, 68],
    [0.8, 20],
    [0.7, 31],
    [0.6, 41],
    [0.5, 51],
  ])('rate %d -> percentile %d', (rate, q) => {
    expect(thresholdPercentile(Math.max(0, 1 - rate))).toBe(q);
  });
});

describe('formatPyFixed (Python f"{x:.1f}")', () => {
  it.each([
    [1.25, '1.2'], // exact tie: half to even
    [0.25, '0.2'],
    [0.75, '0.8'],
    [0.05, '0.1'], // 0.05 is slightly above the tie in binary
    [2.35, '2.4'],
    [37 / 21, '1.8'],
    [(1 / (37 / 21)) * 100, '56.8'],
    [100, '100.0'],
    [1, '1.0'],
  ])('%d -> %s', (x, text) => {
    expect(formatPyFixed(x, 1)).toBe(text);
  });
});
