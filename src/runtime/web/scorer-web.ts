/**
 * Loads an LLMLingua-2 token classifier (a manifest scorer: the mini scorer, the tiny fixtures, the
 * hub models) on ORT-web (WebGPU or WASM) inside the scorer worker (scorer.worker.ts).
 */
import * as ort from 'onnxruntime-web/webgpu';
import { createLingua2Scorer } from '../../core/scoring/lingua2-scorer.ts';
import { chooseBackend, type BackendPreference } from './backend.ts';
import { openCachedModel, planCachedModel, type FileProgress } from '../hub/web/model-source.ts';
import {
  findScorer,
  pickVariant,
  variantFiles,
  type ScorerManifestEntry,
} from '../../core/models/registry.ts';
import { loadScorer, type LoadedScorer } from '../scorers/scorer-loader.ts';
import type { ScorerModelRequest } from './scorer-request.ts';
import type { LoadedModel } from './loaded-model.ts';

export async function loadLinguaModel(
  request: Extract<ScorerModelRequest, { kind: 'llmlingua2' }>,
  onProgress: (p: FileProgress) => void,
): Promise<LoadedModel> {
  return loadLinguaEntry(findScorer(request.modelId), request, onProgress);
}

/**
 * Loads a scorer entry (from the registry, or a bench's own entry for a generated model) on the
 * chosen backend; on WebGPU with `shader-f16`, the entry's fp16 graph where it has one.
 */
export async function loadLinguaEntry(
  entry: ScorerManifestEntry,
  request: { backend: BackendPreference; mirror?: string },
  onProgress: (p: FileProgress) => void,
): Promise<LoadedModel> {
  const started = performance.now();
  const choice = await chooseBackend(request.backend);
  const variant = pickVariant(entry, choice.backend, choice.shaderF16);
  ort.env.wasm.numThreads = choice.threads;
  // One pass through the hub: revision, URLs and expected hashes planned, every file fetched,
  // checked and cached; external data (XLM-R large fp32: 2.24 GB) goes to ORT as a URL.
  const plan = await planCachedModel(entry, variantFiles(variant), request.mirror);
  const model = await openCachedModel(plan, {
    ...(variant.externalData ? { locate: variant.externalData } : {}),
    onProgress,
  });
  let loaded: LoadedScorer;
  try {
    loaded = await loadScorer(
      entry.id,
      model.readFile,
      variant,
      ort,
      { executionProviders: [choice.backend], graphOptimizationLevel: 'all' },
      model.locateFile,
    );
  } finally {
    model.release();
  }
  const { fromCache, integrity } = model;
  const info = {
    modelId: entry.id,
    backend: choice.backend,
    reason: choice.reason,
    threads: choice.threads,
    dtype: variant.dtype,
    loadMs: performance.now() - started,
    fromCache,
    integrity,
  };
  return {
    info,
    scorer: (request) => {
      if (request.scorer !== 'llmlingua2') return undefined;
      return createLingua2Scorer(
        loaded.tokenizer,
        loaded.classifier,
        loaded.modelId,
        request.options,
      );
    },
    release: () => loaded.classifier.release(),
  };
}
