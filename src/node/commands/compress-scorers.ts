/**
 * The scorers `tokenskip compress` can run, behind one shape: a `RecordCompressor` compresses a
 * group of records (text, optional question/answer, γ) and says what to fingerprint for resumable
 * output. LLMLingua-2 batches a group's chunks through one model call; CTS and perplexity score
 * record by record (each window is one or two causal-LM passes).
 *
 *   --scorer llmlingua2 (default) | cts | ppl
 *   --condition question | answer | both   (CTS)
 *   --ref-model DIR|ID                    (CTS, ppl: the reference causal LM)
 */
import { TokenSkipError } from '../../core/errors.ts';
import {
  scoreLingua2,
  selectLingua2,
  type LinguaOptions,
  type TokenClassifier,
} from '../../core/compression/llmlingua2.ts';
import type { CompressionResult } from '../../core/compression/types.ts';
import { validateCausalOptions } from '../../core/scoring/causal-scorer.ts';
import type {
  CausalScorerOptions,
  Condition,
  ScoreInput,
  SelectionMode,
} from '../../core/scoring/types.ts';
import { loadNodeCausalScorer } from '../../runtime/node/causal-scorer-node.ts';
import { loadNodeScorer } from '../../runtime/node/scorer-node.ts';

export type CliScorer = 'llmlingua2' | 'cts' | 'ppl';

export interface CompressItem {
  text: string;
  question?: string;
  answer?: string;
  rate: number;
}

/** What the scoring cost so far: `compressRates` reports what it saved against re-scoring per γ. */
export interface ScoringStats {
  /** Model calls (LLMLingua-2: batched classifier calls; CTS/ppl: records scored). */
  modelCalls: number;
  /** Wall time spent scoring (the model and the text work around it), not selecting. */
  scoreMs: number;
}

export interface RecordCompressor {
  modelId: string;
  /** Settings that change the output, for the resumable writer's fingerprint. */
  settings: Record<string, unknown>;
  /** What `modelCalls` counts, for the summary line. */
  callUnit: string;
  stats: ScoringStats;
  compress(items: CompressItem[]): Promise<CompressionResult[]>;
  /**
   * Scores each item once and selects at every γ: `[item][rate index]`. The scores do not depend on
   * γ, so each result is exactly what `compress` gives at that γ.
   */
  compressRates(
    items: Omit<CompressItem, 'rate'>[],
    rates: number[],
  ): Promise<CompressionResult[][]>;
  /** Throws what `compress` would throw on this item's input, without running the model. */
  check(item: CompressItem): void;
  release(): Promise<void>;
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
      `--scorer ${values.scorer} needs --ref-model DIR: a causal LM in the transformers.js layout ` +
        '(config.json, tokenizer.json, onnx/model.onnx), e.g. models/fixtures/tiny-qwen2.',
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

export async function loadLingua2Compressor(
  spec: string,
  model: NodeModelOptions,
  options: Partial<LinguaOptions>,
): Promise<RecordCompressor> {
  const scorer = await loadNodeScorer(spec, model);
  const stats: ScoringStats = { modelCalls: 0, scoreMs: 0 };
  const classifier: TokenClassifier = {
    classify: (rows) => {
      stats.modelCalls++;
      return scorer.classifier.classify(rows);
    },
  };
  const score = async (texts: string[]) => {
    const started = performance.now();
    const scored = await scoreLingua2(texts, scorer.tokenizer, classifier, options, scorer.modelId);
    stats.scoreMs += performance.now() - started;
    return scored;
  };
  return {
    modelId: scorer.modelId,
    // Kept as the LLMLingua-2 CLI wrote it before the other scorers existed, so old partial
    // outputs still resume.
    settings: { options },
    callUnit: 'model calls',
    stats,
    async compress(items) {
      const scored = await score(items.map((item) => item.text));
      return items.map((item, j) => selectLingua2(scored[j]!, item.rate, scorer.tokenizer));
    },
    async compressRates(items, rates) {
      const scored = await score(items.map((item) => item.text));
      return scored.map((s) => rates.map((rate) => selectLingua2(s, rate, scorer.tokenizer)));
    },
    // The text checks (validateText) run before the model loads; nothing else depends on the input.
    check: () => undefined,
    release: () => scorer.classifier.release(),
  };
}

function causalInput(item: Omit<CompressItem, 'rate'>): ScoreInput {
  return {
    cot: item.text,
    ...(item.question !== undefined ? { question: item.question } : {}),
    ...(item.answer !== undefined ? { answer: item.answer } : {}),
  };
}

export async function loadCausalCompressor(
  name: 'cts' | 'ppl',
  settings: CausalCliSettings,
  model: NodeModelOptions,
): Promise<RecordCompressor> {
  const scorer = await loadNodeCausalScorer(settings.refModel, {
    scorer: name,
    options: settings.options,
    selection: settings.selection,
    ...(model.threads ? { threads: model.threads } : {}),
    ...(model.onnxFile ? { onnxFile: model.onnxFile } : {}),
  });
  const stats: ScoringStats = { modelCalls: 0, scoreMs: 0 };
  const score = async (item: Omit<CompressItem, 'rate'>) => {
    const started = performance.now();
    const scored = await scorer.score(causalInput(item));
    stats.modelCalls++;
    stats.scoreMs += performance.now() - started;
    return scored;
  };
  const select = (scored: Awaited<ReturnType<typeof score>>, rate: number) => {
    const { kept: _kept, words: _words, ...result } = scorer.select(scored, rate);
    return result;
  };
  return {
    modelId: scorer.model,
    callUnit: 'records scored',
    stats,
    settings: {
      scorer: name,
      ...(name === 'cts' ? { condition: settings.options.condition } : {}),
      windowSize: settings.options.windowSize,
      maxTokens: settings.options.maxTokens,
      selection: settings.selection,
    },
    async compress(items) {
      const results: CompressionResult[] = [];
      for (const item of items) results.push(select(await score(item), item.rate));
      return results;
    },
    async compressRates(items, rates) {
      const results: CompressionResult[][] = [];
      for (const item of items) {
        const scored = await score(item);
        results.push(rates.map((rate) => select(scored, rate)));
      }
      return results;
    },
    check: (item) => scorer.check(causalInput(item)),
    release: () => scorer.reference.session.release(),
  };
}

/** Which record fields a condition needs. */
export function conditionFields(condition: Condition): ('question' | 'answer')[] {
  return condition === 'both' ? ['question', 'answer'] : [condition];
}
