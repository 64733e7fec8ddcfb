/**
 * The page side of the one scorer worker (scorer.worker.ts): starts it on first use, wraps it with
 * Comlink, and turns serialized worker errors back into TokenSkipErrors. Every call in flight is
 * raced against the worker's death (`error`, `messageerror`, `terminate`): Comlink alone never
 * settles a call whose worker is gone, which would leave the page waiting forever. After a death
 * the next call starts a fresh worker, whose `epoch` tells the sessions to load their models again.
 */
import * as Comlink from 'comlink';
import {
  TokenSkipError,
  type ErrorDetail,
  fromSerialized,
  isSerializedError,
  toTokenSkipError,
} from '../../core/errors.ts';
import type { FileProgress } from '../../runtime/hub/web/model-cache.ts';
import type {
  LoadInfo,
  ScoreReply,
  ScoreRequest,
  ScorerModelRequest,
  ScorerWorkerApi,
} from '../workers/scorer-protocol.ts';

/** Starts a scorer worker; a seam for tests that need a worker which misbehaves. */
export type StartWorker = () => Worker;

const startScorerWorker: StartWorker = () =>
  new Worker(new URL('../workers/scorer.worker.ts', import.meta.url), { type: 'module' });

export class ScorerClient {
  #start: StartWorker;
  #worker: Worker | undefined;
  #remote: Comlink.Remote<ScorerWorkerApi> | undefined;
  /** Rejects when the current worker dies; every call in flight races it. */
  #died: Promise<never> | undefined;
  #die: ((error: TokenSkipError) => void) | undefined;
  #epoch = 0;

  constructor(start: StartWorker = startScorerWorker) {
    this.#start = start;
  }

  /** Which worker instance answers: changes when a dead worker is replaced. */
  get epoch(): number {
    return this.#epoch;
  }

  #api(): Comlink.Remote<ScorerWorkerApi> {
    if (!this.#remote) {
      const worker = this.#start();
      this.#epoch++;
      this.#died = new Promise<never>((_, reject) => (this.#die = reject));
      this.#died.catch(() => undefined); // observed by the calls in flight, if any
      const crashed = (detail: ErrorDetail) => () =>
        this.#stop(new TokenSkipError('BACKEND_UNAVAILABLE', detail));
      worker.addEventListener(
        'error',
        (event) =>
          crashed(
            event.message
              ? { id: 'workerStoppedScorer', params: { raw: event.message } }
              : { id: 'workerCrashedScorer' },
          )(),
        { once: true },
      );
      worker.addEventListener('messageerror', crashed({ id: 'workerMessageScorer' }), {
        once: true,
      });
      this.#worker = worker;
      this.#remote = Comlink.wrap<ScorerWorkerApi>(worker);
    }
    return this.#remote;
  }

  /**
   * Starts the worker now, so its script is fetched, compiled and run while the page mounts
   * (main.ts, for the Learn page, which loads its scorer at mount); calls start it otherwise.
   */
  start(): void {
    this.#api();
  }

  /** Awaits a worker call, racing the worker's death and rebuilding errors with code and message. */
  async #call<T>(run: (api: Comlink.Remote<ScorerWorkerApi>) => Promise<T>): Promise<T> {
    const api = this.#api();
    const died = this.#died!;
    try {
      return await Promise.race([run(api), died]);
    } catch (error) {
      throw isSerializedError(error) ? fromSerialized(error) : toTokenSkipError(error);
    }
  }

  load(request: ScorerModelRequest, onProgress?: (p: FileProgress) => void): Promise<LoadInfo> {
    const progress = Comlink.proxy((p: FileProgress) => onProgress?.(p));
    return this.#call((api) => api.load(request, progress));
  }

  score(request: ScoreRequest): Promise<ScoreReply> {
    return this.#call((api) => api.score(request));
  }

  clearCache(): Promise<number> {
    return this.#call((api) => api.clearCache());
  }

  /** Stops the worker; calls in flight reject. The next call starts a fresh one. */
  terminate(): void {
    this.#stop(new TokenSkipError('CANCELLED', { id: 'workerCancelledScorer' }));
  }

  #stop(error: TokenSkipError): void {
    if (!this.#worker) return;
    this.#die?.(error);
    this.#remote?.[Comlink.releaseProxy]();
    this.#worker.terminate();
    this.#worker = undefined;
    this.#remote = undefined;
    this.#died = undefined;
    this.#die = undefined;
  }
}

let shared: ScorerClient | undefined;

/** The app's one scorer client: every page and scorer kind shares its worker. */
export function scorerClient(): ScorerClient {
  shared ??= new ScorerClient();
  return shared;
}
