/**
 * State and actions of the Generate page (and Learn's Ask step): which model runs where, the
 * question and γ, and one or two streamed runs (γ = 1 beside the chosen γ in side-by-side mode,
 * same engine, one after the other). Each loaded engine first runs one untimed warm-up generation
 * of the full budget, so the first timed run does not pay for allocations, kernel set-up and JIT
 * (which made γ = 1 look 2× slower on a first press). One question per γ is still one sample, so
 * the pages show the token saving and the ideal speedup, never a measured one (the Benchmark page
 * measures it over many questions, γ interleaved). Bad input is refused before any model work; a
 * model that fails to load leaves the page usable and lists models on the other engine to try.
 */
import { TokenSkipError, toTokenSkipError } from '../../core/errors.ts';
import type { EngineInfo, GenerationResult, LoadProgress } from '../../core/generation/engine.ts';
import { alternativesFor } from '../../core/generation/alternatives.ts';
import {
  GENERATION_MODELS,
  findGenerationModel,
  type GenerationModelRecord,
} from '../../core/models/registry.ts';
import { alignWords, compareRuns } from '../../core/generation/align.ts';
import { buildPrompt, parseGamma, promptFormat, splitOutput } from '../../core/prompts/index.ts';
import type { BackendPreference } from '../../runtime/web/backend.ts';
import { GenerationClient } from './generation-client.ts';
import { DEFAULT_GENERATION_MODEL_ID } from './defaults.ts';

export interface RunView {
  gamma: number;
  text: string;
  result?: GenerationResult;
  /** CoT tokens (target tokenizer), once the run is done. */
  cotTokens?: number;
  /**
   * Tokens generated against milliseconds since the run started, for the tokens-over-time chart:
   * live while streaming, the worker's measured timeline (ending at the run's totals) once done.
   */
  timeline: { ms: number; tokens: number }[];
}

export class GenerateSession {
  question = $state('');
  modelId = $state(DEFAULT_GENERATION_MODEL_ID);
  backend = $state<BackendPreference>('auto');
  gammaText = $state('0.6');
  maxNewTokens = $state(128);
  sideBySide = $state(true);

  status = $state<'idle' | 'loading' | 'generating' | 'done'>('idle');
  error = $state.raw<TokenSkipError | undefined>();
  alternatives = $state.raw<GenerationModelRecord[]>([]);
  progress = $state.raw<LoadProgress | undefined>();
  engine = $state.raw<EngineInfo | undefined>();
  runs = $state<RunView[]>([]);
  /** Set while the runs shown are a committed reference run, not generated in this browser. */
  reference = $state(false);
  /** True during the untimed warm-up generation. */
  warming = $state(false);
  /** The engine (`model|backend|budget`) the warm-up ran on; '' before any. */
  warmedFor = $state('');

  #client = new GenerationClient();
  #loadedKey = '';
  #controller: AbortController | undefined;

  readonly models = GENERATION_MODELS;
  record = $derived(this.models.find((m) => m.id === this.modelId));

  /** Side-by-side figures, once both runs are done. */
  comparison = $derived.by(() => {
    const [full, comp] = this.runs;
    if (
      !full?.result ||
      !comp?.result ||
      full.cotTokens === undefined ||
      comp.cotTokens === undefined
    )
      return undefined;
    return compareRuns(
      { tokens: full.cotTokens, latencyMs: full.result.usage.e2eLatencyMs },
      { tokens: comp.cotTokens, latencyMs: comp.result.usage.e2eLatencyMs },
    );
  });

  alignment = $derived.by(() => {
    const [full, comp] = this.runs;
    if (!full?.result || !comp?.result) return [];
    return alignWords(splitOutput(full.text).cot, splitOutput(comp.text).cot);
  });

  /** Shows a committed reference run until the user generates (see core/generation/reference-run.ts). */
  showReference(runs: RunView[]): void {
    if (this.status !== 'idle') return;
    this.runs = runs;
    this.reference = true;
  }

  /** Hides the reference run (its settings no longer match the form). */
  hideReference(): void {
    if (!this.reference) return;
    this.runs = [];
    this.reference = false;
  }

  /**
   * One untimed generation of the full budget on a newly loaded engine (or a larger budget), as
   * the Benchmark runner does before its first timed sample.
   */
  async #warmUp(prompt: string, signal: AbortSignal): Promise<void> {
    const key = `${this.#loadedKey}|${this.maxNewTokens}`;
    if (this.warmedFor === key) return;
    this.warming = true;
    try {
      await this.#client.generate(prompt, {
        maxNewTokens: this.maxNewTokens,
        ignoreEos: true,
        signal,
      });
      if (!signal.aborted) this.warmedFor = key;
    } finally {
      this.warming = false;
    }
  }

  async #ensureLoaded(): Promise<void> {
    const key = `${this.modelId}|${this.backend}`;
    if (this.#loadedKey === key && this.#client.info) return;
    this.status = 'loading';
    this.#loadedKey = '';
    this.warmedFor = '';
    this.engine = undefined;
    try {
      this.engine = await this.#client.load(this.modelId, this.backend, (p) => (this.progress = p));
      this.#loadedKey = key;
    } catch (error) {
      const record = findGenerationModel(this.modelId);
      this.alternatives = alternativesFor(record);
      throw error;
    } finally {
      this.progress = undefined;
    }
  }

  async generate(): Promise<void> {
    if (this.status === 'loading' || this.status === 'generating') return;
    this.error = undefined;
    this.alternatives = [];
    let gamma: number;
    let prompts: { gamma: number; prompt: string }[];
    try {
      gamma = parseGamma(this.gammaText, 'γ');
      const family = findGenerationModel(this.modelId).family;
      const gammas = this.sideBySide && gamma < 1 ? [1, gamma] : [gamma];
      prompts = gammas.map((g) => ({ gamma: g, prompt: buildPrompt(family, this.question, g) }));
      if (!Number.isInteger(this.maxNewTokens) || this.maxNewTokens < 1) {
        throw new TokenSkipError('INVALID_ARGUMENT', { id: 'maxNewTokensForm' });
      }
    } catch (error) {
      this.error = toTokenSkipError(error);
      return;
    }
    // A reference run on show makes way for the user's own at once.
    this.hideReference();
    try {
      await this.#ensureLoaded();
      this.status = 'generating';
      this.reference = false;
      this.runs = prompts.map((p) => ({ gamma: p.gamma, text: '', timeline: [] }));
      this.#controller = new AbortController();
      await this.#warmUp(prompts[0]!.prompt, this.#controller.signal);
      const stop = promptFormat(findGenerationModel(this.modelId).family).stop;
      for (const [i, p] of prompts.entries()) {
        if (this.#controller.signal.aborted) break;
        const run = this.runs[i]!;
        const started = performance.now();
        let streamed = 0;
        const result = await this.#client.generate(
          p.prompt,
          { maxNewTokens: this.maxNewTokens, stop, signal: this.#controller.signal },
          (e) => {
            if (e.type !== 'token') return;
            run.text += e.text;
            run.timeline.push({ ms: performance.now() - started, tokens: ++streamed });
          },
        );
        run.text = result.text;
        run.result = result;
        // The worker's timeline: the streamed events above only animate the chart while the run
        // is going (late ones are dropped, and their arrival times are the page's, not the model's).
        run.timeline = result.timeline;
        [run.cotTokens] = await this.#client.countTokens([splitOutput(result.text).cot]);
      }
    } catch (error) {
      this.error = toTokenSkipError(error);
      if (this.error.code === 'INTERNAL' || this.error.code === 'BACKEND_UNAVAILABLE') {
        // A lost GPU device can leave the worker unusable: start over on the next run.
        this.#client.dispose();
        this.#loadedKey = '';
        this.warmedFor = '';
      }
    } finally {
      this.status = this.runs.some((r) => r.result) ? 'done' : 'idle';
      this.#controller = undefined;
    }
  }

  stop(): void {
    this.#controller?.abort();
  }

  useModel(id: string): void {
    this.modelId = id;
    this.error = undefined;
    this.alternatives = [];
  }

  dispose(): void {
    this.stop();
    this.#client.dispose();
  }
}
