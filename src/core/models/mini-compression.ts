/**
 * How the mini recipe (`tokenskip mini`) compresses its training CoTs, shared with the Learn page
 * so that what it shows as a training example is what the shipped TokenSkip-mini was trained on.
 *
 * LLMLingua-2 with the options TokenSkip itself uses for LLaMA (`force_reserve_digit=True`: every
 * token holding a digit is kept) and the arithmetic operators as force tokens, the way TokenSkip
 * forces `Step` and `:`. The scorer then decides which of the other words to drop. Measured without
 * these options, the distilled scorer keeps only about three essential words in four at γ = 0.7
 * (models/mini/README.md), and a TokenSkip model trained on such CoTs loses its arithmetic. Chinese
 * is kept or dropped by whole word and written without spaces (`chineseWords`, `joinCjk`), and a
 * word with a character outside the scorer's vocabulary keeps its own characters (`keepUnknown`).
 */
import type { LinguaOptions } from '../compression/llmlingua2.ts';

export const MINI_COMPRESSION: Readonly<
  Pick<
    LinguaOptions,
    'forceTokens' | 'forceReserveDigit' | 'joinCjk' | 'chineseWords' | 'keepUnknown'
  >
> = {
  forceTokens: ['+', '-', '*', '/', '='],
  forceReserveDigit: true,
  joinCjk: true,
  chineseWords: true,
  keepUnknown: true,
};

/**
 * The mini scorer's defaults under options given explicitly (`tokenskip compress` with no model
 * or with `--model mini-scorer`): the switches are turned on, force tokens given replace the
 * operators. The real LLMLingua-2 models keep the reference's defaults.
 */
export function withMiniDefaults(options: Partial<LinguaOptions>): Partial<LinguaOptions> {
  return {
    ...options,
    forceTokens: options.forceTokens?.length
      ? options.forceTokens
      : [...MINI_COMPRESSION.forceTokens],
    forceReserveDigit: true,
    joinCjk: true,
    chineseWords: true,
    keepUnknown: true,
  };
}

/**
 * Every LLMLingua-2 option the Learn page sends with its text (CompressSession.options() after
 * `useMiniCompression()`): the key of the page's reference scores (data/reference/learn-mini.json).
 */
export const LEARN_SCORE_OPTIONS = {
  forceTokens: MINI_COMPRESSION.forceTokens,
  forceReserveDigit: MINI_COMPRESSION.forceReserveDigit,
  dropConsecutive: false,
  tokenToWord: 'mean',
  realBoundaries: false,
  spaceBetweenChunks: false,
  joinCjk: MINI_COMPRESSION.joinCjk,
  chineseWords: MINI_COMPRESSION.chineseWords,
  keepUnknown: MINI_COMPRESSION.keepUnknown,
} as const satisfies Partial<LinguaOptions>;
