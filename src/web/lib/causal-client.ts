/**
 * The page side of the causal-scorer worker: started on first use, wrapped with Comlink, replaced
 * when it dies. Errors are rebuilt with `call` from scorer-client.ts.
 */
import * as Comlink from 'comlink';
import type { CausalWorkerApi } from '../workers/causal-scorer-protocol.ts';

export type CausalClient = Comlink.Remote<CausalWorkerApi>;

let worker: Worker | undefined;
let remote: CausalClient | undefined;

export function causalClient(): CausalClient {
  if (!remote) {
    worker = new Worker(new URL('../workers/causal-scorer.worker.ts', import.meta.url), {
      type: 'module',
    });
    worker.addEventListener('error', () => resetCausalClient());
    remote = Comlink.wrap<CausalWorkerApi>(worker);
  }
  return remote;
}

export function resetCausalClient(): void {
  remote?.[Comlink.releaseProxy]();
  worker?.terminate();
  worker = undefined;
  remote = undefined;
}
