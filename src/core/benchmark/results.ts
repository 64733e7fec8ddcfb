/**
 * The finished benchmark as one stable document (schema `tokenskip-benchmark/v1`), the form an
 * outside script reads from the page (see docs/automation.md) and the JSON download. Summaries
 * come from the project's grader (src/core/eval): accuracy, ΔAcc, CoT tokens, actual ratio,
 * latency and speedup per run, measured against the baseline: the original model's run
 * (config.baseline, the paper's definition, REFERENCE.md) or, without one, the γ = 1 run.
 */
// metrics.ts and runs.ts, not eval/index.ts: that one pulls in the symbolic grader (Compute Engine).
import { summarizeRuns, type RunSummary } from '../eval/metrics.ts';
import { groupRuns, type RunRecord } from '../eval/runs.ts';
import {
  RESULTS_SCHEMA,
  benchmarkQuery,
  type BenchmarkConfig,
  type BenchmarkState,
  type SampleResult,
} from './plan.ts';
import type { EngineKind } from '../generation/engine.ts';

export interface BenchmarkEngine {
  kind: EngineKind;
  modelId: string;
  device: string;
  detail: string;
}

export interface BenchmarkResults {
  schema: typeof RESULTS_SCHEMA;
  status: 'done';
  /** `#/benchmark?<query>&autostart=1` reruns it. */
  query: string;
  config: BenchmarkConfig;
  engine: BenchmarkEngine | null;
  /** The baseline model's engine (config.baseline); null without one. */
  baselineEngine: BenchmarkEngine | null;
  sampleIds: string[];
  startedAt: string;
  finishedAt: string;
  /** How many times the run was resumed (after a pause or a page reload). */
  resumes: number;
  /** One per run: the baseline model's first (when config.baseline), then one per γ. */
  runs: RunSummary[];
  /** Timing per run, paired with the baseline run on the same questions (see {@link GammaTiming}). */
  timing: GammaTiming[];
  samples: SampleResult[];
}

/**
 * Is the speedup what the token counts predict? The paper's speedup (`runs[].speedup`) is mean
 * latency(γ = 1) / mean latency(γ), while its ratio counts CoT tokens only; a run that generated
 * more tokens cannot honestly be faster unless each token got cheaper. So per γ, on the questions
 * both it and the baseline ran (paired), over all generated tokens (what the latency pays for):
 *   - tokenSpeedup: completion tokens(γ = 1) / completion tokens(γ), the ideal speedup if every
 *     token cost the same (1 / actual token ratio);
 *   - speedup: latency(γ = 1) / latency(γ), summed over the same questions;
 *   - speedupOverIdeal: speedup / tokenSpeedup, which is per-token latency(γ = 1) / per-token
 *     latency(γ): near 1 when the measurement is fair; far from it means the γ's were not timed
 *     alike (warm-up, drift, a busy machine) or a fixed cost (prefill) dominates short outputs.
 */
export interface GammaTiming {
  /** The run's name, as in `runs[].name`. */
  run: string;
  gamma: number;
  /** The baseline model's run (config.baseline). */
  baseline: boolean;
  /** Questions this run and the baseline both ran. */
  pairs: number;
  meanCompletionTokens: number | null;
  meanLatencyS: number | null;
  /** Latency per generated token, ms (total latency / total completion tokens). */
  msPerToken: number | null;
  meanTimeToFirstTokenMs: number | null;
  meanDecodeTokensPerS: number | null;
  tokenSpeedup: number | null;
  speedup: number | null;
  speedupOverIdeal: number | null;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The rows of a benchmark, in table order: the baseline model's (if any), then one per γ. */
export function benchmarkRuns(
  config: BenchmarkConfig,
): { name: string; gamma: number; baseline: boolean }[] {
  return [
    ...(config.baseline
      ? [{ name: `${config.baseline} ${config.dataset} original`, gamma: 1, baseline: true }]
      : []),
    ...config.gammas.map((gamma) => ({
      name: `${config.modelId} ${config.dataset} γ=${gamma}`,
      gamma,
      baseline: false,
    })),
  ];
}

const inRun = (run: { gamma: number; baseline: boolean }) => (r: SampleResult) =>
  run.baseline ? r.baseline === true : !r.baseline && r.gamma === run.gamma;

export function timingByGamma(config: BenchmarkConfig, results: SampleResult[]): GammaTiming[] {
  const runs = benchmarkRuns(config);
  // The original model's run when there is one (the paper's baseline), else γ = 1 (else the first).
  const baseRun = runs.find((r) => r.baseline) ?? runs.find((r) => r.gamma === 1) ?? runs[0]!;
  const base = new Map(results.filter(inRun(baseRun)).map((r) => [r.id, r]));
  return runs.map((run) => {
    const { gamma } = run;
    const mine = results.filter(inRun(run));
    const paired = mine.filter((r) => base.has(r.id));
    const theirs = paired.map((r) => base.get(r.id)!);
    const tokens = sum(mine.map((r) => r.completionTokens));
    const latency = sum(mine.map((r) => r.latencyS));
    const n = mine.length;
    const pTokens = sum(paired.map((r) => r.completionTokens));
    const bTokens = sum(theirs.map((r) => r.completionTokens));
    const pLatency = sum(paired.map((r) => r.latencyS));
    const bLatency = sum(theirs.map((r) => r.latencyS));
    const tokenSpeedup = paired.length && pTokens > 0 ? bTokens / pTokens : null;
    const speedup = paired.length && pLatency > 0 ? bLatency / pLatency : null;
    return {
      run: run.name,
      gamma,
      baseline: run.baseline,
      pairs: paired.length,
      meanCompletionTokens: n ? tokens / n : null,
      meanLatencyS: n ? latency / n : null,
      msPerToken: tokens > 0 ? (1000 * latency) / tokens : null,
      meanTimeToFirstTokenMs: n ? sum(mine.map((r) => r.timeToFirstTokenMs)) / n : null,
      meanDecodeTokensPerS: n ? sum(mine.map((r) => r.decodeTokensPerS)) / n : null,
      tokenSpeedup,
      speedup,
      speedupOverIdeal: tokenSpeedup && speedup !== null ? speedup / tokenSpeedup : null,
    };
  });
}

export function summarizeBenchmark(
  config: BenchmarkConfig,
  results: SampleResult[],
  method: string,
): RunSummary[] {
  // Table order (baseline, then the configuration's γ's), whatever order the samples finished in.
  const runs = benchmarkRuns(config);
  const records: RunRecord[] = runs.flatMap((run) =>
    results.filter(inRun(run)).map((r) => ({
      run: run.name,
      method: run.baseline ? 'Original' : r.gamma === 1 ? `${method} γ=1` : method,
      // One group (the grader compares runs within a model and dataset); the baseline row's own
      // model id is put back below.
      model: config.modelId,
      dataset: config.dataset,
      gamma: r.gamma,
      original: config.baseline ? run.baseline : r.gamma === 1,
      id: r.id,
      correct: r.correct,
      prediction: r.prediction,
      output: r.output,
      cotTokens: r.cotTokens,
      latencyS: r.latencyS,
      decodeTokensPerS: r.decodeTokensPerS,
    })),
  );
  const summaries = summarizeRuns(groupRuns(records));
  for (const s of summaries)
    if (s.name === runs[0]?.name && config.baseline) s.model = config.baseline;
  return summaries;
}

export function buildResults(
  state: BenchmarkState,
  engine: BenchmarkEngine | null,
  method: string,
  baselineEngine: BenchmarkEngine | null = null,
): BenchmarkResults {
  return {
    schema: RESULTS_SCHEMA,
    status: 'done',
    query: benchmarkQuery(state.config),
    config: state.config,
    engine,
    baselineEngine,
    sampleIds: state.sampleIds,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt ?? new Date().toISOString(),
    resumes: state.resumes,
    runs: summarizeBenchmark(state.config, state.results, method),
    timing: timingByGamma(state.config, state.results),
    samples: state.results,
  };
}
