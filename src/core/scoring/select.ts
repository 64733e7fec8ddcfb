/**
 * The one γ selection for every scorer: a `ScoredText` (LLMLingua-2, the mini scorer, CTS or
 * perplexity) -> a `Selection` at γ, in plain code with no model, so the page's slider, the CLI and
 * the trainer re-select cached scores for any γ. The rules are the scorers' own (llmlingua2.ts for
 * LLMLingua-2's percentile over cl100k-weighted words, causal-select.ts for CTS's per-window
 * threshold); this only dispatches and gives every scorer the same words for display.
 *
 *   const scored = await scorer.score({ cot, question });      // the model runs here, once
 *   const result = selectScored(scored, 0.6);                   // any γ, instantly
 */
import { selectLingua2, type LinguaScored } from '../compression/llmlingua2.ts';
import { createTokenDecoder } from '../compression/scorer-tokenizer.ts';
import type { CompressionResult } from '../compression/types.ts';
import { linguaWords } from './lingua-words.ts';
import { selectCausal } from './causal-select.ts';
import type { CausalScoredText, Selection, SelectionMode } from './types.ts';

/** What any scorer returns. */
export type AnyScored = LinguaScored | CausalScoredText;

/**
 * Selects at γ. `mode` applies to the causal scorers ('reference' as CTS's code,
 * 'exact' keeps round(N·γ) units per window); LLMLingua-2 always follows its reference.
 */
export function selectScored(
  scored: AnyScored,
  gamma: number,
  mode: SelectionMode = 'reference',
): Selection {
  if (scored.scorer === 'llmlingua2') {
    const result = selectLingua2(scored, gamma, createTokenDecoder(scored.decoder));
    return { ...result, words: linguaWords(scored, result.word_labels) };
  }
  return selectCausal(scored, gamma, mode);
}

/** The reference's result fields alone, in its order: what the CLI writes per record. */
export function resultFields(selection: Selection): CompressionResult {
  const { compressed_prompt, origin_tokens, compressed_tokens, ratio, rate, word_labels } =
    selection;
  return { compressed_prompt, origin_tokens, compressed_tokens, ratio, rate, word_labels };
}
