/**
 * The scorers `tokenskip compress` can run, through the common `Scorer` contract
 * (src/core/scoring/types.ts): a group of records is scored once (`scoreMany`: LLMLingua-2 batches
 * the group's chunks through shared model calls; CTS and perplexity score record by record) and
 * each record is selected at its γ by the pure `selectScored`.
 *
 *   --scorer llmlingua2 (default) | cts | ppl
 *   --condition question | answer | both   (CTS)
 *   --ref-model DIR|ID                    (CTS, ppl: the reference causal LM)
 */
import { createHash } from 'node:crypto';
import { TokenSkipError, toTokenSkipError } from '../../core/errors.ts';
import type { LinguaOptions, TokenClassifier } from '../../core/compression/llmlingua2.ts';
import type { CompressionResult } from '../../core/compression/types.ts';
import { validateCausalOptions } from '../../core/scoring/causal-scorer.ts';
import { createLingua2Scorer } from '../../core/scoring/lingua2-scorer.ts';
import { resultFields, selectScored, type AnyScored } from '../../core/scoring/select.ts';
import type {
  CausalScorerOptions,
  Condition,
  ScoreInput,
  Scorer,
  SelectionMode,
} from '../../core/scoring/types.ts';
import { loadNodeCausalScorer } from '../../runtime/node/causal-scorer-node.ts';
import { loadNodeScorer } from '../../runtime/node/scorer-node.ts';
import { withMiniDefaults } from '../../core/models/mini-compression.ts';
import { DEFAULT_MODELS } from '../../core/models/registry.ts';

export type CliScorer = 'llmlingua2' | 'cts' | 'ppl';

export interface CompressItem {
  text: string;
  question?: string;
  answer?: string;
  /** The γ to select at. */
  gamma: number;
}

/** What the scoring cost so far: `compress --rates` reports what it saved against re-scoring per γ. */
export interface ScoringStats {
  /** Model calls (LLMLingua-2: batched classifier calls; CTS/ppl: records scored). */
  modelCalls: number;
  /** Texts (with their question and answer) scored. */
  textsScored: number;
  /** Wall time spent scoring (the model and the text work around it), not selecting. */
  scoreMs: number;
}

/** A scorer loaded for the CLI: the common contract, how to select, and what to fingerprint. */
export interface LoadedCliScorer {
  scorer: Scorer<AnyScored>;
  /** The causal scorers' selection rule (LLMLingua-2 has one). */
  mode: SelectionMode;
  /** Settings that change the output, for the resumable writer's fingerprint. */
  settings: Record<string, unknown>;
  /** What `stats.modelCalls` counts, for the summary line. */
  callUnit: string;
  stats: ScoringStats;
  release(): Promise<void>;
}

/** The scorer's input for one record. */
export function scoreInput(item: Omit<CompressItem, 'gamma'>): ScoreInput {
  return {
    cot: item.text,
    ...(item.question !== undefined ? { question: item.question } : {}),
    ...(item.answer !== undefined ? { answer: item.answer } : {}),
  };
}

/** Scores a group of records once (LLMLingua-2 shares model calls across it), then selects each at its γ. */
/** Scores items once (selection at any γ follows from these scores), counting the cost. */
export async function scoreItems(
  loaded: LoadedCliScorer,
  items: Omit<CompressItem, 'gamma'>[],
): Promise<AnyScored[]> {
  const started = performance.now();
  const scored = await loaded.scorer.scoreMany(items.map(scoreInput));
  loaded.stats.textsScored += items.length;
  // The causal scorers run the reference model per record; LLMLingua-2 counts its own calls.
  if (loaded.callUnit === 'records scored') loaded.stats.modelCalls += items.length;
  loaded.stats.scoreMs += performance.now() - started;
  return scored;
}

/** The reference's result fields for one scored item at γ. */
export function selectItem(
  loaded: LoadedCliScorer,
  scored: AnyScored,
  gamma: number,
): CompressionResult {
  return resultFields(selectScored(scored, gamma, loaded.mode));
}

/** The identity of a record's scoring input: its text, question and answer (γ aside). */
function scoreKey(item: Omit<CompressItem, 'gamma'>): string {
  return createHash('sha256')
    .update(JSON.stringify([item.text, item.question ?? null, item.answer ?? null]))
    .digest('base64');
}

/**
 * Scores each distinct input once over a whole run: selection at any γ follows from the scores, so
 * a text met again (at another γ, from `--rate-field` or a repeated record) reuses them. `see`
 * records each input's last position first; a kept score is dropped after its last use, so memory
 * holds only scores still to be used.
 */
export class ScoreOnce {
  private readonly last = new Map<string, number>();
  private readonly kept = new Map<string, AnyScored>();

  constructor(private readonly loaded: LoadedCliScorer) {}

  /** Notes that record `index` has this input (called for every record, in order). */
  see(item: Omit<CompressItem, 'gamma'>, index: number): void {
    this.last.set(scoreKey(item), index);
  }

  /** Scores for the records `first`, `first + 1`, ...: only inputs not scored before run. */
  async score(items: Omit<CompressItem, 'gamma'>[], first: number): Promise<AnyScored[]> {
    const keys = items.map(scoreKey);
    const fresh = new Map<string, number>();
    keys.forEach((key, j) => {
      if (!this.kept.has(key) && !fresh.has(key)) fresh.set(key, j);
    });
    const scored = await scoreItems(
      this.loaded,
      [...fresh.values()].map((j) => items[j]!),
    );
    const now = new Map([...fresh.keys()].map((key, n) => [key, scored[n]!]));
    return keys.map((key, j) => {
      // A key leaves `kept` only at its last use, so a later use in this group still finds it.
      const result = (now.get(key) ?? this.kept.get(key))!;
      if ((this.last.get(key) ?? -1) > first + j) this.kept.set(key, result);
      else this.kept.delete(key);
      return result;
    });
  }
}

export async function compressItems(
  loaded: LoadedCliScorer,
  items: CompressItem[],
): Promise<CompressionResult[]> {
  const scored = await scoreItems(loaded, items);
  return scored.map((s, j) => selectItem(loaded, s, items[j]!.gamma));
}

export interface NodeModelOptions {
  threads?: number | undefined;
  onnxFile?: string;
}

export function parseScorer(value: string | undefined): CliScorer {
  const scorer = value ?? 'llmlingua2';
  if (scorer !== 'llmlingua2' && scorer !== 'cts' && scorer !== 'ppl') {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `--scorer must be llmlingua2, cts or ppl, got '${scorer}'.`,
    );
  }
  return scorer;
}

export interface CausalCliSettings {
  refModel: string;
  options: CausalScorerOptions;
  selection: SelectionMode;
}

/** Checks the causal options; `refModel` is required for cts/ppl. */
export function parseCausalSettings(values: {
  scorer: CliScorer;
  'ref-model'?: string | undefined;
  condition?: string | undefined;
  window?: string | undefined;
  'max-tokens'?: string | undefined;
  selection?: string | undefined;
}): CausalCliSettings {
  if (!values['ref-model']) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `--scorer ${values.scorer} needs --ref-model DIR|ID: a causal LM in the transformers.js layout ` +
        '(config.json, tokenizer.json, onnx/model.onnx) or a registry id such as mini-base.',
    );
  }
  const selection = values.selection ?? 'reference';
  if (selection !== 'reference' && selection !== 'exact') {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `--selection must be 'reference' or 'exact', got '${selection}'.`,
    );
  }
  const int = (value: string | undefined, name: string): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) {
      throw new TokenSkipError(
        'INVALID_ARGUMENT',
        `${name} must be a positive integer, got '${value}'.`,
      );
    }
    return n;
  };
  const windowSize = int(values.window, '--window');
  const maxTokens = int(values['max-tokens'], '--max-tokens');
  const options = validateCausalOptions({
    ...(values.condition ? { condition: values.condition as Condition } : {}),
    ...(windowSize ? { windowSize } : {}),
    ...(maxTokens ? { maxTokens } : {}),
  });
  return { refModel: values['ref-model'], options, selection };
}

export async function loadLingua2CliScorer(
  spec: string,
  model: NodeModelOptions,
  options: Partial<LinguaOptions>,
): Promise<LoadedCliScorer> {
  const loaded = await loadNodeScorer(spec, model);
  // The shipped mini scorer compresses as its recipe did (numbers and operators kept, Chinese by
  // whole word, no spaces added); `--help` says so.
  if (loaded.modelId === DEFAULT_MODELS.scorer) options = withMiniDefaults(options);
  const stats: ScoringStats = { modelCalls: 0, textsScored: 0, scoreMs: 0 };
  // Counts the batched classifier calls (chunks of many records share one).
  const counted: TokenClassifier = {
    classify: (rows) => {
      stats.modelCalls++;
      return loaded.classifier.classify(rows);
    },
  };
  const scorer = createLingua2Scorer(loaded.tokenizer, counted, loaded.modelId, options);
  await probe(spec, () => scorer.score({ cot: PROBE.cot }));
  stats.modelCalls = 0;
  return {
    scorer,
    mode: 'reference',
    callUnit: 'model calls',
    stats,
    // Kept as the LLMLingua-2 CLI wrote it before the other scorers existed, so old partial
    // outputs still resume.
    settings: { options },
    release: () => loaded.classifier.release(),
  };
}

/** A tiny input every scorer can take, for the check on load. */
const PROBE = { question: 'What is 2 + 3?', cot: '2 + 3 = 5, so the answer is 5.', answer: '5' };

/**
 * Runs a freshly loaded model once on a tiny input, so a model with corrupt weights (NaN / Inf
 * logits, caught where the logits are read) is refused before any record is read or written.
 */
async function probe(spec: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const e = toTokenSkipError(error);
    throw new TokenSkipError(e.code, `Model check on load failed for '${spec}': ${e.message}`);
  }
}

export async function loadCausalCliScorer(
  name: 'cts' | 'ppl',
  settings: CausalCliSettings,
  model: NodeModelOptions,
): Promise<LoadedCliScorer> {
  const scorer = await loadNodeCausalScorer(settings.refModel, {
    scorer: name,
    options: settings.options,
    ...(model.threads ? { threads: model.threads } : {}),
    ...(model.onnxFile ? { onnxFile: model.onnxFile } : {}),
  });
  await probe(settings.refModel, () => scorer.score(PROBE));
  return {
    scorer,
    mode: settings.selection,
    callUnit: 'records scored',
    stats: { modelCalls: 0, textsScored: 0, scoreMs: 0 },
    settings: {
      scorer: name,
      ...(name === 'cts' ? { condition: settings.options.condition } : {}),
      windowSize: settings.options.windowSize,
      maxTokens: settings.options.maxTokens,
      selection: settings.selection,
    },
    release: () => scorer.reference.session.release(),
  };
}

/** Which record fields a condition needs. */
export function conditionFields(condition: Condition): ('question' | 'answer')[] {
  return condition === 'both' ? ['question', 'answer'] : [condition];
}
