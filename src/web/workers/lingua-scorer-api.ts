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
import {
  browserRevisionStore,
  clearModelCache,
  locateCachedFile,
  readCachedFile,
  type FileProgress,
} from '../../runtime/web/model-cache.ts';
import { weakestIntegrity, type IntegrityStatus } from '../../runtime/models/file-integrity.ts';
import {
  fileUrl,
  findScorer,
  manifestFile,
  pickVariant,
  resolveRevision,
  type ModelManifest,
  type ScorerManifestEntry,
} from '../../runtime/models/model-manifest.ts';
import { loadScorer, type LoadedScorer } from '../../runtime/scorers/scorer-loader.ts';
import type { LoadInfo, LoadRequest, ScorerWorkerApi } from './scorer-protocol.ts';

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

/**
 * Loads a scorer entry (from the manifest, or a bench's own entry for a generated model) on the
 * chosen backend; on WebGPU with `shader-f16`, the entry's fp16 graph where it has one.
 */
export async function loadEntry(
  entry: ScorerManifestEntry,
  request: Omit<LoadRequest, 'modelId'>,
  onProgress: (p: FileProgress) => void,
): Promise<LoadInfo> {
  const started = performance.now();
  const choice = await chooseBackend(request.backend);
  const variant = pickVariant(entry, choice.backend, choice.shaderF16);
  ort.env.wasm.numThreads = choice.threads;
  let fromCache = true;
  const integrity: IntegrityStatus[] = [];
  const releases: (() => void)[] = [];
  const appBase = new URL('/', self.location.href).href;
  // Unpinned hub entries: the commit main pointed to at the first download, recorded here.
  const revision =
    entry.source.type === 'hub' && !request.mirror
      ? await resolveRevision(entry, browserRevisionStore)
      : undefined;
  const urlOf = (path: string) =>
    fileUrl(entry, path, {
      appBase,
      ...(revision ? { revision } : {}),
      ...(request.mirror ? { mirror: request.mirror } : {}),
    });
  const readFile = async (path: string) => {
    const result = await readCachedFile(urlOf(path), path, manifestFile(entry, path), onProgress);
    fromCache &&= result.fromCache;
    integrity.push(result.integrity);
    return result.data;
  };
  // External data (XLM-R large fp32: 2.24 GB) goes to ORT as a URL, never as one buffer.
  const locateFile = async (path: string) => {
    const result = await locateCachedFile(urlOf(path), path, manifestFile(entry, path), onProgress);
    fromCache &&= result.fromCache;
    integrity.push(result.integrity);
    releases.push(result.release);
    return result.href;
  };
  await loaded?.classifier.release();
  loaded = undefined;
  lastScored = undefined;
  try {
    loaded = await loadScorer(
      entry.id,
      readFile,
      variant,
      ort,
      { executionProviders: [choice.backend], graphOptimizationLevel: 'all' },
      locateFile,
    );
  } finally {
    for (const release of releases) release();
  }
  return {
    modelId: entry.id,
    backend: choice.backend,
    reason: choice.reason,
    threads: choice.threads,
    dtype: variant.dtype,
    loadMs: performance.now() - started,
    fromCache,
    integrity: weakestIntegrity(integrity),
  };
}

export const linguaScorerApi: ScorerWorkerApi = {
  load: (request, onProgress) =>
    guard(() => loadEntry(findScorer(manifest, request.modelId), request, onProgress)),

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
