/**
 * The page side of the scorer worker: starts it, wraps it with Comlink, and turns serialized worker
 * errors back into TokenSkipErrors. If the worker dies, the next call starts a fresh one.
 */
import * as Comlink from 'comlink';
import { fromSerialized, isSerializedError, toTokenSkipError } from '../../core/errors.ts';
import type { ScorerWorkerApi } from '../workers/scorer-protocol.ts';

export type ScorerClient = Comlink.Remote<ScorerWorkerApi>;

let worker: Worker | undefined;
let remote: ScorerClient | undefined;

export function scorerClient(): ScorerClient {
  if (!remote) {
    worker = new Worker(new URL('../workers/scorer.worker.ts', import.meta.url), {
      type: 'module',
    });
    worker.addEventListener('error', () => resetScorerClient());
    remote = Comlink.wrap<ScorerWorkerApi>(worker);
  }
  return remote;
}

export function resetScorerClient(): void {
  remote?.[Comlink.releaseProxy]();
  worker?.terminate();
  worker = undefined;
  remote = undefined;
}

/** Awaits a worker call, rebuilding its error with code and message. */
export async function call<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw isSerializedError(error) ? fromSerialized(error) : toTokenSkipError(error);
  }
}
