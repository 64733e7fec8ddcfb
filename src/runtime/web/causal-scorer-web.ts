/**
 * Loads a reference causal LM (CTS and perplexity) on ORT-web (WebGPU or WASM) inside the scorer
 * worker (scorer.worker.ts).
 */
import { createCausalScorer } from '../../core/scoring/causal-scorer.ts';
import { loadReferenceModel, type OrtWithSessions } from '../scorers/causal-scorer-loader.ts';
import { chooseBackend } from './backend.ts';
import { ortFor } from './ort-web.ts';
import { folderPlan, openCachedModel, type FileProgress } from '../hub/web/model-source.ts';
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
  const graph = request.graphs?.[choice.backend] ?? 'onnx/model.onnx';
  // One pass: every file fetched (the app's own directly, never from a stale cache; a model
  // host's through the model cache), then the session is created from those bytes.
  // A missing JSON file is the loader's to name (loadReferenceModel says what it is for).
  const json = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
  const plan = folderPlan(request.model, base.href, [...json, graph]);
  const model = await openCachedModel(plan, { fresh: true, optional: json, onProgress });
  const fromCache = !local && model.fromCache;
  const reference = await loadReferenceModel(
    ort as unknown as OrtWithSessions,
    request.model,
    model.readFile,
    {
      sessionOptions: { executionProviders: [choice.backend], graphOptimizationLevel: 'all' },
      onnxFile: graph,
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
