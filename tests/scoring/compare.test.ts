// Projection of two scorers' units onto the CoT's words, and the overlap statistics.
import { describe, expect, it } from 'vitest';
import { compareWords, cotWords, projectToWords } from '../../src/core/scoring/compare.ts';

const cot = 'She makes 9 * 2 = $18 every day.';

describe('projectToWords', () => {
  it('maps sub-word units (BPE, leading spaces) and whole words (▁) onto the same words', () => {
    const bpe = [
      { display: 'She', score: 1 },
      { display: ' ma', score: 2 },
      { display: 'kes', score: 4 },
      { display: ' 9', score: 5 },
      { display: ' *', score: 0 },
      { display: ' 2', score: 6 },
      { display: ' =', score: 0 },
      { display: ' $', score: 1 },
      { display: '18', score: 9 },
      { display: ' every', score: 3 },
      { display: ' day', score: 2 },
      { display: '.', score: 0 },
    ];
    const keptBpe = [false, true, false, true, false, true, false, false, true, true, false, false];
    const cells = projectToWords(cot, bpe, keptBpe);
    expect(cells.map((c) => c.text)).toEqual(cotWords(cot).map((w) => w.text));
    expect(cells.map((c) => c.score)).toEqual([1, 3, 5, 0, 6, 0, 5, 3, 1]);
    // 'makes': 1 of 2 units kept -> kept; '$18': 1 of 2 -> kept; 'day.': 0 of 2 -> dropped.
    expect(cells.map((c) => c.kept)).toEqual([
      false,
      true,
      true,
      false,
      true,
      false,
      true,
      true,
      false,
    ]);
    expect(cells[4]!.rank).toBe(1); // '2' has the top score
    expect(cells[3]!.rank).toBe(cells[5]!.rank); // tied zeros share a rank

    const xlmr = cotWords(cot).map((w, i) => ({ display: `▁${w.text}`, score: i }));
    const whole = projectToWords(
      cot,
      xlmr,
      xlmr.map((_, i) => i % 2 === 0),
    );
    expect(whole.map((c) => c.score)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(whole.map((c) => c.rank)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => i / 8));
  });

  it('skips units the CoT does not contain and leaves their words unscored', () => {
    const cells = projectToWords(
      'a b c',
      [
        { display: 'a', score: 1 },
        { display: '[NEW0]', score: 5 },
        { display: 'c', score: 2 },
      ],
      [true, true, true],
    );
    expect(cells.map((c) => c.kept)).toEqual([true, false, true]);
    expect(Number.isNaN(cells[1]!.score)).toBe(true);
  });
});

describe('compareWords', () => {
  it('counts overlap, Jaccard, agreement, rank correlation and disagreements', () => {
    const words = cotWords('w0 w1 w2 w3 w4');
    const a = projectToWords(
      'w0 w1 w2 w3 w4',
      words.map((w, i) => ({ display: w.text, score: i })),
      [true, true, true, false, false],
    );
    const b = projectToWords(
      'w0 w1 w2 w3 w4',
      words.map((w, i) => ({ display: w.text, score: 4 - i })),
      [false, true, true, true, false],
    );
    const stats = compareWords(a, b);
    expect(stats).toMatchObject({ words: 5, keptA: 3, keptB: 3, both: 2, onlyA: [0], onlyB: [3] });
    expect(stats.jaccard).toBeCloseTo(2 / 4);
    expect(stats.agreement).toBeCloseTo(3 / 5);
    expect(stats.spearman).toBeCloseTo(-1);
    expect(compareWords(a, a).spearman).toBeCloseTo(1);
  });
});
