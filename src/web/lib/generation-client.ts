/**
 * The page side of the generation worker: starts it, wraps it with Comlink, maps an AbortSignal
 * to `cancel(requestId)`, and turns serialized worker errors back into TokenSkipErrors. If the
 * worker dies (a crashed or lost GPU device can take it down), the next call starts a fresh one
 * and the model must be loaded again.
 */
import * as Comlink from 'comlink';
import {
  TokenSkipError,
  fromSerialized,
  isSerializedError,
  toTokenSkipError,
} from '../../core/errors.ts';
import type {
  EngineInfo,
  GenerationEvent,
  GenerationOptions,
  LoadProgress,
} from '../../core/generation/engine.ts';
import type { BackendPreference } from '../../runtime/web/backend.ts';
import type { GenerationWorkerApi, TimedGenerationResult } from '../workers/generation-protocol.ts';
import type { AppConfig } from '@mlc-ai/web-llm';
import type { WebLlmLibInfo } from '../../core/generation/webllm-urls.ts';

async function call<T>(promise: Promise<T>, crashed?: Promise<never>): Promise<T> {
  try {
    return await (crashed ? Promise.race([promise, crashed]) : promise);
  } catch (error) {
    throw isSerializedError(error) ? fromSerialized(error) : toTokenSkipError(error);
  }
}

export class GenerationClient {
  private worker: Worker | undefined;
  private remote: Comlink.Remote<GenerationWorkerApi> | undefined;
  private nextId = 1;
  private loaded: EngineInfo | undefined;
  /** Rejects when the worker dies, so calls in flight fail instead of hanging. */
  private crashed: Promise<never> | undefined;

  private api(): Comlink.Remote<GenerationWorkerApi> {
    if (!this.remote) {
      this.worker = new Worker(new URL('../workers/generation.worker.ts', import.meta.url), {
        type: 'module',
      });
      this.crashed = new Promise<never>((_, reject) => {
        this.worker!.addEventListener('error', (event) => {
          reject(
            new TokenSkipError(
              'BACKEND_UNAVAILABLE',
              event.message
                ? { id: 'workerStoppedGeneration', params: { raw: event.message } }
                : { id: 'workerCrashedGeneration' },
            ),
          );
          this.dispose();
        });
      });
      this.crashed.catch(() => undefined); // observed by the calls in flight, if any
      this.remote = Comlink.wrap<GenerationWorkerApi>(this.worker);
    }
    return this.remote;
  }

  get info(): EngineInfo | undefined {
    return this.loaded;
  }

  async load(
    modelId: string,
    backend: BackendPreference,
    onProgress?: (p: LoadProgress) => void,
  ): Promise<EngineInfo> {
    this.loaded = undefined;
    const progress = Comlink.proxy((p: LoadProgress) => onProgress?.(p));
    // The model host set on the Models page (also the Compress page's mirror field).
    const mirror = globalThis.localStorage?.getItem('tokenskip.mirror') || undefined;
    this.loaded = await call(
      this.api().load({ modelId, backend, ...(mirror ? { mirror } : {}) }, progress),
      this.crashed,
    );
    return this.loaded;
  }

  async generate(
    prompt: string,
    options: GenerationOptions,
    onEvent?: (e: GenerationEvent) => void,
  ): Promise<TimedGenerationResult> {
    if (!this.loaded) throw new TokenSkipError('MODEL_NOT_FOUND', { id: 'noModelLoaded' });
    const { signal, ...rest } = options;
    const id = this.nextId++;
    const api = this.api();
    const onAbort = () => void api.cancel(id);
    // Post the request before any cancel: messages arrive in order, and the worker only knows the
    // id once the request is running.
    // Comlink delivers callback calls and the reply on different channels, so a last token event
    // can arrive after the reply; the result already holds all the text, so late events are dropped.
    let settled = false;
    const forward = (e: GenerationEvent) => {
      if (!settled) onEvent?.(e);
    };
    const pending = api.generate(id, prompt, rest, Comlink.proxy(forward));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort);
    try {
      return await call(pending, this.crashed);
    } finally {
      settled = true;
      signal?.removeEventListener('abort', onAbort);
    }
  }

  countTokens(texts: string[]): Promise<number[]> {
    return call(this.api().countTokens(texts), this.crashed);
  }

  /** WebLLM's cache, through the worker (the one place WebLLM is loaded). */
  webllmLibInfo(): Promise<WebLlmLibInfo> {
    return call(this.api().webllmLibInfo(), this.crashed);
  }

  webllmHasModelInCache(modelId: string, appConfig: AppConfig): Promise<boolean> {
    return call(this.api().webllmHasModelInCache(modelId, appConfig), this.crashed);
  }

  webllmClearCache(modelId: string, appConfig: AppConfig): Promise<void> {
    return call(this.api().webllmClearCache(modelId, appConfig), this.crashed);
  }

  dispose(): void {
    this.remote?.[Comlink.releaseProxy]();
    this.worker?.terminate();
    this.worker = undefined;
    this.remote = undefined;
    this.loaded = undefined;
    this.crashed = undefined;
  }
}
