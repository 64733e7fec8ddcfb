/**
 * The page side of the scorer worker: starts it, wraps it with Comlink, and turns serialized worker
 * errors back into TokenSkipErrors. If the worker dies, the next call starts a fresh one.
 */
import * as Comlink from 'comlink';
import { fromSerialized, isSerializedError, toTokenSkipError } from '../../core/errors.ts';
import type { ScorersWorkerApi, ScorerWorkerApi } from '../workers/scorer-protocol.ts';

export type ScorerClient = Comlink.Remote<ScorerWorkerApi>;

let worker: Worker | undefined;
let root: Comlink.Remote<ScorersWorkerApi> | undefined;
let remote: ScorerClient | undefined;

/**
 * Starts an instance of the one scorer worker (scorer.worker.ts, shared with the causal scorers'
 * client as one bundle) and returns the Comlink remote of the whole worker.
 */
export function startScorerWorker(onError: () => void): {
  worker: Worker;
  root: Comlink.Remote<ScorersWorkerApi>;
} {
  const w = new Worker(new URL('../workers/scorer.worker.ts', import.meta.url), {
    type: 'module',
  });
  w.addEventListener('error', onError);
  return { worker: w, root: Comlink.wrap<ScorersWorkerApi>(w) };
}

export function scorerClient(): ScorerClient {
  if (!remote) {
    ({ worker, root } = startScorerWorker(() => resetScorerClient()));
    remote = root.lingua as unknown as ScorerClient;
  }
  return remote;
}

export function resetScorerClient(): void {
  root?.[Comlink.releaseProxy]();
  worker?.terminate();
  worker = undefined;
  root = undefined;
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
