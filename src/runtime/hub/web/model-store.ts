/**
 * A model as a set of files in the browser's model cache (model-cache.ts): what is cached, what is
 * partly downloaded, download all of it, delete it, or import it from a folder on disk. The Models
 * page drives these; the loaders read the same cache entries (same URLs), so a model downloaded or
 * imported here loads offline on the Compress and Generate pages.
 */
import { TokenSkipError } from '../../../core/errors.ts';
import {
  checkHash,
  statusOf,
  weakestIntegrity,
  type FileHash,
  type IntegrityStatus,
} from '../file-integrity.ts';
import { Sha256 } from '../sha256-stream.ts';
import {
  ensureCached,
  expectedHash,
  forgetHash,
  MODEL_CACHE,
  recordHash,
  type ExpectedFile,
  type FileProgress,
} from './model-cache.ts';
import { declaredSize } from '../transfer.ts';
import { cacheFileStore, openCache as open } from '../cache-store.ts';
import { DEFAULT_LIMITS } from '../settings.ts';
import {
  discardPartial,
  isQuotaError,
  partialState,
  storageFullError,
} from './resumable-download.ts';

/** One file of a model: where it is fetched from (also its cache key) and what the registry says. */
export interface ModelFileRef {
  url: string;
  /** Path inside the model folder (`onnx/model.onnx`). */
  file: string;
  expected?: ExpectedFile;
}

export interface FileStatus {
  file: string;
  state: 'cached' | 'partial' | 'missing';
  /** Bytes cached or kept so far. */
  bytes: number;
  integrity?: IntegrityStatus;
}

export interface ModelStatus {
  state: 'cached' | 'partial' | 'missing';
  bytes: number;
  integrity?: IntegrityStatus;
  files: FileStatus[];
}

async function fileStatus(cache: Cache, ref: ModelFileRef): Promise<FileStatus> {
  const hit = await cache.match(ref.url);
  if (hit) {
    const want = await expectedHash(ref.url, ref.expected);
    return {
      file: ref.file,
      state: 'cached',
      bytes: Number(hit.headers.get('Content-Length') ?? want?.hash.size ?? 0),
      // Files enter the cache only after their check (model-cache.ts).
      integrity: statusOf(want),
    };
  }
  const partial = await partialState(ref.url);
  if (partial && partial.received > 0)
    return { file: ref.file, state: 'partial', bytes: partial.received };
  return { file: ref.file, state: 'missing', bytes: 0 };
}

export async function modelStatus(refs: ModelFileRef[]): Promise<ModelStatus> {
  const cache = await open(MODEL_CACHE);
  if (!cache || refs.length === 0) return { state: 'missing', bytes: 0, files: [] };
  const files = await Promise.all(refs.map((r) => fileStatus(cache, r)));
  const bytes = files.reduce((a, f) => a + f.bytes, 0);
  const all = files.every((f) => f.state === 'cached');
  const any = files.some((f) => f.state !== 'missing');
  const integrity = all ? weakestIntegrity(files.map((f) => f.integrity!)) : undefined;
  return {
    state: all ? 'cached' : any ? 'partial' : 'missing',
    bytes,
    ...(integrity ? { integrity } : {}),
    files,
  };
}

export interface ModelProgress {
  file: string;
  /** Bytes of the whole model done (cached files count in full). */
  loaded: number;
  total: number;
}

/**
 * Downloads every file of a model that is not cached yet (each resumes from its kept bytes and
 * is checked before it counts). `total` is the registry's sizes where known.
 */
export async function downloadModel(
  refs: ModelFileRef[],
  onProgress?: (p: ModelProgress) => void,
  signal?: AbortSignal,
): Promise<IntegrityStatus> {
  const sizes = refs.map((r) => r.expected?.size ?? 0);
  const done = new Array<number>(refs.length).fill(0);
  const statuses: IntegrityStatus[] = [];
  for (const [i, ref] of refs.entries()) {
    if (signal?.aborted) throw new TokenSkipError('CANCELLED', { id: 'downloadCancelled' });
    const report = (p: FileProgress) => {
      done[i] = p.loaded;
      if (p.total) sizes[i] = p.total;
      onProgress?.({
        file: ref.file,
        loaded: done.reduce((a, b) => a + b, 0),
        total: sizes.reduce((a, b) => a + b, 0),
      });
    };
    const result = await ensureCached(ref.url, ref.file, ref.expected, report, signal);
    if (!result) {
      throw new TokenSkipError('STORAGE_FULL', { id: 'noCacheStorage' });
    }
    statuses.push(result.integrity);
  }
  return weakestIntegrity(statuses);
}

/**
 * Deletes a model's cached files, kept partial downloads and recorded hashes: a model downloaded
 * again is checked against the registry or the hub afresh, never against a record of a file that
 * is gone (a wrong first download would otherwise refuse the genuine file forever).
 */
export async function deleteModel(refs: ModelFileRef[]): Promise<void> {
  const cache = await open(MODEL_CACHE);
  for (const ref of refs) {
    await cache?.delete(ref.url);
    await discardPartial(ref.url);
    await forgetHash(ref.url);
  }
}

async function hashBlob(blob: Blob): Promise<FileHash> {
  const sha = new Sha256();
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    sha.update(value);
  }
  return { size: blob.size, sha256: sha.hex() };
}

/**
 * Imports a model folder chosen on disk (an air-gapped machine): every file the model needs must
 * be there and match the registry's hash (or the hash recorded here earlier); only then are all
 * stored. A missing or wrong file refuses the whole folder, and a failed write removes what was
 * written, so a model is never half-registered.
 *
 * `folder` maps paths inside the chosen folder (`onnx/model.onnx`) to files.
 */
export async function importModel(
  refs: ModelFileRef[],
  folder: Map<string, Blob>,
  onProgress?: (file: string) => void,
): Promise<IntegrityStatus> {
  const missing = refs.filter((r) => !folder.has(r.file)).map((r) => r.file);
  if (missing.length > 0) {
    throw new TokenSkipError('MODEL_FILE_MISSING', {
      id: 'importMissing',
      params: { files: missing.join(', '), first: refs[0]!.file },
    });
  }
  const checked: { ref: ModelFileRef; blob: Blob; hash: FileHash; status: IntegrityStatus }[] = [];
  for (const ref of refs) {
    onProgress?.(ref.file);
    const blob = folder.get(ref.file)!;
    const want = await expectedHash(ref.url, ref.expected);
    // The size rules of a download (transfer.ts): a 0-byte file, or one over the per-file bound
    // or far over the registry's approximate size, is refused before it is hashed.
    if (blob.size === 0) {
      throw new TokenSkipError('MODEL_FILE_CORRUPT', {
        id: 'importEmptyFile',
        params: { file: ref.file },
      });
    }
    if (!want) {
      try {
        declaredSize({
          where: ref.file,
          url: 'the chosen folder',
          served: blob.size,
          approximate: ref.expected && !ref.expected.sha256 ? ref.expected.size : undefined,
          limits: DEFAULT_LIMITS,
        });
      } catch (error) {
        // declaredSize's refusal carries its reason; an import names it without the transfer's advice.
        const detail = (error as TokenSkipError).detail;
        if (detail?.id !== 'transferRefused') throw error;
        throw new TokenSkipError('MODEL_FILE_CORRUPT', {
          id: 'importSizeRefused',
          params: { where: ref.file, reason: detail.params.reason },
        });
      }
    }
    const hash = await hashBlob(blob);
    if (want) {
      try {
        checkHash(hash, want.hash, ref.file, want.source);
      } catch (error) {
        const detail = (error as TokenSkipError).detail;
        throw new TokenSkipError(
          'MODEL_FILE_CORRUPT',
          detail
            ? { id: 'importHashRefused', params: { reason: detail } }
            : `${(error as Error).message} Nothing was imported.`,
        );
      }
    }
    checked.push({
      ref,
      blob,
      hash,
      status: want ? statusOf(want) : 'recorded',
    });
  }
  const cache = await open(MODEL_CACHE);
  if (!cache) {
    throw new TokenSkipError('STORAGE_FULL', { id: 'noCacheStorage' });
  }
  const store = cacheFileStore(MODEL_CACHE);
  const written: string[] = [];
  try {
    for (const { ref, blob, hash } of checked) {
      await store.write(ref.url, blob);
      written.push(ref.url);
      if (!ref.expected?.sha256) await recordHash(ref.url, hash);
      await discardPartial(ref.url);
    }
  } catch (error) {
    await Promise.all(written.map((url) => cache.delete(url)));
    if (isQuotaError(error)) {
      throw storageFullError(
        undefined,
        checked.reduce((a, c) => a + c.blob.size, 0),
      );
    }
    throw new TokenSkipError(
      'DOWNLOAD_FAILED',
      { id: 'importStoreFailed', params: { raw: (error as Error).message } },
      { cause: error },
    );
  }
  return weakestIntegrity(checked.map((c) => c.status));
}

/** The files under a folder picked with `<input type=file webkitdirectory>`, by path inside it. */
export function folderFiles(files: Iterable<File>): Map<string, Blob> {
  const map = new Map<string, Blob>();
  for (const f of files) {
    // webkitRelativePath is `<chosen folder>/<path inside it>`.
    const rel = (f.webkitRelativePath || f.name).split('/').slice(1).join('/') || f.name;
    map.set(rel, f);
  }
  return map;
}
