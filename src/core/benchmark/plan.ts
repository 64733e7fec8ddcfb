/**
 * The Benchmark page's run, as plain data: its configuration (from the form or the URL), the
 * seeded sample of questions, the list of (γ, question) jobs, the results so far (persisted, so a
 * reloaded page resumes where it stopped) and the stable results document an outside script reads.
 *
 *   const config = parseBenchmarkParams(new URLSearchParams('dataset=gsm8k&n=5&seed=1&model=tiny-qwen2&gammas=1,0.6'));
 *   const ids = sampleIndices(1319, config.n, config.seed);   // same ids for the same seed, everywhere
 *   const next = nextJob(plan(config, ids), results);
 */
import { TokenSkipError } from '../errors.ts';
import { seededRandom } from '../random.ts';
import { parseGammaList, validateGamma } from '../prompts/gamma.ts';
import { GENERATION_MODELS } from '../models/registry.ts';

export type BenchmarkDataset = 'gsm8k' | 'math' | 'arith';

export const BENCHMARK_DATASETS: Record<
  BenchmarkDataset,
  /** `questions`: lines of `path`, so a too-large n is refused with the other parameters. */
  { label: string; path: string; maxNewTokens: number; questions: number }
> = {
  gsm8k: {
    label: 'GSM8K test (1,319)',
    path: 'data/gsm8k/test.jsonl',
    maxNewTokens: 512,
    questions: 1319,
  },
  math: {
    label: 'MATH-500 (500)',
    path: 'data/math-500/test.jsonl',
    maxNewTokens: 1024,
    questions: 500,
  },
  arith: {
    label: 'TinyArith test (1,000)',
    path: 'data/arith/test.jsonl',
    maxNewTokens: 256,
    questions: 1000,
  },
};

/** The grading rules of a benchmark dataset: TinyArith answers are numbers, graded as GSM8K's. */
export const gradingRules = (d: BenchmarkDataset): 'gsm8k' | 'math' =>
  d === 'math' ? 'math' : 'gsm8k';

export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

export interface BenchmarkConfig {
  dataset: BenchmarkDataset;
  /** Questions sampled from the dataset. */
  n: number;
  seed: number;
  modelId: string;
  /**
   * The original (base) model the paper measures ΔAcc, ratio and speedup against, run as its own
   * row on the same questions (γ = 1 prompt, no γ marker); null: none, the γ = 1 run is the
   * baseline.
   */
  baseline: string | null;
  gammas: number[];
  /** TokenSkip's budget by default: 512 (GSM8K) / 1024 (MATH). */
  maxNewTokens: number;
  backend: BackendPreference;
}

export interface SampleResult {
  gamma: number;
  /** Set on the baseline model's samples (config.baseline), which run at γ = 1. */
  baseline?: true;
  /** The dataset row's id. */
  id: string;
  question: string;
  answer: string;
  output: string;
  prediction: string | string[];
  correct: boolean;
  cotTokens: number;
  promptTokens: number;
  completionTokens: number;
  latencyS: number;
  timeToFirstTokenMs: number;
  decodeTokensPerS: number;
  finishReason: string;
}

export type BenchmarkStatus =
  'idle' | 'loading' | 'running' | 'paused' | 'done' | 'cancelled' | 'error';

export interface BenchmarkState {
  schema: typeof RESULTS_SCHEMA;
  config: BenchmarkConfig;
  sampleIds: string[];
  results: SampleResult[];
  status: BenchmarkStatus;
  startedAt: string;
  finishedAt?: string;
  /** How many times the run was resumed (after a pause or a page reload). */
  resumes: number;
}

export const RESULTS_SCHEMA = 'tokenskip-benchmark/v1';

function positiveInt(text: string | null, field: string, fallback: number | undefined): number {
  if (text === null || text.trim() === '') {
    if (fallback !== undefined) return fallback;
    throw new TokenSkipError('INVALID_ARGUMENT', { id: 'benchMissing', params: { field } });
  }
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || (field !== 'seed' && value < 1)) {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: field === 'seed' ? 'benchNonNegative' : 'benchPositive',
      params: { field, got: JSON.stringify(text) },
    });
  }
  return value;
}

/** TinyArith by default: the task the shipped mini model was trained on. */
export function parseDataset(text: string | null): BenchmarkDataset {
  const t = (text ?? 'arith').toLowerCase();
  if (t === 'gsm8k') return 'gsm8k';
  if (t === 'math' || t === 'math-500' || t === 'math500') return 'math';
  if (t === 'arith' || t === 'tinyarith') return 'arith';
  throw new TokenSkipError('INVALID_ARGUMENT', {
    id: 'benchDataset',
    params: { got: JSON.stringify(text) },
  });
}

/**
 * The original model a TokenSkip model is compared with: the registry's causal LM whose
 * `baselineOf` names it (mini-tokenskip -> mini-base, the model models/mini/table.json compares
 * against), or null when the registry has none (fixtures, original models).
 */
export function defaultBaseline(modelId: string): string | null {
  return GENERATION_MODELS.find((m) => m.baselineOf === modelId)?.id ?? null;
}

/** `baseline=` in a URL: absent -> the registry's, `none` -> no baseline row, else a model id. */
export function parseBaseline(text: string | null, modelId: string): string | null {
  if (text === null) return defaultBaseline(modelId);
  const t = text.trim();
  return t === '' || t.toLowerCase() === 'none' ? null : t;
}

/** Reads a benchmark configuration from URL parameters (see docs/automation.md). */
export function parseBenchmarkParams(
  params: URLSearchParams,
  defaultModel = 'mini-tokenskip',
): BenchmarkConfig {
  const modelId = params.get('model') ?? defaultModel;
  const dataset = parseDataset(params.get('dataset'));
  const backend = (params.get('backend') ?? 'auto') as BackendPreference;
  if (!['auto', 'webgpu', 'wasm'].includes(backend)) {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'benchBackend',
      params: { got: JSON.stringify(backend) },
    });
  }
  return validateConfig({
    dataset,
    n: positiveInt(params.get('n'), 'n', 10),
    seed: positiveInt(params.get('seed'), 'seed', 0),
    modelId,
    baseline: parseBaseline(params.get('baseline'), modelId),
    gammas: parseGammaList(params.get('gammas') ?? '1,0.6'),
    maxNewTokens: positiveInt(
      params.get('max_tokens'),
      'max_tokens',
      BENCHMARK_DATASETS[dataset].maxNewTokens,
    ),
    backend,
  });
}

export function validateConfig(config: BenchmarkConfig): BenchmarkConfig {
  if (config.gammas.length === 0) {
    throw new TokenSkipError('INVALID_ARGUMENT', { id: 'benchGammasEmpty' });
  }
  config.gammas.forEach((g, i) => validateGamma(g, `gammas[${i}]`));
  if (!Number.isInteger(config.n) || config.n < 1) {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'benchPositive',
      params: { field: 'n', got: String(config.n) },
    });
  }
  const size = BENCHMARK_DATASETS[config.dataset]?.questions;
  if (size !== undefined && config.n > size) {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'benchNTooLarge',
      params: { n: config.n, size },
    });
  }
  if (config.modelId.trim() === '') {
    throw new TokenSkipError('INVALID_ARGUMENT', { id: 'benchModelEmpty' });
  }
  if (config.baseline !== null && typeof config.baseline !== 'string') {
    throw new TokenSkipError('INVALID_ARGUMENT', { id: 'benchBaselineType' });
  }
  if (config.baseline === config.modelId) {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'benchBaselineSelf',
      params: { model: config.modelId },
    });
  }
  return config;
}

/** The URL query that reproduces a configuration. */
export function benchmarkQuery(config: BenchmarkConfig): string {
  const q = new URLSearchParams({
    dataset: config.dataset,
    n: String(config.n),
    seed: String(config.seed),
    model: config.modelId,
    baseline: config.baseline ?? 'none',
    gammas: config.gammas.join(','),
    max_tokens: String(config.maxNewTokens),
    backend: config.backend,
  });
  return q.toString();
}

/** `n` distinct row indices out of `size`, chosen by a seeded shuffle, in ascending order. */
export function sampleIndices(size: number, n: number, seed: number): number[] {
  if (n > size) {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'benchNTooLargeShort',
      params: { n, size },
    });
  }
  const rand = seededRandom(seed);
  const idx = Array.from({ length: size }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (size - i));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, n).sort((a, b) => a - b);
}

export interface Job {
  gamma: number;
  id: string;
  /** A job of the baseline model (config.baseline), at γ = 1. */
  baseline?: true;
}

/** One key per (run, question): the baseline model's γ = 1 is not the TokenSkip model's γ = 1. */
export const jobKey = (j: { gamma: number; id: string; baseline?: boolean }): string =>
  `${j.baseline ? 'baseline' : j.gamma}|${j.id}`;

/**
 * Question-major order, every γ of a question back to back, the γ order rotated by one per
 * question (1, 0.6 / 0.6, 1 / ...). Timing drift (another process, thermal throttling, a GPU that
 * warms up, a browser tab in the background) then hits every γ alike, and no γ is always the one
 * that runs first. The γ-major order of the paper's separate runs let all of it land on one γ:
 * γ = 1 ran first, paid for the warm-up and was slower per token, which inflated the speedup.
 * The baseline model (config.baseline) is one more slot in the rotation, first on question 0.
 */
export function plan(config: BenchmarkConfig, sampleIds: string[]): Job[] {
  const slots: Omit<Job, 'id'>[] = [
    ...(config.baseline ? [{ gamma: 1, baseline: true as const }] : []),
    ...config.gammas.map((gamma) => ({ gamma })),
  ];
  return sampleIds.flatMap((id, q) =>
    slots.map((_, k) => ({ ...slots[(k + q) % slots.length]!, id })),
  );
}

export function nextJob(jobs: Job[], results: SampleResult[]): Job | undefined {
  const done = new Set(results.map(jobKey));
  return jobs.find((j) => !done.has(jobKey(j)));
}

export function sameConfig(a: BenchmarkConfig, b: BenchmarkConfig): boolean {
  return benchmarkQuery(a) === benchmarkQuery(b);
}

/** Reads a persisted state back, or undefined when it is missing, stale or from another version. */
const STATUSES: readonly string[] = [
  'idle',
  'loading',
  'running',
  'paused',
  'done',
  'cancelled',
  'error',
];

/** What is wrong with a saved run (parsed JSON), or undefined when it can be resumed. */
export function savedStateProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'it is not a JSON object';
  }
  const s = value as Record<string, unknown>;
  if (s.schema !== RESULTS_SCHEMA)
    return `its schema is ${JSON.stringify(s.schema)}, not ${RESULTS_SCHEMA}`;
  if (typeof s.config !== 'object' || s.config === null) return 'it has no config';
  try {
    validateConfig(s.config as BenchmarkConfig);
  } catch (error) {
    return `its config is invalid (${(error as Error).message})`;
  }
  if (!Array.isArray(s.sampleIds) || s.sampleIds.some((id) => typeof id !== 'string')) {
    return 'sampleIds is not a list of question ids';
  }
  if (
    !Array.isArray(s.results) ||
    s.results.some(
      (r) =>
        typeof r !== 'object' ||
        r === null ||
        typeof (r as SampleResult).gamma !== 'number' ||
        typeof (r as SampleResult).id !== 'string',
    )
  ) {
    return 'results is not a list of graded samples';
  }
  const config = s.config as BenchmarkConfig;
  const ids = s.sampleIds as string[];
  if (ids.length !== config.n) {
    return `it lists ${ids.length} questions but its config asks for n = ${config.n}`;
  }
  if (new Set(ids).size !== ids.length) return 'sampleIds lists a question twice';
  const known = new Set(ids);
  const seen = new Set<string>();
  for (const r of s.results as SampleResult[]) {
    if (r.baseline && !config.baseline) {
      return `a result is for a baseline model, but its config runs none`;
    }
    if (!r.baseline && !config.gammas.includes(r.gamma)) {
      return `a result is for γ = ${r.gamma}, which its config (γ ${config.gammas.join(', ')}) does not run`;
    }
    if (!known.has(r.id))
      return `a result is for question ${JSON.stringify(r.id)}, not in sampleIds`;
    const key = jobKey(r);
    if (seen.has(key)) {
      const run = r.baseline ? `the baseline ${config.baseline}` : `γ = ${r.gamma}`;
      return `question ${JSON.stringify(r.id)} at ${run} has two results`;
    }
    seen.add(key);
  }
  if (typeof s.status !== 'string' || !STATUSES.includes(s.status)) return 'its status is unknown';
  if (typeof s.startedAt !== 'string') return 'startedAt is missing';
  if (typeof s.resumes !== 'number') return 'resumes is not a number';
  return undefined;
}

/**
 * What is wrong with resuming `state` on the dataset whose question ids (in file order) are
 * `datasetIds`, or undefined when it fits: its questions must be the ones its config draws
 * (`sampleIndices` with its n and seed), so a run edited or saved by another dataset version is
 * never resumed into a different benchmark.
 */
export function savedRunDatasetProblem(
  state: BenchmarkState,
  datasetIds: readonly string[],
): string | undefined {
  const { dataset, n, seed } = state.config;
  const inDataset = new Set(datasetIds);
  const missing = state.sampleIds.find((id) => !inDataset.has(id));
  if (missing !== undefined) {
    return `question ${JSON.stringify(missing)} is not in the ${dataset} questions this app has`;
  }
  let drawn: string[];
  try {
    drawn = sampleIndices(datasetIds.length, n, seed).map((i) => datasetIds[i]!);
  } catch (error) {
    return (error as Error).message;
  }
  if (drawn.join('\u0000') !== state.sampleIds.join('\u0000')) {
    return `its questions are not the ${n} that seed ${seed} draws from ${dataset}`;
  }
  return undefined;
}

/**
 * A saved run read back: the state, or why it cannot be used (so the page can say so instead of
 * failing later with "sampleIds.map is not a function"); undefined when nothing was saved.
 */
export function readSavedState(
  json: string | null,
): { state: BenchmarkState } | { problem: string } | undefined {
  if (!json) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { problem: 'it is not valid JSON' };
  }
  // Runs saved before the baseline row existed ran without one: read them as baseline none.
  const config = (value as { config?: unknown } | null)?.config;
  if (typeof config === 'object' && config !== null && !('baseline' in config)) {
    (config as { baseline: null }).baseline = null;
  }
  const problem = savedStateProblem(value);
  return problem ? { problem } : { state: value as BenchmarkState };
}

/** A saved run, or undefined when there is none or it is unusable. */
export function restoreState(json: string | null): BenchmarkState | undefined {
  const saved = readSavedState(json);
  return saved && 'state' in saved ? saved.state : undefined;
}
