/**
 * Loads an LLMLingua-2 token classifier (a manifest scorer: the mini scorer, the tiny fixtures, the
 * hub models) on ORT-web (WebGPU or WASM) inside the scorer worker (scorer.worker.ts).
 */
import { createLingua2Scorer } from '../../core/scoring/lingua2-scorer.ts';
import { chooseBackend, type BackendPreference } from './backend.ts';
import { ortFor } from './ort-web.ts';
import { countCl100kTokens } from '../../core/compression/token-count.ts';
import {
  browserRevisionStore,
  locateCachedFile,
  readCachedFile,
  type FileProgress,
} from '../hub/web/model-cache.ts';
import { weakestIntegrity, type IntegrityStatus } from '../hub/file-integrity.ts';
import { findScorer, type ScorerManifestEntry } from '../../core/models/registry.ts';
import { fileUrl, pickVariant, resolveRevision } from '../hub/model-manifest.ts';
import { expectedFile } from '../hub/hub-listing.ts';
import { browserHubSettings } from '../hub/settings.ts';
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
  const phases: Record<string, number> = {};
  const choice = await chooseBackend(request.backend);
  phases.backend = Math.round(performance.now() - started);
  const variant = pickVariant(entry, choice.backend, choice.shaderF16);
  // The plain WASM build when there is no WebGPU (ort-web.ts): half the WebAssembly to compile.
  const ortStarted = performance.now();
  const ort = await ortFor(choice);
  phases.ortImport = Math.round(performance.now() - ortStarted);
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
  // What each file must be: the registry's hash, else the hub's listing (as in Node).
  const settings = browserHubSettings(request.mirror);
  const expect = (path: string) => expectedFile(entry, path, revision, settings);
  const readFile = async (path: string) => {
    const result = await readCachedFile(urlOf(path), path, await expect(path), onProgress);
    fromCache &&= result.fromCache;
    integrity.push(result.integrity);
    return result.data;
  };
  // External data (XLM-R large fp32: 2.24 GB) goes to ORT as a URL, never as one buffer.
  const locateFile = async (path: string) => {
    const result = await locateCachedFile(urlOf(path), path, await expect(path), onProgress);
    fromCache &&= result.fromCache;
    integrity.push(result.integrity);
    releases.push(result.release);
    return result.href;
  };
  let loaded: LoadedScorer;
  try {
    const loading = loadScorer(
      entry.id,
      readFile,
      variant,
      ort,
      { executionProviders: [choice.backend], graphOptimizationLevel: 'all' },
      locateFile,
      phases,
    );
    loading.catch(() => undefined); // awaited below
    // The cl100k encoder (LLMLingua-2's word weights) is built on the first scoring otherwise:
    // built here, once the file reads are under way, it overlaps them and ORT compiling its
    // WebAssembly on other threads instead of delaying the first scores.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const cl100kStarted = performance.now();
    countCl100kTokens('γ');
    phases.cl100k = Math.round(performance.now() - cl100kStarted);
    loaded = await loading;
  } finally {
    for (const release of releases) release();
  }
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
    integrity: weakestIntegrity(integrity),
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
