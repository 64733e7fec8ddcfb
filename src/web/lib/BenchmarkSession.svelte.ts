/**
 * State and actions of the Benchmark page: a seeded sample of a dataset, run at every γ on one
 * model, graded with the project's grader, persisted after every sample (localStorage, one entry
 * per run, the tab's run id in sessionStorage: benchmark-store.ts) so pause, cancel and a page
 * reload resume where the run stopped, and two tabs never overwrite each other's run. When it
 * finishes, the results document is published for automation (publish-results.ts,
 * docs/automation.md).
 */
import { TokenSkipError, toTokenSkipError } from '../../core/errors.ts';
import type { EngineInfo } from '../../core/generation/engine.ts';
import { findGenerationModel } from '../../core/models/registry.ts';
import {
  BENCHMARK_DATASETS,
  RESULTS_SCHEMA,
  nextJob,
  plan,
  sameConfig,
  sampleIndices,
  validateConfig,
  type BenchmarkConfig,
  type BenchmarkState,
  type BenchmarkStatus,
  type SampleResult,
  gradingRules,
  savedRunDatasetProblem,
} from '../../core/benchmark/plan.ts';
import type { BenchmarkResults } from '../../core/benchmark/results.ts';
import type { Example } from '../../core/datasets/examples.ts';
import { buildPrompt, promptFormat, splitOutput } from '../../core/prompts/index.ts';
import { loadExamples } from './examples-loader.ts';
import { GenerationClient } from './generation-client.ts';
import { publishResults, clearPublishedResults } from './publish-results.ts';
import {
  listRuns,
  loadRun,
  newRunId,
  removeRun,
  saveRun,
  setTabRunId,
  tabRunId,
  isQuotaError,
  storageFullError,
  type SavedRun,
} from './benchmark-store.ts';

/** A timestamp string; not reactive state, so no SvelteDate. */
const nowIso = (): string => new globalThis.Date().toISOString();

function datasetExamples(config: BenchmarkConfig): Promise<Example[]> {
  const ids = { gsm8k: 'gsm8k-test', math: 'math500-test', arith: 'arith-test' } as const;
  return loadExamples(ids[config.dataset]);
}

export class BenchmarkSession {
  status = $state<BenchmarkStatus>('idle');
  error = $state.raw<TokenSkipError | undefined>();
  /** Set while the run cannot be saved (storage full): it goes on, kept in this tab only. */
  storageWarning = $state.raw<TokenSkipError | undefined>();
  state = $state.raw<BenchmarkState | undefined>();
  results = $state.raw<BenchmarkResults | undefined>();
  engine = $state.raw<EngineInfo | undefined>();
  loadText = $state('');
  current = $state('');
  /** This tab's unfinished run, found in storage when the page opened. */
  saved = $state.raw<BenchmarkState | undefined>();
  /** Unfinished runs of other tabs (open or closed), which this tab can take over. */
  others = $state.raw<SavedRun[]>([]);

  #client = new GenerationClient();
  /** The baseline model's own worker (config.baseline), so neither model reloads per question. */
  #baseClient = new GenerationClient();
  /** The baseline model's engine, once loaded. */
  baseEngine = $state.raw<EngineInfo | undefined>();
  #controller: AbortController | undefined;
  #stopAs: 'paused' | 'cancelled' = 'paused';
  /** The id this tab's run is saved under (benchmark-store.ts). */
  #runId: string | undefined;

  total = $derived(
    this.state
      ? (this.state.config.gammas.length + (this.state.config.baseline ? 1 : 0)) *
          this.state.sampleIds.length
      : 0,
  );
  done = $derived(this.state?.results.length ?? 0);

  constructor() {
    const { runs, damaged } = listRuns();
    this.#runId = tabRunId();
    const own = this.#runId ? loadRun(this.#runId) : undefined;
    if (own && 'state' in own && own.state.status !== 'done' && own.state.status !== 'cancelled') {
      this.saved = own.state;
    }
    this.others = runs.filter((r) => r.runId !== this.#runId);
    // A saved run that cannot be read is named and set aside, never fed to the runner (where it
    // would fail as "sampleIds.map is not a function").
    if (damaged.length > 0) {
      for (const d of damaged) removeRun(d.runId);
      const first = damaged.find((d) => d.runId === this.#runId) ?? damaged[0]!;
      this.error = new TokenSkipError(
        'INVALID_ARGUMENT',
        damaged.length > 1
          ? {
              id: 'savedRunsDamaged',
              params: { raw: first.problem, others: damaged.length - 1 },
            }
          : { id: 'savedRunDamaged', params: { raw: first.problem } },
      );
    }
  }

  /**
   * Saves the run after every sample. A full storage does not stop the run: it is kept in this
   * tab (and saved again after the next sample), and `storageWarning` says what to free.
   */
  #persist(): void {
    if (!this.state || !this.#runId) return;
    try {
      saveRun(this.#runId, this.state);
      this.storageWarning = undefined;
    } catch (error) {
      if (!isQuotaError(error)) throw error;
      this.storageWarning = storageFullError(this.#runId);
    }
  }

  /** Makes another tab's unfinished run this tab's own, and resumes it. */
  async takeOver(runId: string): Promise<void> {
    if (this.status === 'running' || this.status === 'loading') return;
    const run = this.others.find((r) => r.runId === runId);
    if (!run) return;
    this.#runId = runId;
    setTabRunId(runId);
    this.saved = run.state;
    this.state = undefined;
    this.others = this.others.filter((r) => r.runId !== runId);
    await this.start(run.state.config);
  }

  /** Starts `config`, or resumes it when storage holds an unfinished run of the same config. */
  async start(config: BenchmarkConfig): Promise<void> {
    if (this.status === 'running' || this.status === 'loading') return;
    this.error = undefined;
    this.results = undefined;
    clearPublishedResults();
    try {
      validateConfig(config);
      findGenerationModel(config.modelId);
      if (config.baseline) findGenerationModel(config.baseline);
      const saved = this.saved ?? this.state;
      if (saved && saved.status !== 'done' && sameConfig(saved.config, config)) {
        // Checked against the dataset before the runner sees it: a run whose questions are not
        // the ones its config draws is named and removed, never resumed into another benchmark.
        const problem = savedRunDatasetProblem(
          saved,
          (await datasetExamples(config)).map((e) => e.id),
        );
        if (problem) {
          this.#forget();
          this.saved = undefined;
          this.state = undefined;
          throw new TokenSkipError('INVALID_ARGUMENT', {
            id: 'savedRunNotResumable',
            params: { raw: problem },
          });
        }
        this.state = { ...saved, resumes: saved.resumes + 1 };
      } else {
        const examples = await datasetExamples(config);
        const ids = sampleIndices(examples.length, config.n, config.seed).map(
          (i) => examples[i]!.id,
        );
        // A new run gets its own id, so it never overwrites another run (of this tab or not).
        this.#runId = newRunId();
        setTabRunId(this.#runId);
        this.state = {
          schema: RESULTS_SCHEMA,
          config,
          sampleIds: ids,
          results: [],
          status: 'running',
          startedAt: nowIso(),
          resumes: 0,
        };
      }
      this.saved = undefined;
      await this.#run();
    } catch (error) {
      this.error = toTokenSkipError(error);
      this.status = 'error';
    }
  }

  async #run(): Promise<void> {
    const state = this.state!;
    const config = state.config;
    const record = findGenerationModel(config.modelId);
    const baseRecord = config.baseline ? findGenerationModel(config.baseline) : undefined;
    // A lookup table built once per run, never mutated: not reactive state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const examples = new Map((await datasetExamples(config)).map((e) => [e.id, e]));
    const jobs = plan(config, state.sampleIds);
    // Compute Engine loads only if an answer reaches the symbolic check (core/eval/lazy.ts).
    const { gradeSampleLazy } = await import('../../core/eval/lazy.ts');

    this.status = 'loading';
    if (this.#client.info?.modelId !== config.modelId) {
      this.engine = await this.#client.load(
        config.modelId,
        config.backend,
        (p) => (this.loadText = p.text),
      );
    }
    this.engine = this.#client.info;
    if (baseRecord && this.#baseClient.info?.modelId !== baseRecord.id) {
      this.baseEngine = await this.#baseClient.load(
        baseRecord.id,
        config.backend,
        (p) => (this.loadText = p.text),
      );
    }
    this.baseEngine = baseRecord ? this.#baseClient.info : undefined;
    this.#controller = new AbortController();
    const signal = this.#controller.signal;
    // One untimed generation of the full budget before the first timed one, on each model's
    // engine (also after a resume: the worker may be new). The first pass over every KV-cache
    // length pays for allocations, kernel/shader set-up and JIT; a 1-token warm-up leaves all of
    // that on the first timed γ (or on the baseline model, which would inflate every speedup).
    const first = nextJob(jobs, this.state!.results);
    const firstExample = first ? examples.get(first.id) : undefined;
    if (first && firstExample) {
      this.loadText = 'Warming up (one untimed generation)';
      await this.#client.generate(buildPrompt(record.family, firstExample.question, first.gamma), {
        maxNewTokens: config.maxNewTokens,
        ignoreEos: true,
        signal,
      });
      if (baseRecord) {
        await this.#baseClient.generate(buildPrompt(baseRecord.family, firstExample.question, 1), {
          maxNewTokens: config.maxNewTokens,
          ignoreEos: true,
          signal,
        });
      }
    }
    this.status = 'running';
    this.state = { ...state, status: 'running' };
    this.#persist();

    for (
      let job = nextJob(jobs, this.state.results);
      job;
      job = nextJob(jobs, this.state.results)
    ) {
      const example = examples.get(job.id);
      if (!example)
        throw new TokenSkipError('INTERNAL', {
          id: 'questionNotInDataset',
          params: { id: job.id, dataset: config.dataset },
        });
      // The baseline model (original, no γ marker) runs the γ = 1 prompt in its own worker.
      const model = job.baseline && baseRecord ? baseRecord : record;
      const client = job.baseline ? this.#baseClient : this.#client;
      this.current = job.baseline
        ? `${model.id}, question ${job.id}`
        : `γ = ${job.gamma}, question ${job.id}`;
      const prompt = buildPrompt(model.family, example.question, job.gamma);
      const result = await client.generate(prompt, {
        maxNewTokens: config.maxNewTokens,
        stop: promptFormat(model.family).stop,
        signal,
      });
      if (result.finishReason === 'cancelled') break;
      const graded = await gradeSampleLazy({
        dataset: gradingRules(config.dataset),
        question: example.question,
        output: result.text,
        answer: example.answer,
      });
      const [cotTokens = 0] = await client.countTokens([splitOutput(result.text).cot]);
      const sample: SampleResult = {
        ...(job.baseline ? { baseline: true as const } : {}),
        gamma: job.gamma,
        id: job.id,
        question: example.question,
        answer: example.answer,
        output: result.text,
        prediction: graded.prediction,
        correct: graded.correct,
        cotTokens,
        promptTokens: result.usage.promptTokens,
        completionTokens: result.usage.completionTokens,
        latencyS: result.usage.e2eLatencyMs / 1000,
        timeToFirstTokenMs: result.usage.timeToFirstTokenMs,
        decodeTokensPerS: result.usage.decodeTokensPerSecond,
        finishReason: result.finishReason,
      };
      this.state = { ...this.state, results: [...this.state.results, sample] };
      this.#persist();
    }
    this.current = '';
    if (signal.aborted) {
      this.status = this.#stopAs;
      this.state = { ...this.state, status: this.#stopAs };
      if (this.#stopAs === 'cancelled') this.#forget();
      else this.#persist();
      return;
    }
    this.state = { ...this.state, status: 'done', finishedAt: nowIso() };
    // A finished run is nothing to resume: its results are published below.
    this.#forget();
    const { buildResults } = await import('../../core/benchmark/results.ts');
    const engineOf = (e: EngineInfo | undefined) =>
      e ? { kind: e.kind, modelId: e.modelId, device: e.device, detail: e.detail } : null;
    this.results = buildResults(
      this.state,
      engineOf(this.engine),
      record.tokenskip ? 'TokenSkip' : 'Original',
      engineOf(this.baseEngine),
    );
    this.status = 'done';
    publishResults(this.results);
  }

  pause(): void {
    this.#stopAs = 'paused';
    this.#controller?.abort();
  }

  async resume(): Promise<void> {
    const state = this.state ?? this.saved;
    if (state) await this.start(state.config);
  }

  cancel(): void {
    this.#stopAs = 'cancelled';
    if (this.status === 'running' || this.status === 'loading') this.#controller?.abort();
    else {
      this.#forget();
      this.saved = undefined;
      this.status = 'cancelled';
    }
  }

  #forget(): void {
    if (this.#runId) removeRun(this.#runId);
  }

  dispose(): void {
    this.#controller?.abort();
    this.#client.dispose();
    this.#baseClient.dispose();
  }
}

export const defaultMaxTokens = (dataset: BenchmarkConfig['dataset']) =>
  BENCHMARK_DATASETS[dataset].maxNewTokens;
