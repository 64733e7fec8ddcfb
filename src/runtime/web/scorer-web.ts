/**
 * Loads an LLMLingua-2 token classifier (a manifest scorer: the mini scorer, the tiny fixtures, the
 * hub models) on ORT-web (WebGPU or WASM) inside the scorer worker (scorer.worker.ts).
 */
import { createLingua2Scorer } from '../../core/scoring/lingua2-scorer.ts';
import { chooseBackend, type BackendChoice, type BackendPreference } from './backend.ts';
import { openCachedModel, planCachedModel, type FileProgress } from '../hub/web/model-source.ts';
import { ortFor } from './ort-web.ts';
import {
  findScorer,
  pickVariant,
  variantFiles,
  type ScorerManifestEntry,
} from '../../core/models/registry.ts';
import { loadScorer, type LoadedScorer } from '../scorers/scorer-loader.ts';
import type { ScorerModelRequest } from './scorer-request.ts';
import type { LoadedModel } from './loaded-model.ts';

/**
 * ORT's graph optimisation level for a token classifier. On WASM, 'basic' (constant folding,
 * redundant nodes): measured in Chromium here, 'all' (fusions and layout changes on top) made the
 * mini scorer's session 0.2 s slower to create and its first run 0.1–0.2 s slower (1.25 / 0.43 s
 * against 1.05 / 0.28 s), and a BERT-base-shaped classifier's session 5.6–7.1 s against 4.8–5.1 s,
 * with the same steady speed (256 tokens: 0.90–1.01 s a run against 0.89–1.06 s). WebGPU keeps
 * 'all': its fused kernels were not measured against.
 */
export function classifierGraphLevel(choice: Pick<BackendChoice, 'backend'>): 'basic' | 'all' {
  return choice.backend === 'wasm' ? 'basic' : 'all';
}

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
  const phases: Record<string, number> = {};
  const choice = await chooseBackend(request.backend);
  phases.backend = Math.round(performance.now() - started);
  const variant = pickVariant(entry, choice.backend, choice.shaderF16);
  // The plain WASM build when there is no WebGPU (ort-web.ts): half the WebAssembly to compile.
  // Imported while the model's files are fetched.
  const ortStarted = performance.now();
  const ortReady = ortFor(choice).then((ort) => {
    phases.ortImport = Math.round(performance.now() - ortStarted);
    return ort;
  });
  ortReady.catch(() => undefined); // awaited below
  // One pass through the hub: revision, URLs and expected hashes planned, every file fetched,
  // checked and cached; external data (XLM-R large fp32: 2.24 GB) goes to ORT as a URL.
  const plan = await planCachedModel(entry, variantFiles(variant), request.mirror);
  const model = await openCachedModel(plan, {
    ...(variant.externalData ? { locate: variant.externalData } : {}),
    onProgress,
  });
  let loaded: LoadedScorer;
  try {
    const ort = await ortReady;
    loaded = await loadScorer(
      entry.id,
      model.readFile,
      variant,
      ort,
      {
        executionProviders: [choice.backend],
        graphOptimizationLevel: classifierGraphLevel(choice),
      },
      model.locateFile,
      phases,
    );
  } finally {
    model.release();
  }
  const { fromCache, integrity } = model;
  // The registry's hash of the graph that ran: what scores kept in the browser are keyed by.
  const graphSha256 = entry.files.find((f) => f.path === variant.file)?.sha256;
  const info = {
    modelId: entry.id,
    backend: choice.backend,
    reason: choice.reason,
    threads: choice.threads,
    dtype: variant.dtype,
    loadMs: performance.now() - started,
    fromCache,
    integrity,
    phases,
    ...(graphSha256 ? { modelSha256: graphSha256 } : {}),
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
