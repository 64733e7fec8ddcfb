/**
 * LLMLingua-2 `compress_prompt` for one context, split in two so a γ slider never re-runs the model:
 *
 *   const scored = await scoreLingua2([text], tokenizer, classifier, options);   // the model runs here
 *   const result = selectLingua2(scored[0], 0.5, tokenizer);                      // any γ, instantly
 *
 * `scoreLingua2` takes many texts at once and sends all their chunks through the classifier in
 * batches (the reference batches 50 rows), which is what makes the CLI fast on JSONL files.
 * Parity with microsoft/LLMLingua v0.2.2 is the default; `realBoundaries` and `spaceBetweenChunks`
 * fix the two reference quirks that are plainly bugs (see docs in the README).
 */
import { TokenSkipError } from '../errors.ts';
import { numpyPercentile } from './numpy-percentile.ts';
import { formatPyFixed } from './py-format.ts';
import { countCl100kTokens } from './token-count.ts';
import type { ScorerTokenizer, TokenDecoder, TokenDecoderSpec } from './scorer-tokenizer.ts';
import type { CompressionResult, ScoredText, ScoredWord } from './types.ts';
import { validateGamma } from '../prompts/gamma.ts';
import { joinCjkText } from './text-words.ts';
import { validateText } from './validate-text.ts';
import {
  applyTokenMap,
  buildModelInput,
  buildTokenMap,
  chunkContext,
  groupChineseWords,
  mergeTokensToWords,
  revertTokenMap,
  splitStringToWords,
  wordProbability,
  type ModelInput,
  type TokenMap,
  type TokenToWord,
} from './llmlingua2-words.ts';

/** The model seam: keep-probabilities (softmax class 1) for every position of every row. */
export interface TokenClassifier {
  classify(rows: ModelInput[]): Promise<Float32Array[]>;
}

export interface LinguaOptions {
  /** Tokens always kept; multi-piece ones go through `[NEWi]` placeholders. At most 100. */
  forceTokens: string[];
  /** Keep every token that holds a digit. */
  forceReserveDigit: boolean;
  /** Drop a force token repeating the previous one with nothing kept between them. */
  dropConsecutive: boolean;
  /** Chunks end at these tokens when a window would overrun 510 tokens. */
  chunkEndTokens: string[];
  /** How token probabilities become a word probability. */
  tokenToWord: TokenToWord;
  /** Fix: feed the tokenizer's real cls/sep (XLM-R `<s>`/`</s>`) instead of the reference's `<unk>`. */
  realBoundaries: boolean;
  /** Fix: join chunk outputs with a space where the reference fuses them ("time.Development"). */
  spaceBetweenChunks: boolean;
  /**
   * Fix: no space next to a CJK character in the compressed text. The reference rebuilds text
   * with BERT's `convert_tokens_to_string`, which puts a space between every kept token, so
   * Chinese comes back as "小 明 有 5 个"; this gives "小明有5个" as it was written.
   */
  joinCjk: boolean;
  /** Fix: score and drop Chinese by word, not by character (see `groupChineseWords`). */
  chineseWords: boolean;
  /**
   * Fix: a word the vocabulary cannot spell keeps its own characters (see `restoreUnknown`); the
   * reference writes "[UNK]" in the text and leaves the word out of its words.
   */
  keepUnknown: boolean;
  /** Rows per model call. */
  batchSize: number;
}

export const defaultLinguaOptions: LinguaOptions = {
  forceTokens: [],
  forceReserveDigit: false,
  dropConsecutive: false,
  chunkEndTokens: ['.', '\n'],
  tokenToWord: 'mean',
  realBoundaries: false,
  spaceBetweenChunks: false,
  joinCjk: false,
  chineseWords: false,
  keepUnknown: false,
  batchSize: 50,
};

/** What `selectLingua2` needs besides the words: the scored text is γ-independent. */
export interface LinguaScored extends ScoredText {
  scorer: 'llmlingua2';
  options: LinguaOptions;
  tokenMap: TokenMap;
  /** The reference's `context_chunked`: chunk texts with placeholders in. */
  chunkTexts: string[];
  /** The tokenizer's decoder, so selection runs without the tokenizer (see `createTokenDecoder`). */
  decoder: TokenDecoderSpec;
}

// The text checks live in a module of their own, so the page can check a text without loading
// the tokenizers and cl100k ranks this module imports (the first page's bundle).
export { MAX_TEXT_CHARS, validateText } from './validate-text.ts';

export function resolveLinguaOptions(partial: Partial<LinguaOptions> = {}): LinguaOptions {
  const options = { ...defaultLinguaOptions, ...partial };
  if (options.forceTokens.length > 100) {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'forceTokensTooMany',
      params: { got: options.forceTokens.length },
    });
  }
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'linguaBatchSize',
      params: { got: options.batchSize },
    });
  }
  return options;
}

/**
 * Groups row indices into model calls of at most `batchSize` rows. Rows are independent, so they
 * are taken shortest first and a call is closed when padding to its longest row would waste more
 * than `maxWaste` of its positions: mixing a 40-token CoT with a 500-token one in one call costs
 * more than two calls (measured in `npm run bench:compress`).
 */
export function planBatches(lengths: number[], batchSize: number, maxWaste = 0.2): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]!);
  const batches: number[][] = [];
  let current: number[] = [];
  let real = 0;
  for (const i of order) {
    const length = lengths[i]!;
    const padded = length * (current.length + 1);
    if (
      current.length > 0 &&
      (current.length >= batchSize || padded > (real + length) * (1 + maxWaste))
    ) {
      batches.push(current);
      current = [];
      real = 0;
    }
    current.push(i);
    real += length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Scores many texts; chunks from all of them share model calls. Results are in input order. */
export async function scoreLingua2(
  texts: string[],
  tokenizer: ScorerTokenizer,
  classifier: TokenClassifier,
  partial: Partial<LinguaOptions> = {},
  model = 'unknown',
): Promise<LinguaScored[]> {
  const options = resolveLinguaOptions(partial);
  const tokenMap = buildTokenMap(tokenizer, options.forceTokens);
  const chunkEnd = new Set(options.chunkEndTokens);
  for (const token of options.chunkEndTokens) {
    const mapped = tokenMap.find(([original]) => original === token);
    if (mapped) chunkEnd.add(mapped[1]);
  }

  const prepared = texts.map((text, i) => {
    validateText(text, texts.length > 1 ? `text #${i + 1}` : 'text');
    return {
      originTokens: countCl100kTokens(text),
      chunkTexts: chunkContext(
        tokenizer,
        applyTokenMap(text, tokenMap),
        chunkEnd,
        options.keepUnknown,
      ),
    };
  });
  const rows = prepared.flatMap((p) =>
    p.chunkTexts.map((chunk) => buildModelInput(tokenizer, chunk, options.realBoundaries)),
  );

  const probs: Float32Array[] = new Array(rows.length);
  for (const indices of planBatches(
    rows.map((r) => r.ids.length),
    options.batchSize,
  )) {
    const batch = indices.map((i) => rows[i]!);
    const out = await classifier.classify(batch);
    if (out.length !== batch.length || out.some((p, j) => p.length < batch[j]!.ids.length)) {
      throw new TokenSkipError('MODEL_OUTPUT_INVALID', { id: 'classifierRowsShort' });
    }
    indices.forEach((i, j) => (probs[i] = out[j]!));
  }

  let row = 0;
  return prepared.map(({ originTokens, chunkTexts }) => {
    const chunks = chunkTexts.map((chunkText) => {
      const tokenWords = mergeTokensToWords(tokenizer, rows[row]!, probs[row]!, {
        forceTokens: options.forceTokens,
        tokenMap,
        forceReserveDigit: options.forceReserveDigit,
        ...(options.keepUnknown ? { keepUnknownFrom: chunkText } : {}),
      });
      const merged = options.chineseWords ? groupChineseWords(tokenWords) : tokenWords;
      row++;
      return merged.map((w): ScoredWord => ({
        text: w.word,
        display: tokenizer.family === 'xlmr' ? w.word.replace(/^▁+/, '') : w.word,
        score: wordProbability(w.tokenProbs, options.tokenToWord),
        forced: w.forced,
        weight: countCl100kTokens(w.word),
      }));
    });
    return {
      scorer: 'llmlingua2',
      model,
      chunks,
      originTokens,
      options,
      tokenMap,
      chunkTexts,
      decoder: tokenizer.decoderSpec,
    };
  });
}

/** The reference's percentile argument: `int(100 * reduce_rate + 1)` (rate 0.9 -> 10, rate 0.33 -> 68). */
export function thresholdPercentile(reduceRate: number): number {
  return Math.trunc(100 * reduceRate + 1);
}

function joinChunks(parts: string[], spaceBetween: boolean): string {
  if (!spaceBetween) return parts.join('');
  return parts
    .filter((p) => p.length > 0)
    .reduce(
      (acc, part) =>
        acc === '' || /\s$/.test(acc) || /^\s/.test(part) ? acc + part : `${acc} ${part}`,
      '',
    );
}

/** The reference's return value for a compressed text: counts, ratio and rate strings. */
export function summarize(
  compressed: string,
  originTokens: number,
  wordLabels: [string, 0 | 1][],
): CompressionResult {
  const compressedTokens = countCl100kTokens(compressed);
  const ratio = compressedTokens === 0 ? 1 : originTokens / compressedTokens;
  return {
    compressed_prompt: compressed,
    origin_tokens: originTokens,
    compressed_tokens: compressedTokens,
    ratio: `${formatPyFixed(ratio, 1)}x`,
    rate: `${formatPyFixed((1 / ratio) * 100, 1)}%`,
    word_labels: wordLabels,
  };
}

/**
 * Thresholds a scored text at γ (the reference's `rate`) exactly as `__compress` does; no model call. `tokenizer`
 * only rebuilds text: the scorer's tokenizer, or `createTokenDecoder(scored.decoder)`.
 */
export function selectLingua2(
  scored: LinguaScored,
  gamma: number,
  tokenizer: TokenDecoder,
): CompressionResult {
  validateGamma(gamma, 'rate');
  const { options, tokenMap } = scored;
  // The reference's `reduce_rate`: the share to drop, 1 − γ (its percentile is computed from it).
  const reduceRate = Math.max(0, 1 - gamma);

  if (reduceRate <= 0) {
    // The chunks were decoded by the tokenizer too, so Chinese has its spaces here as well.
    const texts = scored.chunkTexts.map((chunk) => {
      const text = revertTokenMap(chunk, tokenMap);
      return options.joinCjk ? joinCjkText(text) : text;
    });
    const labels = texts.flatMap((t) => splitStringToWords(t).map((w): [string, 1] => [w, 1]));
    return summarize(joinChunks(texts, options.spaceBetweenChunks), scored.originTokens, labels);
  }

  const force = new Set(options.forceTokens);
  const outputs: string[] = [];
  const labels: [string, 0 | 1][] = [];
  for (const words of scored.chunks) {
    const probs = words.map((w) => w.score);
    if (options.dropConsecutive && probs.length > 0) {
      const between = numpyPercentile(probs, Math.trunc(100 * reduceRate));
      let isTokenBetween = false;
      let prev: string | undefined;
      words.forEach((w, i) => {
        if (force.has(w.text)) {
          if (isTokenBetween) isTokenBetween = false;
          else if (w.text === prev) probs[i] = 0.0;
          prev = w.text;
        } else {
          isTokenBetween ||= probs[i]! > between;
        }
      });
    }
    const expanded: number[] = [];
    words.forEach((w, i) => {
      for (let k = 0; k < w.weight; k++) expanded.push(probs[i]!);
    });
    // An empty chunk (all special or unknown tokens) keeps nothing; numpy would fail on it.
    const threshold =
      expanded.length > 0 ? numpyPercentile(expanded, thresholdPercentile(reduceRate)) : Infinity;

    const keep: string[] = [];
    words.forEach((w, i) => {
      const p = probs[i]!;
      let kept = p > threshold || (threshold === 1.0 && p === threshold);
      if (
        kept &&
        options.dropConsecutive &&
        force.has(w.text) &&
        keep.length > 0 &&
        keep[keep.length - 1] === w.text
      ) {
        kept = false;
      }
      if (kept) keep.push(w.text);
      labels.push([w.display, kept ? 1 : 0]);
    });
    const text = tokenizer.tokensToString(keep);
    outputs.push(options.joinCjk ? joinCjkText(text) : text);
  }
  return summarize(joinChunks(outputs, options.spaceBetweenChunks), scored.originTokens, labels);
}
