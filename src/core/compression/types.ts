/**
 * Types shared by every token scorer (LLMLingua-2, CTS, perplexity) and every consumer of a
 * compression (the Compress page, the CLI, the trainer).
 *
 * The data flow is one way: text -> tokens -> scores -> words -> kept words -> text. Scoring is the
 * expensive part and does not depend on γ, so a scorer returns a `ScoredText` once and `select`
 * re-thresholds it for any γ without running the model again (the page's slider relies on this).
 */

/** One word of the original text with its keep score. */
export interface ScoredWord {
  /** The word as the scorer's tokenizer joins it (XLM-R words keep their leading `▁`). */
  text: string;
  /** The word for display and for `word_labels` (no `▁`, placeholders mapped back). */
  display: string;
  /** Keep score: LLMLingua-2's keep-probability in [0, 1]; CTS's log-prob gain; ... */
  score: number;
  /** True when the score was forced (force token, reserved digit). */
  forced: boolean;
  /** cl100k tokens of `text`: LLMLingua-2 repeats the word's score this often in its percentile. */
  weight: number;
}

/** A scorer's output for one text; independent of γ. */
export interface ScoredText {
  scorer: ScorerName;
  /** The model that produced the scores (manifest id or path). */
  model: string;
  /** Scoring units in text order, grouped in the chunks/windows the scorer ran. */
  chunks: ScoredWord[][];
  /** cl100k tokens of the original text (LLMLingua-2's `origin_tokens`). */
  originTokens: number;
}

export type ScorerName = 'llmlingua2' | 'cts' | 'ppl';

/** The reference's result fields, plus word labels. */
export interface CompressionResult {
  compressed_prompt: string;
  origin_tokens: number;
  compressed_tokens: number;
  /** `f"{origin/compressed:.1f}x"` as the reference formats it. */
  ratio: string;
  /** `f"{100/ratio:.1f}%"` as the reference formats it. */
  rate: string;
  /** [word, 1 = kept | 0 = dropped] in text order. */
  word_labels: [string, 0 | 1][];
}
