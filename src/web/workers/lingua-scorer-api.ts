/**
 * The LLMLingua-2 scorer (ORT-web on WebGPU or WASM), hosted by the scorer worker
 * (scorer.worker.ts) so the page never freezes while a model loads or runs. The page talks to it
 * through Comlink (see scorer-protocol.ts).
 */
import * as ort from 'onnxruntime-web/webgpu';
import manifestJson from '../../../models/manifest.json';
import { TokenSkipError, toTokenSkipError } from '../../core/errors.ts';
import {
  scoreLingua2,
  selectLingua2,
  type LinguaScored,
} from '../../core/compression/llmlingua2.ts';
import { chooseBackend } from '../../runtime/web/backend.ts';
import { clearModelCache, readCachedFile } from '../../runtime/web/model-cache.ts';
import {
  fileUrl,
  findScorer,
  manifestFile,
  type ModelManifest,
} from '../../runtime/model-manifest.ts';
import { loadScorer, type LoadedScorer } from '../../runtime/scorer-loader.ts';
import type { ScorerWorkerApi } from './scorer-protocol.ts';

const manifest = manifestJson as ModelManifest;
let loaded: LoadedScorer | undefined;
let lastScored: LinguaScored | undefined;

/** Runs `fn`, turning any failure into a plain `{name, code, message}` that survives postMessage. */
async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toTokenSkipError(error).serialize();
  }
}

export const linguaScorerApi: ScorerWorkerApi = {
  load: (request, onProgress) =>
    guard(async () => {
      const started = performance.now();
      const entry = findScorer(manifest, request.modelId);
      const choice = await chooseBackend(request.backend);
      const variant = entry.onnx[choice.backend];
      ort.env.wasm.numThreads = choice.threads;
      let fromCache = true;
      const appBase = new URL('/', self.location.href).href;
      const readFile = async (path: string) => {
        const url = fileUrl(entry, path, {
          appBase,
          ...(request.mirror ? { mirror: request.mirror } : {}),
        });
        const result = await readCachedFile(url, path, manifestFile(entry, path), onProgress);
        fromCache &&= result.fromCache;
        return result.data;
      };
      await loaded?.classifier.release();
      loaded = undefined;
      lastScored = undefined;
      loaded = await loadScorer(entry.id, readFile, variant, ort, {
        executionProviders: [choice.backend],
        graphOptimizationLevel: 'all',
      });
      return {
        modelId: entry.id,
        backend: choice.backend,
        reason: choice.reason,
        threads: choice.threads,
        dtype: variant.dtype,
        loadMs: performance.now() - started,
        fromCache,
      };
    }),

  score: (text, options) =>
    guard(async () => {
      if (!loaded)
        throw new TokenSkipError(
          'MODEL_NOT_FOUND',
          'No scorer model is loaded: pick a model and load it first.',
        );
      const started = performance.now();
      const [scored] = await scoreLingua2(
        [text],
        loaded.tokenizer,
        loaded.classifier,
        options,
        loaded.modelId,
      );
      lastScored = scored;
      return { scored: scored!, scoreMs: performance.now() - started };
    }),

  select: (rate) =>
    guard(async () => {
      if (!loaded || !lastScored)
        throw new TokenSkipError(
          'INVALID_ARGUMENT',
          'Nothing is scored yet: compress a text first.',
        );
      return selectLingua2(lastScored, rate, loaded.tokenizer);
    }),

  clearCache: () => guard(() => clearModelCache()),
};
