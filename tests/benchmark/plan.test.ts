/**
 * The benchmark's plain-data core: URL parameters, the seeded sample, job order and resumption,
 * persisted state, the results document (graded by the project's grader), and the CoT alignment.
 */
import { describe, expect, it } from 'vitest';
import {
  benchmarkQuery,
  nextJob,
  parseBenchmarkParams,
  plan,
  readSavedState,
  restoreState,
  sampleIndices,
  type BenchmarkState,
  type SampleResult,
} from '../../src/core/benchmark/plan.ts';
import { buildResults, timingByGamma } from '../../src/core/benchmark/results.ts';
import { alignWords, compareRuns } from '../../src/core/generation/align.ts';

describe('parseBenchmarkParams', () => {
  it('reads the documented URL and round-trips through benchmarkQuery', () => {
    const config = parseBenchmarkParams(
      new URLSearchParams('dataset=math-500&n=5&seed=1&model=tiny-qwen2&gammas=1,0.6&backend=wasm'),
    );
    expect(config).toEqual({
      dataset: 'math',
      n: 5,
      seed: 1,
      modelId: 'tiny-qwen2',
      // The fixture has no original model in the registry: its γ = 1 run is the baseline.
      baseline: null,
      gammas: [1, 0.6],
      maxNewTokens: 1024,
      backend: 'wasm',
    });
    expect(parseBenchmarkParams(new URLSearchParams(benchmarkQuery(config)))).toEqual(config);
  });

  it('runs the original model as the baseline: the registry one for mini, or baseline=', () => {
    // models/mini/table.json compares mini-tokenskip against mini-base; so does the page.
    const mini = parseBenchmarkParams(new URLSearchParams('gammas=1,0.6'));
    expect(mini).toMatchObject({ modelId: 'mini-tokenskip', baseline: 'mini-base' });
    expect(benchmarkQuery(mini)).toContain('baseline=mini-base');
    expect(parseBenchmarkParams(new URLSearchParams(benchmarkQuery(mini)))).toEqual(mini);
    const none = parseBenchmarkParams(new URLSearchParams('baseline=none'));
    expect(none.baseline).toBeNull();
    expect(parseBenchmarkParams(new URLSearchParams(benchmarkQuery(none)))).toEqual(none);
    expect(
      parseBenchmarkParams(new URLSearchParams('model=tiny-qwen2&baseline=mini-base')).baseline,
    ).toBe('mini-base');
    expect(() => parseBenchmarkParams(new URLSearchParams('baseline=mini-tokenskip'))).toThrow(
      /baseline is the model itself \(mini-tokenskip\)/,
    );
  });

  it.each([
    ['gammas=1,1.5', /gammas\[1\] must be a number in \(0, 1\]/],
    ['gammas=', /gammas is empty/],
    ['n=0', /n must be a positive integer/],
    ['n=2.5', /n must be a positive integer/],
    ['seed=-1', /seed must be a non-negative integer/],
    ['dataset=aime', /dataset must be gsm8k, math \(MATH-500\) or arith/],
    ['backend=cuda', /backend must be auto, webgpu or wasm/],
  ])('rejects %s', (query, message) => {
    expect(() => parseBenchmarkParams(new URLSearchParams(query))).toThrow(message);
  });
});

describe('sampleIndices', () => {
  it('is deterministic per seed, distinct, sorted and in range', () => {
    const a = sampleIndices(1319, 50, 7);
    expect(sampleIndices(1319, 50, 7)).toEqual(a);
    expect(new Set(a).size).toBe(50);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(a.every((i) => i >= 0 && i < 1319)).toBe(true);
    expect(sampleIndices(1319, 50, 8)).not.toEqual(a);
  });
  it('takes the whole set when n equals its size, and refuses more', () => {
    expect(sampleIndices(5, 5, 3)).toEqual([0, 1, 2, 3, 4]);
    expect(() => sampleIndices(5, 6, 3)).toThrow(/more than the dataset's 5/);
  });
});

const config = parseBenchmarkParams(new URLSearchParams('n=2&gammas=1,0.5&model=tiny-qwen2'));

function sample(
  gamma: number,
  id: string,
  correct: boolean,
  cotTokens: number,
  latencyS: number,
): SampleResult {
  return {
    gamma,
    id,
    question: 'q',
    answer: '1',
    output: 'x',
    prediction: '1',
    correct,
    cotTokens,
    promptTokens: 10,
    completionTokens: cotTokens + 5,
    latencyS,
    timeToFirstTokenMs: 5,
    decodeTokensPerS: 100,
    finishReason: 'stop',
  };
}

describe('jobs and resumption', () => {
  it('interleaves γ per question (order rotated) and resumes at the first job without a result', () => {
    const jobs = plan(config, ['a', 'b']);
    expect(jobs).toEqual([
      { gamma: 1, id: 'a' },
      { gamma: 0.5, id: 'a' },
      { gamma: 0.5, id: 'b' },
      { gamma: 1, id: 'b' },
    ]);
    expect(nextJob(jobs, [sample(1, 'a', true, 10, 1), sample(1, 'b', true, 10, 1)])).toEqual({
      gamma: 0.5,
      id: 'a',
    });
    // Three γ over three questions: each γ runs first, second and third once.
    const three = plan({ ...config, gammas: [1, 0.6, 0.3] }, ['a', 'b', 'c']);
    for (let pos = 0; pos < 3; pos++) {
      expect(new Set([0, 1, 2].map((q) => three[q * 3 + pos]!.gamma)).size).toBe(3);
    }
    expect(
      nextJob(
        jobs,
        jobs.map((j) => sample(j.gamma, j.id, true, 1, 1)),
      ),
    ).toBeUndefined();
  });

  it('runs the baseline model as one more slot of the rotation, keyed apart from γ = 1', () => {
    const withBase = { ...config, baseline: 'mini-base' };
    const jobs = plan(withBase, ['a', 'b', 'c']);
    expect(jobs.slice(0, 3)).toEqual([
      { gamma: 1, baseline: true, id: 'a' },
      { gamma: 1, id: 'a' },
      { gamma: 0.5, id: 'a' },
    ]);
    // Each of the three runs is first, second and third once over three questions.
    const slot = (j: (typeof jobs)[number]) => (j.baseline ? 'base' : String(j.gamma));
    for (let pos = 0; pos < 3; pos++) {
      expect(new Set([0, 1, 2].map((q) => slot(jobs[q * 3 + pos]!))).size).toBe(3);
    }
    // The TokenSkip model's γ = 1 result does not count as the baseline's.
    expect(nextJob(jobs, [sample(1, 'a', true, 10, 1)])).toEqual({
      gamma: 1,
      baseline: true,
      id: 'a',
    });
  });

  it('reads a run saved before the baseline row as baseline none, and checks baseline samples', () => {
    const { baseline: _dropped, ...old } = config;
    const state = {
      schema: 'tokenskip-benchmark/v1',
      config: old,
      sampleIds: ['a', 'b'],
      results: [sample(1, 'a', true, 10, 1)],
      status: 'paused',
      startedAt: '2026-01-01T00:00:00.000Z',
      resumes: 0,
    };
    const read = readSavedState(JSON.stringify(state));
    expect(read && 'state' in read && read.state.config.baseline).toBeNull();
    const base = { ...sample(1, 'a', true, 10, 1), baseline: true as const };
    expect(readSavedState(JSON.stringify({ ...state, results: [base] }))).toEqual({
      problem: 'a result is for a baseline model, but its config runs none',
    });
    const withBase = { ...state, config: { ...config, baseline: 'mini-base' } };
    const both = readSavedState(
      JSON.stringify({ ...withBase, results: [base, sample(1, 'a', true, 10, 1)] }),
    );
    expect(both && 'state' in both).toBe(true);
    expect(readSavedState(JSON.stringify({ ...withBase, results: [base, base] }))).toEqual({
      problem: 'question "a" at the baseline mini-base has two results',
    });
  });

  it('restores only a well-formed state of this schema', () => {
    const state: BenchmarkState = {
      schema: 'tokenskip-benchmark/v1',
      config,
      sampleIds: ['a', 'b'],
      results: [sample(1, 'a', true, 10, 1)],
      status: 'paused',
      startedAt: '2026-01-01T00:00:00.000Z',
      resumes: 0,
    };
    expect(restoreState(JSON.stringify(state))).toEqual(state);
    expect(restoreState(JSON.stringify({ ...state, schema: 'v0' }))).toBeUndefined();
    expect(
      restoreState(JSON.stringify({ ...state, config: { ...config, gammas: [2] } })),
    ).toBeUndefined();
    expect(restoreState('{not json')).toBeUndefined();
    expect(restoreState(null)).toBeUndefined();
  });

  it('says what is wrong with a damaged saved run instead of handing it to the runner', () => {
    const state = {
      schema: 'tokenskip-benchmark/v1',
      config,
      // As many questions as config.n: a run listing more or fewer is damaged (issue 23).
      sampleIds: ['a', 'b'],
      results: [],
      status: 'paused',
      startedAt: '2026-01-01T00:00:00.000Z',
      resumes: 0,
    };
    expect(readSavedState(JSON.stringify(state))).toEqual({ state });
    const problem = (value: unknown) => readSavedState(JSON.stringify(value));
    expect(problem({ ...state, sampleIds: 'a' })).toEqual({
      problem: 'sampleIds is not a list of question ids',
    });
    expect(problem({ ...state, results: [{ gamma: '1' }] })).toEqual({
      problem: 'results is not a list of graded samples',
    });
    expect(problem({ ...state, status: 'sleeping' })).toEqual({ problem: 'its status is unknown' });
    expect(problem([1])).toEqual({ problem: 'it is not a JSON object' });
    expect(readSavedState('{not json')).toEqual({ problem: 'it is not valid JSON' });
    expect(readSavedState(null)).toBeUndefined();
  });
});

describe('buildResults', () => {
  it('summarises per γ against the γ = 1 run with the project grader metrics', () => {
    const results = [
      sample(1, 'a', true, 100, 2),
      sample(1, 'b', false, 60, 2),
      sample(0.5, 'a', true, 50, 1),
      sample(0.5, 'b', true, 30, 0.5),
    ];
    const doc = buildResults(
      {
        schema: 'tokenskip-benchmark/v1',
        config,
        sampleIds: ['a', 'b'],
        results,
        status: 'done',
        startedAt: 's',
        finishedAt: 'f',
        resumes: 1,
      },
      null,
      'TokenSkip',
    );
    expect(doc.query).toBe(benchmarkQuery(config));
    const [full, half] = doc.runs;
    expect(full).toMatchObject({
      gamma: 1,
      original: true,
      n: 2,
      accuracyPct: 50,
      meanCotTokens: 80,
    });
    expect(half).toMatchObject({
      gamma: 0.5,
      n: 2,
      accuracyPct: 100,
      deltaAccPct: 50,
      meanCotTokens: 40,
      actualRatio: 0.5,
    });
    expect(half!.speedup).toBeCloseTo(2 / 0.75, 6);
    expect(doc.samples).toBe(results);
  });

  it('measures every row against the original model when it runs (the paper, REFERENCE.md)', () => {
    const withBase = { ...config, baseline: 'mini-base' };
    const base = (id: string, correct: boolean, cot: number, s: number) => ({
      ...sample(1, id, correct, cot, s),
      baseline: true as const,
    });
    const results = [
      base('a', true, 200, 4),
      base('b', true, 100, 2),
      sample(1, 'a', true, 100, 2),
      sample(1, 'b', false, 60, 2),
      sample(0.5, 'a', true, 50, 1),
      sample(0.5, 'b', true, 30, 0.5),
    ];
    const doc = buildResults(
      {
        schema: 'tokenskip-benchmark/v1',
        config: withBase,
        sampleIds: ['a', 'b'],
        results,
        status: 'done',
        startedAt: 's',
        finishedAt: 'f',
        resumes: 0,
      },
      null,
      'TokenSkip',
    );
    expect(doc.query).toContain('baseline=mini-base');
    const [original, full, half] = doc.runs;
    expect(doc.runs).toHaveLength(3);
    expect(original).toMatchObject({
      method: 'Original',
      model: 'mini-base',
      gamma: 1,
      original: true,
      accuracyPct: 100,
      deltaAccPct: 0,
      meanCotTokens: 150,
      speedup: 1,
    });
    // ΔAcc, ratio and speedup of both TokenSkip rows against the original, not γ = 1.
    expect(full).toMatchObject({ method: 'TokenSkip γ=1', original: false, deltaAccPct: -50 });
    expect(full!.baseline).toBe(original!.name);
    expect(full!.actualRatio).toBeCloseTo(80 / 150, 6);
    expect(full!.speedup).toBeCloseTo(3 / 2, 6);
    expect(half).toMatchObject({ deltaAccPct: 0, baseline: original!.name });
    expect(half!.actualRatio).toBeCloseTo(40 / 150, 6);
    expect(half!.speedup).toBeCloseTo(3 / 0.75, 6);
    // Timing rows name their run and pair with the original model's samples.
    expect(doc.timing.map((t) => [t.run, t.baseline, t.pairs])).toEqual([
      [original!.name, true, 2],
      [full!.name, false, 2],
      [half!.name, false, 2],
    ]);
    expect(doc.timing[2]!.speedup).toBeCloseTo(6 / 1.5, 6);
  });
});

describe('alignWords', () => {
  it('marks shared, dropped and added words in order', () => {
    expect(alignWords('a b c d', 'a c e')).toEqual([
      { word: 'a', op: 'same' },
      { word: 'b', op: 'dropped' },
      { word: 'c', op: 'same' },
      { word: 'd', op: 'dropped' },
      { word: 'e', op: 'added' },
    ]);
  });
  it('keeps every word of both texts exactly once', () => {
    const full = 'Janet sells 16 - 3 - 4 = 9 duck eggs a day . She makes 9 * 2 = $18 every day';
    const comp = 'Janet sells 16 - 3 - 4 = 9 eggs . 9 * 2 = $18 daily';
    const aligned = alignWords(full, comp);
    expect(
      aligned
        .filter((w) => w.op !== 'added')
        .map((w) => w.word)
        .join(' '),
    ).toBe(full);
    expect(
      aligned
        .filter((w) => w.op !== 'dropped')
        .map((w) => w.word)
        .join(' '),
    ).toBe(comp);
    expect(aligned.filter((w) => w.op === 'same')).toHaveLength(16);
  });
  it('compares two runs: saving, ratio, speedup', () => {
    expect(compareRuns({ tokens: 200, latencyMs: 1000 }, { tokens: 120, latencyMs: 640 })).toEqual({
      tokenSaving: 0.4,
      tokenRatio: 0.6,
      speedup: 1.5625,
    });
  });
});

describe('timing per γ (is the speedup what the token counts predict?)', () => {
  it('pairs questions with γ = 1 and compares per-token latency', () => {
    // γ = 0.6 generated more tokens (28 + 5 vs 18 + 5 per question) yet took half the time:
    // the kind of result a warm-up landing on γ = 1 produces. speedup / ideal exposes it.
    const results = [
      sample(1, 'a', true, 18, 2),
      sample(1, 'b', true, 18, 2),
      sample(0.5, 'a', true, 28, 1),
      sample(0.5, 'b', true, 28, 1),
      sample(0.5, 'c', true, 28, 1), // no γ = 1 partner: not paired
    ];
    const [base, half] = timingByGamma(config, results);
    expect(base!.speedupOverIdeal).toBeCloseTo(1);
    expect(half!.pairs).toBe(2);
    expect(half!.tokenSpeedup).toBeCloseTo(23 / 33);
    expect(half!.speedup).toBeCloseTo(2);
    expect(half!.speedupOverIdeal).toBeCloseTo(2 / (23 / 33));
    expect(half!.msPerToken).toBeCloseTo(1000 / 33);
    expect(half!.meanCompletionTokens).toBeCloseTo(33);
  });
});
