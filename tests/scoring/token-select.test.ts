// The causal scorers' per-window selection: the reference threshold rule and its edge cases.
import { describe, expect, it } from 'vitest';
import { referenceThreshold, selectWindow } from '../../src/core/scoring/token-select.ts';

const count = (flags: boolean[]): number => flags.filter(Boolean).length;

describe('reference selection (sort descending, keep above value at floor(N*ratio) - 1)', () => {
  const scores = [0.5, -1, 3, 2.5, 0, 7, -4, 1.25, 6, 4];

  it.each([
    [0.9, 8],
    [0.8, 7],
    [0.7, 6],
    [0.6, 5],
    [0.5, 4],
  ])('ratio %f on 10 distinct scores keeps floor(10*ratio) - 1 = %i', (ratio, expected) => {
    const flags = selectWindow(scores, ratio);
    expect(count(flags)).toBe(expected);
    // The kept ones are the highest scores.
    const keptMin = Math.min(...scores.filter((_, i) => flags[i]));
    const droppedMax = Math.max(...scores.filter((_, i) => !flags[i]));
    expect(keptMin).toBeGreaterThan(droppedMax);
  });

  it('ratio 1 keeps everything (threshold -Infinity), even with ties', () => {
    expect(referenceThreshold([1, 1, 1], 1)).toBe(-Infinity);
    expect(count(selectWindow([1, 1, 1], 1))).toBe(3);
  });

  it('drops every score tied with the threshold', () => {
    // floor(6 * 0.5) - 1 = 2 -> threshold = sorted[2] = 5; three 5s are all dropped.
    const flags = selectWindow([9, 5, 5, 5, 1, 0], 0.5);
    expect(flags).toEqual([true, false, false, false, false, false]);
  });

  it('keeps nothing when floor(N*ratio) <= 1 (index clamps to 0)', () => {
    expect(count(selectWindow([3], 0.9))).toBe(0);
    expect(count(selectWindow([3, 1], 0.5))).toBe(0);
  });

  it('floors the float product as Python int() does', () => {
    // 100 * 0.29 = 28.999999999999996 -> 28 -> keeps 27.
    const hundred = Array.from({ length: 100 }, (_, i) => i);
    expect(count(selectWindow(hundred, 0.29))).toBe(27);
    // 10 * 0.7 = 7.000000000000001 -> 7 -> keeps 6.
    expect(count(selectWindow(hundred.slice(0, 10), 0.7))).toBe(6);
  });

  it('rejects ratios outside (0, 1]', () => {
    expect(() => selectWindow([1], 0)).toThrow(/in \(0, 1\]/);
    expect(() => selectWindow([1], 1.5)).toThrow(/in \(0, 1\]/);
    expect(() => selectWindow([1], Number.NaN)).toThrow(/in \(0, 1\]/);
  });
});

describe('exact selection', () => {
  it('reaches round(N*ratio) with ties broken by text order', () => {
    const scores = [1, 1, 1, 1, 0, 0, 0, 0];
    const flags = selectWindow(scores, 0.25, 'exact');
    expect(flags).toEqual([true, true, false, false, false, false, false, false]);
    for (const ratio of [0.9, 0.75, 0.5, 0.33]) {
      const many = Array.from({ length: 1800 }, (_, i) => Math.sin(i) * 10);
      expect(count(selectWindow(many, ratio, 'exact'))).toBe(Math.round(1800 * ratio));
    }
  });
});
