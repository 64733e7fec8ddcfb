/**
 * Loads a reference causal LM (CTS and perplexity) on ORT-web (WebGPU or WASM) inside the scorer
 * worker (scorer.worker.ts).
 */
import { createCausalScorer } from '../../core/scoring/causal-scorer.ts';
import { loadReferenceModel, type OrtWithSessions } from '../scorers/causal-scorer-loader.ts';
import { chooseBackend } from './backend.ts';
import { ortFor } from './ort-web.ts';
import { readCachedFile, type FileProgress } from '../hub/web/model-cache.ts';
import { fetchOk } from '../hub/fetch-ok.ts';
import type { ScorerModelRequest } from './scorer-request.ts';
import type { LoadedModel } from './loaded-model.ts';

export async function loadCausalModel(
  request: Extract<ScorerModelRequest, { kind: 'causal' }>,
  onProgress: (p: FileProgress) => void,
): Promise<LoadedModel> {
  const started = performance.now();
  const choice = await chooseBackend(request.backend);
  const ort = await ortFor(choice);
  const base = new URL(`${request.model.replace(/\/+$/, '')}/`, new URL('/', self.location.href));
  const local = base.origin === self.location.origin;
  let fromCache = !local;
  const readFile = async (path: string): Promise<Uint8Array> => {
    const url = new URL(path, base).href;
    if (!local) {
      const result = await readCachedFile(url, path, undefined, onProgress);
      fromCache &&= result.fromCache;
      return result.data;
    }
    // The app's own models change with the app: fetch them, never from a stale cache.
    const response = await fetchOk(url, `${request.model}/${path}`);
    const data = new Uint8Array(await response.arrayBuffer());
    onProgress({
      file: path,
      loaded: data.byteLength,
      total: data.byteLength,
      fromCache: false,
    });
    return data;
  };
  const reference = await loadReferenceModel(
    ort as unknown as OrtWithSessions,
    request.model,
    readFile,
    {
      sessionOptions: { executionProviders: [choice.backend], graphOptimizationLevel: 'all' },
      onnxFile: request.graphs?.[choice.backend] ?? 'onnx/model.onnx',
    },
  );
  const info = {
    modelId: request.model,
    dtype: 'fp32',
    fromCache,
    backend: choice.backend,
    reason: choice.reason,
    threads: choice.threads,
    loadMs: performance.now() - started,
    vocab: reference.config.vocab_size,
    layers: reference.config.num_hidden_layers,
  };
  return {
    info,
    scorer: (score) =>
      score.scorer === 'llmlingua2'
        ? undefined
        : createCausalScorer(
            score.scorer,
            reference.lm,
            reference.tokenizer,
            reference.id,
            score.options,
          ),
    release: () => reference.session.release(),
  };
}
