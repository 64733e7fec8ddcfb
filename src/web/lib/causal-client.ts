/**
 * The page side of the causal scorers (CTS, perplexity): an instance of the one scorer worker
 * (scorer.worker.ts), started on first use, replaced when it dies. Errors are rebuilt with `call`
 * from scorer-client.ts.
 */
import * as Comlink from 'comlink';
import type { CausalWorkerApi } from '../workers/causal-scorer-protocol.ts';
import type { ScorersWorkerApi } from '../workers/scorer-protocol.ts';
import { startScorerWorker } from './scorer-client.ts';

export type CausalClient = Comlink.Remote<CausalWorkerApi>;

let worker: Worker | undefined;
let root: Comlink.Remote<ScorersWorkerApi> | undefined;
let remote: CausalClient | undefined;

export function causalClient(): CausalClient {
  if (!remote) {
    ({ worker, root } = startScorerWorker(() => resetCausalClient()));
    remote = root.causal as unknown as CausalClient;
  }
  return remote;
}

export function resetCausalClient(): void {
  root?.[Comlink.releaseProxy]();
  worker?.terminate();
  worker = undefined;
  root = undefined;
  remote = undefined;
}
