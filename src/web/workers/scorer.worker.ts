/**
 * The one scorer Web Worker: LLMLingua-2 (`lingua`) and the causal CTS / perplexity scorers
 * (`causal`) behind one bundle, so onnxruntime-web and the tokenizers are built, downloaded and
 * HTTP-cached once instead of once per scorer worker. Each client (scorer-client.ts,
 * causal-client.ts) starts its own instance of this worker and uses its half, so a crash or reset
 * of one never unloads the other's model.
 */
import * as Comlink from 'comlink';
import { causalScorerApi } from './causal-scorer-api.ts';
import { linguaScorerApi } from './lingua-scorer-api.ts';
import type { ScorersWorkerApi } from './scorer-protocol.ts';

const api: ScorersWorkerApi = {
  lingua: Comlink.proxy(linguaScorerApi),
  causal: Comlink.proxy(causalScorerApi),
};

Comlink.expose(api);
