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

export interface RecordCompressor {
  modelId: string;
  /** Settings that change the output, for the resumable writer's fingerprint. */
  settings: Record<string, unknown>;
  compress(items: CompressItem[]): Promise<CompressionResult[]>;
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

export async function loadLingua2Compressor(
  spec: string,
  model: NodeModelOptions,
  options: Partial<LinguaOptions>,
): Promise<RecordCompressor> {
  const scorer = await loadNodeScorer(spec, model);
  return {
    modelId: scorer.modelId,
    // Kept as the LLMLingua-2 CLI wrote it before the other scorers existed, so old partial
    // outputs still resume.
    settings: { options },
    async compress(items) {
      const scored = await scoreLingua2(
        items.map((item) => item.text),
        scorer.tokenizer,
        scorer.classifier,
        options,
        scorer.modelId,
      );
      return items.map((item, j) => selectLingua2(scored[j]!, item.rate, scorer.tokenizer));
    },
    // The text checks (validateText) run before the model loads; nothing else depends on the input.
    check: () => undefined,
    release: () => scorer.classifier.release(),
  };
}

function causalInput(item: CompressItem): ScoreInput {
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
  return {
    modelId: scorer.model,
    settings: {
      scorer: name,
      ...(name === 'cts' ? { condition: settings.options.condition } : {}),
      windowSize: settings.options.windowSize,
      maxTokens: settings.options.maxTokens,
      selection: settings.selection,
    },
    async compress(items) {
      const results: CompressionResult[] = [];
      for (const item of items) {
        const scored = await scorer.score(causalInput(item));
        const { kept: _kept, words: _words, ...result } = scorer.select(scored, item.rate);
        results.push(result);
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
