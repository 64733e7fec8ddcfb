/**
 * Types and look-ups for `models/manifest.json`: every scorer model the app and CLI know, where it
 * comes from (a hub repo at a revision, or a path inside this project), its files with sizes and
 * hashes where known, and which ONNX file (dtype) to run on each backend.
 */
import { TokenSkipError } from '../../core/errors.ts';
import type { TokenizerFamily } from '../../core/compression/scorer-tokenizer.ts';

export type Backend = 'webgpu' | 'wasm' | 'node';

export interface ManifestFile {
  path: string;
  /** Bytes; exact when `sha256` is given, otherwise approximate (from the hub listing). */
  size: number;
  sha256?: string;
}

export interface OnnxVariant {
  file: string;
  dtype: 'fp32' | 'fp16' | 'int8';
  /** External-data files next to the graph (models over 2 GB). */
  externalData?: string[];
  /** An fp16 graph to run instead where the GPU has `shader-f16` (WebGPU only): half the bytes. */
  fp16?: OnnxVariant;
}

/**
 * A hub source is pinned to a commit (`revision`, never a branch). Where the commit is not known
 * yet, `revision` is absent: the commit `main` points to is resolved at the first download
 * (`resolveRevision`), recorded locally, and every later load stays on it.
 */
export type ModelSource =
  { type: 'path'; path: string } | { type: 'hub'; repo: string; revision?: string };

export interface ScorerManifestEntry {
  id: string;
  label: string;
  kind: 'token-classifier';
  family: TokenizerFamily;
  /** The PyTorch model this ONNX export comes from. */
  upstream?: string;
  source: ModelSource;
  files: ManifestFile[];
  onnx: Record<Backend, OnnxVariant>;
  notes?: string;
}

export interface ModelManifest {
  version: 1;
  defaultScorer: string;
  scorers: ScorerManifestEntry[];
}

export function findScorer(manifest: ModelManifest, id: string): ScorerManifestEntry {
  const entry = manifest.scorers.find((m) => m.id === id);
  if (!entry) {
    const known = manifest.scorers.map((m) => m.id).join(', ');
    throw new TokenSkipError(
      'MODEL_NOT_FOUND',
      `Unknown scorer model '${id}'. Known models: ${known}; or pass a model folder.`,
    );
  }
  return entry;
}

export function manifestFile(entry: ScorerManifestEntry, path: string): ManifestFile | undefined {
  return entry.files.find((f) => f.path === path);
}

/** The graph to run on `backend`: its fp16 alternative when the GPU can run fp16 shaders. */
export function pickVariant(
  entry: ScorerManifestEntry,
  backend: Backend,
  shaderF16 = false,
): OnnxVariant {
  const variant = entry.onnx[backend];
  return backend === 'webgpu' && shaderF16 && variant.fp16 ? variant.fp16 : variant;
}

/** Files a backend needs: tokenizer and config files plus its ONNX graph and external data. */
export function filesForBackend(entry: ScorerManifestEntry, backend: Backend): string[] {
  const variant = entry.onnx[backend];
  return [
    'config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    variant.file,
    ...(variant.externalData ?? []),
  ];
}

export const DEFAULT_HUB = 'https://huggingface.co';

/** Where a resolved revision is kept between runs (a file in Node, the Cache API in a browser). */
export interface RevisionStore {
  get(repo: string): Promise<string | undefined>;
  set(repo: string, revision: string): Promise<void>;
}

/**
 * The commit to download a hub entry at: the manifest's pin, else the one recorded here, else the
 * commit `main` points to now (the hub's `/api/models/<repo>/revision/main`), recorded for next time.
 */
export async function resolveRevision(
  entry: ScorerManifestEntry,
  store: RevisionStore,
  hubHost: string = DEFAULT_HUB,
): Promise<string> {
  const { source } = entry;
  if (source.type !== 'hub')
    throw new TokenSkipError('INVALID_ARGUMENT', `${entry.id} is not a hub model.`);
  if (source.revision) return source.revision;
  const recorded = await store.get(source.repo);
  if (recorded) return recorded;
  const url = `${hubHost}/api/models/${source.repo}/revision/main`;
  let sha: unknown;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    sha = ((await response.json()) as { sha?: unknown }).sha;
  } catch (error) {
    throw new TokenSkipError(
      'DOWNLOAD_FAILED',
      `${entry.id} has no pinned revision and the hub could not say which commit main is (${url}: ${(error as Error).message}).`,
      { cause: error },
    );
  }
  if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha)) {
    throw new TokenSkipError(
      'DOWNLOAD_FAILED',
      `${url} returned no commit sha for ${source.repo}.`,
    );
  }
  await store.set(source.repo, sha);
  return sha;
}

/** The URL of a file: hub models resolve on the hub (or a self-hosted mirror), path models on `appBase`. */
export function fileUrl(
  entry: ScorerManifestEntry,
  path: string,
  hosts: { appBase: string; hubHost?: string; mirror?: string; revision?: string },
): string {
  const { source } = entry;
  if (source.type === 'path') return new URL(`${source.path}/${path}`, hosts.appBase).href;
  if (hosts.mirror)
    return new URL(
      `${source.repo}/${path}`,
      hosts.mirror.endsWith('/') ? hosts.mirror : `${hosts.mirror}/`,
    ).href;
  const hub = hosts.hubHost ?? DEFAULT_HUB;
  const revision = hosts.revision ?? source.revision;
  if (!revision) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `${entry.id} has no pinned revision: resolve it first (resolveRevision).`,
    );
  }
  return `${hub}/${source.repo}/resolve/${revision}/${path}`;
}
