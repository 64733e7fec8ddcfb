/**
 * Compares two scorers on the same CoT, word by word, for the Compress page's comparison view.
 *
 * Scorers cut text differently (LLMLingua-2: XLM-R/mBERT words; CTS/perplexity: byte-BPE tokens of
 * the reference model), so both are projected onto one shared grid: the CoT's whitespace-delimited
 * words. A scorer's units are located in the CoT in order (`display` searched from a cursor); a
 * word's score is the mean of the units overlapping it and it counts as kept when at least half of
 * those units are kept. Scores live on different scales (a probability, a log-prob gain, a
 * surprisal), so each word also gets its percentile rank within its scorer, which is what the heat
 * maps colour and what the rank correlation uses.
 *
 *   const a = projectToWords(cot, unitsOf(scoredA), keptUnits(scoredA, resultA));
 *   const b = projectToWords(cot, unitsOf(scoredB), keptUnits(scoredB, resultB));
 *   const stats = compareWords(a, b); // overlap, Jaccard, Spearman, disagreements
 */
import type { CompressionResult, ScoredText } from '../compression/types.ts';
import { textWords, type TextWord } from '../compression/text-words.ts';
import { TokenSkipError } from '../errors.ts';

export type CotWord = TextWord;

export interface WordCell extends CotWord {
  /** Mean score of the scorer's units on this word (NaN when none landed on it). */
  score: number;
  /** Percentile rank of `score` among this scorer's words, in [0, 1]. */
  rank: number;
  kept: boolean;
}

export interface Comparison {
  words: number;
  keptA: number;
  keptB: number;
  /** Kept by both. */
  both: number;
  /** |A ∩ B| / |A ∪ B| of the kept word sets (1 when both keep nothing). */
  jaccard: number;
  /** Share of words where both make the same keep/drop decision. */
  agreement: number;
  /** Spearman rank correlation of the two scorers' word scores. */
  spearman: number;
  /** Word indexes kept by exactly one scorer. */
  onlyA: number[];
  onlyB: number[];
}

/** The CoT's words (Chinese: one per character), see `textWords`. */
export const cotWords: (cot: string) => CotWord[] = textWords;

/** The scored units in text order, with the text to look for in the CoT. */
export function unitsOf(scored: ScoredText): { display: string; score: number }[] {
  return scored.chunks.flat().map((w) => ({ display: w.display, score: w.score }));
}

/**
 * Per-unit keep flags of a selection. Causal selections carry them (`kept`); LLMLingua-2 labels
 * every scored word in order, except at γ = 1 where it keeps the whole text.
 */
export function keptUnits(
  scored: ScoredText,
  result: CompressionResult & { kept?: boolean[][] },
): boolean[] {
  if (result.kept) return result.kept.flat();
  const units = scored.chunks.flat();
  if (result.word_labels.length !== units.length) return units.map(() => true);
  return result.word_labels.map(([, label]) => label === 1);
}

/** Fractional ranks in [0, 1] (ties share their mean rank; NaN ranks 0). */
function percentileRanks(values: number[]): number[] {
  const order = values
    .map((v, i) => ({ v: Number.isNaN(v) ? -Infinity : v, i }))
    .sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(values.length).fill(0);
  for (let s = 0; s < order.length;) {
    let e = s;
    while (e + 1 < order.length && order[e + 1]!.v === order[s]!.v) e++;
    const mean = (s + e) / 2;
    for (let k = s; k <= e; k++) ranks[order[k]!.i] = mean;
    s = e + 1;
  }
  const top = Math.max(1, values.length - 1);
  return ranks.map((r) => r / top);
}

export function projectToWords(
  cot: string,
  units: { display: string; score: number }[],
  kept: boolean[],
): WordCell[] {
  const words = cotWords(cot);
  const sums = words.map(() => ({ score: 0, n: 0, kept: 0 }));
  let cursor = 0;
  let w = 0;
  units.forEach((unit, u) => {
    const needle = unit.display.trim().replace(/^▁+/, '');
    if (!needle) return;
    const at = cot.indexOf(needle, cursor);
    // A unit the CoT does not contain near the cursor (normalised text, placeholders) is skipped.
    if (at < 0 || at - cursor > 200) return;
    const end = at + needle.length;
    cursor = end;
    while (w < words.length && words[w]!.end <= at) w++;
    for (let k = w; k < words.length && words[k]!.start < end; k++) {
      const sum = sums[k]!;
      sum.score += unit.score;
      sum.n += 1;
      if (kept[u]) sum.kept += 1;
    }
  });
  const scores = sums.map((s) => (s.n > 0 ? s.score / s.n : Number.NaN));
  const ranks = percentileRanks(scores);
  return words.map((word, i) => ({
    ...word,
    score: scores[i]!,
    rank: ranks[i]!,
    kept: sums[i]!.n > 0 && sums[i]!.kept * 2 >= sums[i]!.n,
  }));
}

function pearson(x: number[], y: number[]): number {
  const n = x.length;
  if (n < 2) return Number.NaN;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? Number.NaN : sxy / Math.sqrt(sxx * syy);
}

export function compareWords(a: WordCell[], b: WordCell[]): Comparison {
  if (a.length !== b.length) {
    throw new TokenSkipError('INTERNAL', { id: 'compareNotAligned' });
  }
  const onlyA: number[] = [];
  const onlyB: number[] = [];
  let both = 0;
  let same = 0;
  a.forEach((cell, i) => {
    const other = b[i]!;
    if (cell.kept && other.kept) both++;
    else if (cell.kept) onlyA.push(i);
    else if (other.kept) onlyB.push(i);
    if (cell.kept === other.kept) same++;
  });
  const keptA = a.filter((c) => c.kept).length;
  const keptB = b.filter((c) => c.kept).length;
  const union = keptA + keptB - both;
  return {
    words: a.length,
    keptA,
    keptB,
    both,
    jaccard: union === 0 ? 1 : both / union,
    agreement: a.length === 0 ? 1 : same / a.length,
    spearman: pearson(
      a.map((c) => c.rank),
      b.map((c) => c.rank),
    ),
    onlyA,
    onlyB,
  };
}
