/**
 * γ as the algorithm needs it (issue 23, items 4 and 7): the smallest γ accepted keeps the
 * LLMLingua-2 threshold percentile within numpy's [0, 100]; smaller ones are refused by the one
 * validator the CLI and the pages share. And γ in tables keeps the digits that tell 0.95 from 0.9.
 */
import { describe, expect, it } from 'vitest';
import { thresholdPercentile } from '../../src/core/compression/llmlingua2.ts';
import { mdCell } from '../../src/core/eval/report.ts';
import {
  MIN_GAMMA,
  gammaCell,
  gammaFromUrl,
  parseGamma,
  validateGamma,
} from '../../src/core/prompts/gamma.ts';

describe('the smallest γ', () => {
  it('keeps the threshold percentile within [0, 100] from MIN_GAMMA to 1', () => {
    for (const g of [MIN_GAMMA, 2e-15, 1e-12, 1e-6, 0.001, 0.5, 1]) {
      expect(thresholdPercentile(Math.max(0, 1 - g))).toBeLessThanOrEqual(100);
    }
    // Below it the reference's own formula goes out of range: what the CLI hit with 1e-17.
    expect(thresholdPercentile(1 - 1e-17)).toBe(101);
  });

  it.each([1e-17, 1e-320, 5e-324, MIN_GAMMA / 2])('refuses %s, naming it', (g) => {
    expect(() => validateGamma(g, '--rate')).toThrow(
      `--rate ${String(g)} is too small to keep any token`,
    );
  });

  it('accepts MIN_GAMMA and the formats it always took', () => {
    expect(validateGamma(MIN_GAMMA)).toBe(MIN_GAMMA);
    expect(parseGamma('1.5e-7')).toBe(1.5e-7);
  });

  it('URL parameters go through the same validator', () => {
    expect(gammaFromUrl(null)).toEqual({});
    expect(gammaFromUrl('0.6')).toEqual({ gamma: 0.6 });
    expect(gammaFromUrl('1e-320').error?.message).toMatch(
      /^γ in the URL 1e-320 is too small to keep any token/,
    );
    expect(gammaFromUrl('abc').error?.code).toBe('INVALID_ARGUMENT');
  });
});

describe('γ in tables', () => {
  it.each([
    [1, '1.0'],
    [0.9, '0.9'],
    [0.95, '0.95'],
    [0.55, '0.55'],
    [0.5, '0.5'],
    [0.1 + 0.2, '0.3'],
    [1.5e-7, '1.5e-7'],
  ])('%s -> %s', (g, text) => {
    expect(gammaCell(g)).toBe(text);
  });
});

describe('Markdown cells', () => {
  it.each([
    ['a|b', 'a&#124;b'],
    ['x\n| injected | row |', 'x &#124; injected &#124; row &#124;'],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ['a\r\nb', 'a b'],
    ['&lt;', '&amp;lt;'],
  ])('%j -> %j', (text, cell) => {
    expect(mdCell(text)).toBe(cell);
  });
});
