/**
 * LLMLingua-2 algorithm against hand-checked vectors. The tokenizers are the real fixture
 * tokenizers; the keep-probabilities are chosen per token by the test (tableClassifier) so each
 * expected output can be worked out by hand from the reference's rules (worked in the comments).
 */
import { describe, expect, it } from 'vitest';
import {
  planBatches,
  scoreLingua2,
  selectLingua2,
  type LinguaOptions,
} from '../../src/core/compression/llmlingua2.ts';
import { buildModelInput, chunkContext } from '../../src/core/compression/llmlingua2-words.ts';
import type { ScorerTokenizer } from '../../src/core/compression/scorer-tokenizer.ts';
import { fixtureTokenizer, tableClassifier } from '../helpers/fixtures.ts';

const xlmr = fixtureTokenizer('xlmr');
const mbert = fixtureTokenizer('wordpiece');

async function compress(
  tokenizer: ScorerTokenizer,
  text: string,
  rate: number,
  probs: Record<string, number>,
  options: Partial<LinguaOptions> = {},
) {
  const classifier = tableClassifier(tokenizer, (t) => probs[t] ?? 0.5);
  const [scored] = await scoreLingua2([text], tokenizer, classifier, options, 'table');
  return { scored: scored!, result: selectLingua2(scored!, rate, tokenizer), classifier };
}

describe('selection (XLM-R family)', () => {
  // Words ▁Janet .2 (4 cl100k tokens), ▁sells .4 (4), ▁16 .9 (3), ▁eggs .6 (4), "." .1 (1).
  const probs = { '▁Janet': 0.2, '▁sells': 0.4, '▁16': 0.9, '▁eggs': 0.6, '.': 0.1 };

  it('keeps words above the cl100k-weighted numpy percentile', async () => {
    // rate 0.5 -> q 51; 16 expanded values [.1, .2x4, .4x4, .6x4, .9x3]; index 7.65 -> .4; keep p > .4.
    const { result } = await compress(xlmr, 'Janet sells 16 eggs.', 0.5, probs);
    expect(result.compressed_prompt).toBe('16 eggs');
    expect(result.word_labels).toEqual([
      ['Janet', 0],
      ['sells', 0],
      ['16', 1],
      ['eggs', 1],
      ['.', 0],
    ]);
    expect(result.origin_tokens).toBe(7);
    expect(result.compressed_tokens).toBe(2);
    expect(result.ratio).toBe('3.5x');
    expect(result.rate).toBe('28.6%');
  });

  it('rate 0.9 uses percentile 10, not 11 (float rounding of 1 - 0.9)', async () => {
    // q 10 -> index 1.5 -> .2; keep p > .2 (an 11th percentile would give the same .2 here, so also check q).
    const { result } = await compress(xlmr, 'Janet sells 16 eggs.', 0.9, probs);
    expect(result.compressed_prompt).toBe('sells 16 eggs');
  });

  it('rate 1 returns the text after a tokenizer round trip, every word labelled kept', async () => {
    const { result, classifier } = await compress(xlmr, 'Janet  sells 16 eggs.', 1, probs);
    expect(result.compressed_prompt).toBe('Janet sells 16 eggs.');
    expect(result.word_labels).toEqual([
      ['Janet', 1],
      ['sells', 1],
      ['16', 1],
      ['eggs', 1],
    ]);
    expect(result.compressed_tokens).toBe(7);
    expect(classifier.batches).toHaveLength(1); // scored once anyway, so the slider can move below 1
  });

  it('force_reserve_digit gives tokens with a digit probability 1.0', async () => {
    // [.5, .6, 1.0, .7] weights [3, 4, 3, 4] -> q 51 at index 6.63 between .6 and .7 -> .663.
    const p = { '▁She': 0.5, '▁bought': 0.6, '▁12': 0.1, '▁apples': 0.7 };
    const forced = await compress(xlmr, 'She bought 12 apples', 0.5, p, {
      forceReserveDigit: true,
    });
    expect(forced.result.compressed_prompt).toBe('12 apples');
    expect(forced.scored.chunks[0]![2]).toMatchObject({ display: '12', score: 1, forced: true });
    // Without it: [.5, .6, .1, .7] -> threshold .6 -> only "apples".
    const plain = await compress(xlmr, 'She bought 12 apples', 0.5, p);
    expect(plain.result.compressed_prompt).toBe('apples');
  });

  it('multi-piece force tokens go through [NEWi] placeholders and come back', async () => {
    // "Step" is 4 pieces in the fixture tokenizer -> [NEW0]; ":" is one piece -> not mapped.
    const { scored, result, classifier } = await compress(
      xlmr,
      'Step 1: add 2 and 3.',
      0.3,
      {},
      { forceTokens: ['Step', ':'] },
    );
    expect(scored.tokenMap).toEqual([['Step', '[NEW0]']]);
    const row = classifier.batches[0]![0]!;
    expect(Array.from(row.ids)).toContain(xlmr.vocabSize - 100); // [NEW0] has id base_vocab + 0
    const step = scored.chunks[0]![0]!;
    expect(step).toMatchObject({ text: 'Step', display: 'Step', score: 1, forced: true });
    expect(result.compressed_prompt.startsWith('Step')).toBe(true);
    expect(result.compressed_prompt).not.toContain('[NEW');
  });

  it('feeds <unk> at both ends like the reference, or <s></s> with realBoundaries', async () => {
    const parity = buildModelInput(xlmr, 'Janet sells.', false);
    expect(parity.ids[0]).toBe(3);
    expect(parity.ids[parity.ids.length - 1]).toBe(3);
    const fixed = buildModelInput(xlmr, 'Janet sells.', true);
    expect([fixed.ids[0], fixed.ids[fixed.ids.length - 1]]).toEqual([0, 2]);
    // Both are special tokens, so they never become words.
    const { scored } = await compress(xlmr, 'Janet sells.', 0.5, {}, { realBoundaries: true });
    expect(scored.chunks[0]!.map((w) => w.display)).toEqual(['Janet', 'sells', '.']);
  });
});

describe('selection (mBERT family)', () => {
  it('merges ## continuations with mean or first token probability', async () => {
    const probs = { S: 0.8, '##t': 0.2, '##e': 0.2, '##p': 0.4 };
    const mean = await compress(mbert, 'Step', 0.5, probs);
    expect(mean.scored.chunks[0]).toHaveLength(1);
    expect(mean.scored.chunks[0]![0]!.text).toBe('Step');
    expect(mean.scored.chunks[0]![0]!.score).toBeCloseTo(0.4, 6);
    const first = await compress(mbert, 'Step', 0.5, probs, { tokenToWord: 'first' });
    expect(first.scored.chunks[0]![0]!.score).toBeCloseTo(0.8, 6);
  });

  it('drop_consecutive drops a force token repeating the previous one with nothing kept between', async () => {
    // Words ":" 1.0 (forced), "1" .05, ":" 1.0, "4" .9, each one cl100k token.
    // "between" threshold = percentile([1, .05, 1, .9], 50) = .95: "1" is not above it, so the
    // second ":" gets 0. Then percentile([1, .05, 0, .9], 51) = .5005 -> keep ":" and "4".
    const probs = { ':': 0.3, '1': 0.05, '4': 0.9 };
    const dropped = await compress(mbert, ': 1 : 4', 0.5, probs, {
      forceTokens: [':'],
      dropConsecutive: true,
    });
    expect(dropped.result.compressed_prompt).toBe(': 4');
    expect(dropped.result.word_labels).toEqual([
      [':', 1],
      ['1', 0],
      [':', 0],
      ['4', 1],
    ]);
    // Without it: percentile([1, .05, 1, .9], 51) = .953 -> only the two forced ":" survive.
    const kept = await compress(mbert, ': 1 : 4', 0.5, probs, { forceTokens: [':'] });
    expect(kept.result.compressed_prompt).toBe(': :');
  });

  it('joins kept words with the WordPiece decoder and its clean-up', async () => {
    // q 10 over [.91, .92, .93, .94, .95] -> .914: "Janet" goes, and " ." is cleaned up to ".".
    const probs = { Janet: 0.91, sells: 0.92, '16': 0.93, eggs: 0.94, '.': 0.95 };
    const { result } = await compress(mbert, 'Janet sells 16 eggs.', 0.9, probs);
    expect(result.compressed_prompt).toBe('sells 16 eggs.');
  });
});

describe('chunking', () => {
  const sentence = 'She adds 2 and 3 to get 5.';
  const long = Array.from({ length: 80 }, () => sentence).join(' ');

  it('cuts windows of at most 511 tokens at the last chunk-end token', () => {
    const chunks = chunkContext(xlmr, long, new Set(['.', '\n']));
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(xlmr.tokenize(chunk).length).toBeLessThanOrEqual(511);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.endsWith('.')).toBe(true);
    expect(chunks.join(' ')).toBe(long);
  });

  it('cuts at exactly 511 tokens when there is no chunk-end token', () => {
    const words = Array.from({ length: 600 }, () => 'add').join(' ');
    const chunks = chunkContext(xlmr, words, new Set(['.']));
    expect(xlmr.tokenize(chunks[0]!)).toHaveLength(511);
    expect(xlmr.tokenize(chunks[1]!)).toHaveLength(89);
  });

  it('fuses chunks with "" like the reference unless spaceBetweenChunks is set', async () => {
    const parity = await compress(xlmr, long, 1, {});
    expect(parity.result.compressed_prompt).toContain('5.She');
    const fixed = await compress(xlmr, long, 1, {}, { spaceBetweenChunks: true });
    expect(fixed.result.compressed_prompt).toBe(long);
  });

  it('batches chunks of many texts into shared model calls', async () => {
    const classifier = tableClassifier(xlmr, () => 0.5);
    const texts = [long, 'Janet sells 16 eggs.', long, 'She adds 2 and 3.'];
    const scored = await scoreLingua2(texts, xlmr, classifier, { batchSize: 50 });
    const rows = scored.reduce((n, s) => n + s.chunkTexts.length, 0);
    expect(classifier.batches.flat()).toHaveLength(rows);
    expect(classifier.batches.length).toBeLessThan(rows); // several rows share a call
    expect(scored.map((s) => s.chunks.length)).toEqual(scored.map((s) => s.chunkTexts.length));
    // Results come back in input order whatever the batching.
    expect(scored[1]!.chunks[0]!.map((w) => w.display)).toEqual([
      'Janet',
      'sells',
      '16',
      'eggs',
      '.',
    ]);
  });
});

describe('planBatches', () => {
  it('caps calls at batchSize rows, shortest first', () => {
    expect(planBatches([5, 5, 5, 5, 5], 2)).toEqual([[0, 1], [2, 3], [4]]);
    expect(planBatches([9, 3, 6, 3], 50, 10)).toEqual([[1, 3, 2, 0]]);
  });

  it('closes a call when padding to its longest row would waste more than maxWaste', () => {
    // 100 + 110 padded to 110 wastes 10/210 < 20%; adding 500 would waste far more.
    expect(planBatches([500, 100, 110], 50, 0.2)).toEqual([[1, 2], [0]]);
    expect(planBatches([], 50)).toEqual([]);
  });
});

describe('bad input', () => {
  const classifier = tableClassifier(xlmr, () => 0.5);
  it.each([
    ['', /empty/],
    ['   \n\t ', /empty/],
    ['x'.repeat(1_000_001), /limit is 1,000,000/],
  ])('rejects %#', async (text, message) => {
    await expect(scoreLingua2([text], xlmr, classifier)).rejects.toThrow(message);
  });

  it.each([0, -0.5, 1.01, Number.NaN, 'abc'])('rejects rate %s', async (rate) => {
    const [scored] = await scoreLingua2(['Janet sells 16 eggs.'], xlmr, classifier);
    expect(() => selectLingua2(scored!, rate as number, xlmr)).toThrow(/rate must be/);
  });
});
