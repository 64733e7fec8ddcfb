/**
 * State and actions of the Compress page: which model runs where, the scored text (γ-independent)
 * and the selection at the current γ. Moving γ only re-thresholds; it never re-runs the model.
 */
import { TokenSkipError, toTokenSkipError } from '../../core/errors.ts';
import type { CompressionResult } from '../../core/compression/types.ts';
import type { LinguaOptions, LinguaScored } from '../../core/compression/llmlingua2.ts';
import { validateRate, validateText } from '../../core/compression/llmlingua2.ts';
import type { BackendPreference } from '../../runtime/web/backend.ts';
import type { FileProgress } from '../../runtime/web/model-cache.ts';
import type { LoadInfo } from '../workers/scorer-protocol.ts';
import { proxy } from 'comlink';
import { call, resetScorerClient, scorerClient } from './scorer-client.ts';

export interface AlgorithmSettings {
  forceTokens: string;
  forceReserveDigit: boolean;
  dropConsecutive: boolean;
  tokenToWord: 'mean' | 'first';
  realBoundaries: boolean;
  spaceBetweenChunks: boolean;
}

export class CompressSession {
  modelId = $state('');
  backend = $state<BackendPreference>('auto');
  /** Self-hosted mirror for hub models (`<mirror>/<repo>/<file>`); empty = the Hugging Face hub. */
  mirror = $state(globalThis.localStorage?.getItem('tokenskip.mirror') ?? '');
  rate = $state(0.5);
  question = $state('');
  cot = $state('');
  settings = $state<AlgorithmSettings>({
    forceTokens: '',
    forceReserveDigit: false,
    dropConsecutive: false,
    tokenToWord: 'mean',
    realBoundaries: false,
    spaceBetweenChunks: false,
  });

  status = $state<'idle' | 'loading' | 'scoring' | 'ready'>('idle');
  error = $state<TokenSkipError | undefined>();
  progress = $state<FileProgress | undefined>();
  load = $state.raw<LoadInfo | undefined>();
  scoreMs = $state<number | undefined>();
  #scored = $state.raw<LinguaScored | undefined>();
  #result = $state.raw<CompressionResult | undefined>();
  #loadedKey = '';

  get scored(): LinguaScored | undefined {
    return this.#scored;
  }
  get result(): CompressionResult | undefined {
    return this.#result;
  }

  /** Scored words with their kept flag at the current γ, in text order. */
  words = $derived.by(() => {
    const scored = this.#scored;
    const labels = this.#result?.word_labels;
    if (!scored || !labels) return [];
    const all = scored.chunks.flat();
    // At γ = 1 the reference labels a regex split of the text instead of the model's words.
    const sameWords = labels.length === all.length;
    return all.map((w, i) => ({ ...w, kept: sameWords ? labels[i]![1] === 1 : true }));
  });

  options(): Partial<LinguaOptions> {
    const s = this.settings;
    const forceTokens =
      s.forceTokens.trim() === ''
        ? []
        : s.forceTokens.split(',').map((t) => t.replaceAll('\\n', '\n'));
    return {
      forceTokens,
      forceReserveDigit: s.forceReserveDigit,
      dropConsecutive: s.dropConsecutive,
      tokenToWord: s.tokenToWord,
      realBoundaries: s.realBoundaries,
      spaceBetweenChunks: s.spaceBetweenChunks,
    };
  }

  async ensureLoaded(): Promise<void> {
    const key = `${this.modelId}|${this.backend}|${this.mirror}`;
    globalThis.localStorage?.setItem('tokenskip.mirror', this.mirror);
    if (this.load && this.#loadedKey === key) return;
    this.status = 'loading';
    this.progress = undefined;
    const client = scorerClient();
    this.load = await call(
      client.load(
        {
          modelId: this.modelId,
          backend: this.backend,
          // The mirror the user typed: without it here the worker always went to the hub.
          ...(this.mirror.trim() ? { mirror: this.mirror.trim() } : {}),
        },
        proxy((p: FileProgress) => (this.progress = p)),
      ),
    );
    this.#loadedKey = key;
  }

  async compress(): Promise<void> {
    this.error = undefined;
    // The text as it is now: edits made while the model loads belong to the next run.
    const cot = this.cot;
    try {
      validateText(cot, 'The chain of thought');
      validateRate(this.rate, 'γ');
      await this.ensureLoaded();
      this.status = 'scoring';
      const reply = await call(scorerClient().score(cot, this.options()));
      this.scoreMs = reply.scoreMs;
      this.#scored = reply.scored;
      this.#result = await call(scorerClient().select(this.rate));
      this.status = 'ready';
    } catch (error) {
      this.fail(error);
    }
  }

  /** The slider: re-threshold the scored text at γ without running the model. */
  async setRate(rate: number): Promise<void> {
    this.rate = rate;
    if (!this.#scored) return;
    try {
      this.#result = await call(scorerClient().select(rate));
    } catch (error) {
      this.fail(error);
    }
  }

  async clearCache(): Promise<number> {
    const removed = await call(scorerClient().clearCache());
    this.load = undefined;
    return removed;
  }

  private fail(error: unknown): void {
    const e = toTokenSkipError(error);
    this.error = e;
    this.status = this.#scored ? 'ready' : 'idle';
    if (e.code === 'INTERNAL') resetScorerClient(); // a crashed worker is replaced on the next call
    if (
      e.code.startsWith('MODEL_') ||
      e.code === 'DOWNLOAD_FAILED' ||
      e.code === 'BACKEND_UNAVAILABLE'
    )
      this.load = undefined;
  }
}
