/**
 * The scorer interface shared by LLMLingua-2, CTS and perplexity, and the two small interfaces the
 * causal scorers need from a runtime (a tokenizer and a log-prob runner).
 *
 * Every scorer turns a CoT into a `ScoredText` (independent of γ); `selectScored` (select.ts) then
 * turns that into a `Selection` for any γ without running the model again. Model execution stays behind
 * `CausalLogProbs`, so the CTS math in this folder is plain TS that runs, and is tested, without a
 * model: the ONNX runner in `src/runtime/scorers/` implements it in Node and in the browser.
 */
import type {
  CompressionResult,
  ScoredText,
  ScoredWord,
  ScorerName,
} from '../compression/types.ts';

/** What a scorer scores: the CoT, plus the question and answer CTS may condition on. */
export interface ScoreInput {
  cot: string;
  question?: string;
  answer?: string;
}

export interface ScoreOptions {
  signal?: AbortSignal;
  /** Called after each window (causal scorers) or chunk (LLMLingua-2). */
  onprogress?: (done: number, total: number) => void;
}

/**
 * Anything that scores a CoT: LLMLingua-2 (and the mini scorer, an LLMLingua-2 token classifier),
 * CTS and perplexity. Scoring runs the model once and does not depend on γ; selection at any γ is
 * the pure `selectScored` (select.ts), applied afterwards wherever the scores are (the page's
 * slider, the CLI, the trainer), so a slider or a sweep over γ costs one model run.
 */
export interface Scorer<S extends ScoredText = ScoredText> {
  readonly name: ScorerName;
  /** The model id or path the scores come from. */
  readonly model: string;
  score(input: ScoreInput, options?: ScoreOptions): Promise<S>;
  /** Scores many inputs in order; LLMLingua-2 shares model calls across them (50 rows a call). */
  scoreMany(inputs: ScoreInput[], options?: ScoreOptions): Promise<S[]>;
  /** Throws the error `score` would throw on this input (empty CoT, condition too long), without the model. */
  check(input: ScoreInput): void;
}

/** One word of a selection, as the heat map and the charts show it. */
export interface SelectedWord {
  /**
   * Whitespace shown before the word: the CoT's own for the causal scorers, one space between
   * LLMLingua-2's words (none before punctuation), as its words carry no spacing.
   */
  before: string;
  /** The word as displayed; '' for a whitespace-only causal unit (a line break between words). */
  text: string;
  /** LLMLingua-2: keep-probability; CTS: log-prob gain; perplexity: surprisal (mean over units). */
  score: number;
  /** The score was forced (LLMLingua-2 force tokens and reserved digits). */
  forced: boolean;
  /** Units of the word kept / total (causal scorers select tokens; LLMLingua-2 words are one unit). */
  keptUnits: number;
  units: number;
  /** Every unit of the word is kept. */
  kept: boolean;
}

/** A selection at one γ: the reference's result fields plus the words for display. */
export interface Selection extends CompressionResult {
  words: SelectedWord[];
  /** Causal scorers: per window, per unit, kept? */
  kept?: boolean[][];
}

/** A causal LM that gives log-probs of the actual next tokens. */
export interface CausalLogProbs {
  /** Longest sequence the model accepts (`max_position_embeddings`), if known. */
  readonly maxPositions?: number;
  /**
   * `out[t] = log p(ids[t + 1] | ids[0..t])` for `t < ids.length - 1`: one full forward pass (or
   * several KV-cached pieces of it) over `ids`.
   */
  logProbs(ids: number[], signal?: AbortSignal): Promise<Float32Array>;
}

/** The part of a tokenizer the causal scorers use. */
export interface CausalTokenizer {
  /** Token ids of `text`, with no special tokens added. */
  encode(text: string): number[];
  /** Text of `ids`, special tokens kept, no clean-up: `decode(a ++ b) === decode(a) + decode(b)` on valid UTF-8 boundaries. */
  decode(ids: number[]): string;
  /**
   * Ids put before every sequence so the first CoT token has something to be predicted from:
   * `[bos_token_id]`, else `[eos_token_id]` (document separator in pretraining).
   */
  readonly startIds: number[];
}

export type Condition = 'question' | 'answer' | 'both';

/** How a window's threshold is picked. */
export type SelectionMode =
  /**
   * As the reference (LLMLingua's `get_estimate_threshold_base_distribution`): sort descending,
   * threshold = value at index `clamp(floor(N * ratio) - 1, 0, N - 1)`, keep scores strictly above
   * it. Keeps `floor(N * ratio) - 1` units when scores are distinct; ties at the threshold are all
   * dropped; ratio 1 keeps everything.
   */
  | 'reference'
  /** Keeps exactly `round(N * ratio)` units per window; ties broken by text order. */
  | 'exact';

/** Options of the CTS and perplexity scorers (defaults from the CTS paper). */
export interface CausalScorerOptions {
  /** CTS only: what is placed before the CoT in the conditional pass. */
  condition: Condition;
  /** Tokens per scoring window (reference: 1,800). */
  windowSize: number;
  /** CoT tokens scored; the rest is dropped as the reference does (reference: 5,000). */
  maxTokens: number;
}

export const defaultCausalScorerOptions: CausalScorerOptions = {
  condition: 'question',
  windowSize: 1800,
  maxTokens: 5000,
};

/** A causal scorer's unit: one token, or a few when a character spans several byte tokens. */
export interface TokenUnit extends ScoredWord {
  /** Token ids of this unit. */
  ids: number[];
}

/** A causal scorer's `ScoredText`, with the per-pass log-probs kept for display and for tests. */
export interface CausalScoredText extends ScoredText {
  scorer: 'cts' | 'ppl';
  chunks: TokenUnit[][];
  /** CoT tokens dropped by the `maxTokens` truncation (0 when it fit). */
  truncatedTokens: number;
  /** Tokens per window actually used: `windowSize`, or less when the model has fewer positions. */
  windowTokens: number;
  /** The condition used (CTS only). */
  condition?: Condition;
  /** Per window, per token: log p(x_i | c, x_<i) (CTS only). */
  conditionalLogProbs?: Float32Array[];
  /** Per window, per token: log p(x_i | x_<i). */
  plainLogProbs: Float32Array[];
}
