/**
 * Run metrics in TokenSkip's terms, per run (one model, one dataset, one γ):
 * accuracy, ΔAcc against the original run, mean CoT tokens (target tokenizer, text before
 * `\n\nThe final answer is:`), actual ratio (mean CoT tokens / the original's), mean latency,
 * speedup (original latency / this latency) and decode tokens/s where the engine reports it.
 *
 *   const runs = [{ name: 'original', gamma: 1, original: true, samples }, { name: 'γ=0.6', gamma: 0.6, samples: s6 }];
 *   summarizeRuns(runs, { countTokens: (t) => tokenizer.encode(t).length });
 *
 * The token counter is passed in so the same code runs with the target model's tokenizer in the
 * browser and in Node. The reference counts with `tokenizer(cot)`, which for LLaMA includes the
 * BOS token: pass a counter that does the same if you compare with its figures.
 */
import { TokenSkipError } from '../errors.ts';

export const FINAL_ANSWER_DELIMITER = '\n\nThe final answer is:';

/** Counts tokens of a text with the target model's tokenizer. */
export type TokenCounter = (text: string) => number;

/** The chain of thought of a completion: everything before `\n\nThe final answer is:`. */
export function cotText(output: string): string {
  const at = output.indexOf(FINAL_ANSWER_DELIMITER);
  return at < 0 ? output : output.slice(0, at);
}

/** One graded sample as the metrics need it. */
export interface SampleRecord {
  id?: string;
  correct: boolean;
  prediction?: string | string[];
  /** The completion; its CoT is counted when `cotTokens` is not given. */
  output?: string;
  /** CoT tokens already counted (wins over counting `output`). */
  cotTokens?: number;
  /** Wall-clock seconds to generate this sample. */
  latencyS?: number;
  /** Decode speed reported by the engine (e.g. WebLLM `usage.extra.decode_tokens_per_s`). */
  decodeTokensPerS?: number;
}

export interface RunInput {
  /** A label unique among the runs, e.g. `Qwen2.5-0.5B gsm8k TokenSkip 0.6`. */
  name: string;
  /** Row label in tables: `Original`, `TokenSkip`, `Prompt`, `Truncation`, ... */
  method?: string;
  model?: string;
  dataset?: string;
  /** Target compression ratio γ; 1 for the original model. */
  gamma: number;
  /** Marks the baseline run (the original model, no adapter) of its model and dataset. */
  original?: boolean;
  /** Total wall-clock seconds of the run; when set, mean latency is total / samples (as the reference). */
  totalTimeS?: number;
  samples: readonly SampleRecord[];
}

/** Per-sample values after counting. */
export interface SampleMetrics {
  id?: string;
  correct: boolean;
  prediction?: string | string[];
  cotTokens: number | null;
  latencyS: number | null;
}

export interface RunSummary {
  name: string;
  method: string;
  model: string;
  dataset: string;
  gamma: number;
  original: boolean;
  n: number;
  correct: number;
  /** Accuracy in percent (0-100). */
  accuracyPct: number;
  /** Accuracy minus the baseline's, in percentage points; null without a baseline. */
  deltaAccPct: number | null;
  meanCotTokens: number | null;
  /** Mean CoT tokens / the baseline's; null without tokens or baseline. */
  actualRatio: number | null;
  meanLatencyS: number | null;
  /** Baseline latency / this latency; null without latencies or baseline. */
  speedup: number | null;
  decodeTokensPerS: number | null;
  /** Name of the run that ΔAcc, ratio and speedup are measured against. */
  baseline: string | null;
  samples: SampleMetrics[];
}

export interface SummarizeOptions {
  /** Counts CoT tokens of samples that carry an `output` but no `cotTokens`. */
  countTokens?: TokenCounter;
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Metrics of one run on its own (the baseline-relative fields are null). */
export function summarizeRun(run: RunInput, options: SummarizeOptions = {}): RunSummary {
  const samples: SampleMetrics[] = run.samples.map((s) => {
    let cotTokens: number | null = isNumber(s.cotTokens) ? s.cotTokens : null;
    if (cotTokens === null && typeof s.output === 'string' && options.countTokens) {
      cotTokens = options.countTokens(cotText(s.output));
    }
    const record: SampleMetrics = {
      correct: s.correct,
      cotTokens,
      latencyS: isNumber(s.latencyS) ? s.latencyS : null,
    };
    if (s.id !== undefined) record.id = s.id;
    if (s.prediction !== undefined) record.prediction = s.prediction;
    return record;
  });
  const n = samples.length;
  const correct = samples.filter((s) => s.correct).length;
  const tokens = samples.map((s) => s.cotTokens).filter(isNumber);
  const latencies = samples.map((s) => s.latencyS).filter(isNumber);
  const decode = run.samples.map((s) => s.decodeTokensPerS).filter(isNumber);
  const meanLatencyS = isNumber(run.totalTimeS) && n > 0 ? run.totalTimeS / n : mean(latencies);
  return {
    name: run.name,
    method: run.method ?? (run.original ? 'Original' : 'TokenSkip'),
    model: run.model ?? '',
    dataset: run.dataset ?? '',
    gamma: run.gamma,
    original: run.original ?? false,
    n,
    correct,
    accuracyPct: n === 0 ? 0 : (100 * correct) / n,
    deltaAccPct: null,
    // Only a full count is a mean over the run; a partial one would compare different samples.
    meanCotTokens: tokens.length === n && n > 0 ? mean(tokens) : null,
    actualRatio: null,
    meanLatencyS,
    speedup: null,
    decodeTokensPerS: mean(decode),
    baseline: null,
    samples,
  };
}

/** The baseline of each (model, dataset): a run marked original, else method Original, else γ = 1. */
function pickBaseline(group: RunSummary[]): RunSummary | undefined {
  return (
    group.find((r) => r.original) ??
    group.find((r) => r.method.toLowerCase() === 'original') ??
    group.find((r) => r.gamma === 1)
  );
}

/**
 * Metrics of several runs, each compared with the baseline of its model and dataset
 * (see {@link RunInput.original}). Runs keep their input order.
 */
export function summarizeRuns(
  runs: readonly RunInput[],
  options: SummarizeOptions = {},
): RunSummary[] {
  const names = new Set<string>();
  for (const run of runs) {
    if (names.has(run.name)) {
      throw new TokenSkipError('INVALID_ARGUMENT', {
        id: 'duplicateRunName',
        params: { name: run.name },
      });
    }
    names.add(run.name);
  }
  const summaries = runs.map((run) => summarizeRun(run, options));
  const groups = new Map<string, RunSummary[]>();
  for (const s of summaries) {
    const key = `${s.model}\u0000${s.dataset}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const group of groups.values()) {
    const base = pickBaseline(group);
    if (!base) continue;
    for (const s of group) {
      s.baseline = base.name;
      s.deltaAccPct = s.accuracyPct - base.accuracyPct;
      if (s.meanCotTokens !== null && base.meanCotTokens) {
        s.actualRatio = s.meanCotTokens / base.meanCotTokens;
      }
      if (s.meanLatencyS && base.meanLatencyS !== null) {
        s.speedup = base.meanLatencyS / s.meanLatencyS;
      }
    }
  }
  return summaries;
}
