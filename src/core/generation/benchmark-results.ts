/**
 * The finished benchmark as one stable document (schema `tokenskip-benchmark/v1`), the form an
 * outside script reads from the page (see docs/automation.md) and the JSON download. Summaries
 * come from the project's grader (src/core/eval): accuracy, ΔAcc, CoT tokens, actual ratio,
 * latency and speedup per γ, measured against the γ = 1 run.
 */
import { groupRuns, summarizeRuns, type RunRecord, type RunSummary } from '../eval/index.ts';
import {
  RESULTS_SCHEMA,
  benchmarkQuery,
  type BenchmarkConfig,
  type BenchmarkState,
  type SampleResult,
} from './benchmark-plan.ts';
import type { EngineKind } from './engine.ts';

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
  sampleIds: string[];
  startedAt: string;
  finishedAt: string;
  /** How many times the run was resumed (after a pause or a page reload). */
  resumes: number;
  runs: RunSummary[];
  samples: SampleResult[];
}

export function summarizeBenchmark(
  config: BenchmarkConfig,
  results: SampleResult[],
  method: string,
): RunSummary[] {
  // γ order of the configuration, whatever order the samples finished in (resumed runs).
  const ordered = config.gammas.flatMap((gamma) => results.filter((r) => r.gamma === gamma));
  const records: RunRecord[] = ordered.map((r) => ({
    run: `${config.modelId} ${config.dataset} γ=${r.gamma}`,
    method: r.gamma === 1 ? `${method} γ=1` : method,
    model: config.modelId,
    dataset: config.dataset,
    gamma: r.gamma,
    original: r.gamma === 1,
    id: r.id,
    correct: r.correct,
    prediction: r.prediction,
    output: r.output,
    cotTokens: r.cotTokens,
    latencyS: r.latencyS,
    decodeTokensPerS: r.decodeTokensPerS,
  }));
  return summarizeRuns(groupRuns(records));
}

export function buildResults(
  state: BenchmarkState,
  engine: BenchmarkEngine | null,
  method: string,
): BenchmarkResults {
  return {
    schema: RESULTS_SCHEMA,
    status: 'done',
    query: benchmarkQuery(state.config),
    config: state.config,
    engine,
    sampleIds: state.sampleIds,
    startedAt: state.startedAt,
    finishedAt: state.finishedAt ?? new Date().toISOString(),
    resumes: state.resumes,
    runs: summarizeBenchmark(state.config, state.results, method),
    samples: state.results,
  };
}
