/**
 * Saved Benchmark runs and parameters checked before anything runs (issue 23, items 17 and the
 * `n` statement of docs/automation.md): a saved run must fit its config and its dataset, and a
 * too-large `n` is refused with the other parameters.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BENCHMARK_DATASETS,
  RESULTS_SCHEMA,
  parseBenchmarkParams,
  sampleIndices,
  savedRunDatasetProblem,
  savedStateProblem,
  type BenchmarkState,
} from '../../src/core/benchmark/plan.ts';
import { repoRoot } from '../helpers/fixtures.ts';

const config = {
  dataset: 'gsm8k' as const,
  n: 3,
  seed: 1,
  modelId: 'tiny-qwen2',
  baseline: null,
  gammas: [1, 0.5],
  maxNewTokens: 24,
  backend: 'wasm' as const,
};
const ids = Array.from({ length: 1319 }, (_, i) => `gsm8k-test-${i}`);
const drawn = sampleIndices(ids.length, 3, 1).map((i) => ids[i]!);
const state = (over: Partial<BenchmarkState> = {}): BenchmarkState => ({
  schema: RESULTS_SCHEMA,
  config,
  sampleIds: drawn,
  results: [],
  status: 'paused',
  startedAt: '2026-01-01T00:00:00.000Z',
  resumes: 0,
  ...over,
});
const result = (gamma: number, id: string) => ({ gamma, id }) as BenchmarkState['results'][number];

describe('a saved run must fit its config', () => {
  it.each([
    [
      '50 questions for n = 3',
      { sampleIds: Array.from({ length: 50 }, (_, i) => `q${i}`) },
      'it lists 50 questions but its config asks for n = 3',
    ],
    [
      'a question twice',
      { sampleIds: [drawn[0]!, drawn[0]!, drawn[1]!] },
      'sampleIds lists a question twice',
    ],
    [
      'a result at another γ',
      { results: [result(0.7, drawn[0]!)] },
      'a result is for γ = 0.7, which its config (γ 1, 0.5) does not run',
    ],
    [
      'a result for another question',
      { results: [result(1, 'elsewhere')] },
      'a result is for question "elsewhere", not in sampleIds',
    ],
    [
      'two results for one job',
      { results: [result(1, drawn[0]!), result(1, drawn[0]!)] },
      `question "${drawn[0]}" at γ = 1 has two results`,
    ],
  ])('%s', (_name, over, problem) => {
    expect(savedStateProblem(state(over))).toBe(problem);
  });

  it('a run as the page saves it has no problem', () => {
    expect(savedStateProblem(state({ results: [result(1, drawn[0]!)] }))).toBeUndefined();
  });
});

describe('a saved run must fit the dataset', () => {
  it('its questions must be in the dataset and be the ones its seed draws', () => {
    expect(savedRunDatasetProblem(state(), ids)).toBeUndefined();
    expect(savedRunDatasetProblem(state({ sampleIds: ['x', 'y', 'z'] }), ids)).toBe(
      'question "x" is not in the gsm8k questions this app has',
    );
    const other = sampleIndices(ids.length, 3, 2).map((i) => ids[i]!);
    expect(savedRunDatasetProblem(state({ sampleIds: other }), ids)).toBe(
      'its questions are not the 3 that seed 1 draws from gsm8k',
    );
  });
});

describe('n is checked with the other parameters', () => {
  it('n larger than the dataset is refused before any run', () => {
    expect(() =>
      parseBenchmarkParams(new URLSearchParams('dataset=gsm8k&n=5000&model=tiny-qwen2')),
    ).toThrow("n = 5000 is more than the dataset's 1319 questions; give n from 1 to 1319.");
    expect(parseBenchmarkParams(new URLSearchParams('dataset=math&n=500')).n).toBe(500);
  });

  it.each(Object.entries(BENCHMARK_DATASETS))(
    '%s: questions is the line count of its file',
    (_id, d) => {
      const lines = readFileSync(path.join(repoRoot, d.path), 'utf8').split('\n').filter(Boolean);
      expect(lines).toHaveLength(d.questions);
    },
  );
});
