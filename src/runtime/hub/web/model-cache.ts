/**
 * Model files in the browser: fetched once with progress, checked, then kept in the Cache API so
 * the app works offline. A file enters the cache only after it is complete and checked; a cached
 * file that fails its check is deleted and fetched again, so a broken download can never break the
 * next start.
 *
 * Downloads are resumable (resumable-download.ts: the bytes received are kept as chunks, and after
 * a network error, a cancel or a reload the rest is asked for with `Range`); the complete file then
 * streams from its chunks into the cache (`cache.put` of a Response built on that stream, hashed on
 * the way with an incremental SHA-256): the file is never assembled in one buffer, which a file
 * over Chrome's ~2 GB ArrayBuffer limit (XLM-R large's 2.24 GB `model.onnx_data`) could never be.
 * `locateCachedFile` then hands ORT-web a URL to the cached file (a blob: URL of the disk-backed
 * cached body) for its `externalData` session option, and ORT streams it into wasm memory itself.
 *
 * Checks: the manifest's sha256 where it has one ("verified"); otherwise the size and hash seen at
 * the first download are recorded in a separate cache (kept when the model cache is cleared) and
 * every later download or cached copy must match them ("hash recorded locally").
 */
import { TokenSkipError } from '../../../core/errors.ts';
import {
  checkGitBlob,
  checkHash,
  GIT_BLOB_LIMIT,
  gitBlobSha1,
  sha256Hex,
  statusOf,
  type ExpectedHash,
  type FileHash,
  type IntegrityStatus,
  type RecordedHash,
} from '../file-integrity.ts';
import type { ExpectedFile } from '../hub-listing.ts';
import type { RevisionStore } from '../model-manifest.ts';
import { Sha256 } from '../sha256-stream.ts';
import { fetchOk } from '../fetch-ok.ts';
import { cacheFileStore, openCache as openNamedCache } from '../cache-store.ts';
import { hashRecords, revisionRecords } from '../file-store.ts';
import {
  discardPartial,
  downloadToPartial,
  withDownloadLock,
  isQuotaError,
  partialBody,
  storageFullError,
} from './resumable-download.ts';

export const MODEL_CACHE = 'tokenskip-models-v1';
/** Sizes and hashes recorded at first download, for files the manifest has no sha256 for. */
export const HASH_CACHE = 'tokenskip-model-hashes-v1';
/** Cached files up to this size are re-hashed on every load; larger ones are checked by size. */
export const REHASH_LIMIT = 512 * 2 ** 20;

export type { ExpectedFile };

export interface FileProgress {
  file: string;
  loaded: number;
  total: number;
  fromCache: boolean;
}

async function openCache(name = MODEL_CACHE): Promise<Cache | undefined> {
  return openNamedCache(name); // undefined e.g. in an insecure context: run without a cache
}

/** The model cache as a file store (cache-store.ts): complete, checked files by URL. */
const modelStore = cacheFileStore(MODEL_CACHE);

/** Hashes recorded at first download, by file URL (file-store.ts, shared with Node's store). */
const records = hashRecords(cacheFileStore(HASH_CACHE), (url) => url);

async function recordedHash(url: string): Promise<RecordedHash | undefined> {
  return records.get(url);
}

/** Records a file's size and sha256; `from: 'hub'` when its bytes were checked against the hub. */
export async function recordHash(url: string, hash: RecordedHash): Promise<void> {
  await records.set(url, hash).catch(() => undefined);
}

/**
 * The hash a file must have: the manifest's, else the one recorded here at first download (from
 * the hub's hash when one was given then), else the LFS sha256 of the hub's listing.
 */
export async function expectedHash(
  url: string,
  expected: ExpectedFile | undefined,
): Promise<ExpectedHash | undefined> {
  if (expected?.sha256)
    return { hash: { size: expected.size, sha256: expected.sha256 }, source: 'manifest' };
  const recorded = await recordedHash(url);
  if (recorded)
    return {
      hash: { size: recorded.size, sha256: recorded.sha256 },
      source: 'recorded',
      ...(recorded.from === 'hub' ? { fromHub: true } : {}),
    };
  const hub = expected?.hub;
  return hub?.sha256 ? { hash: { size: hub.size, sha256: hub.sha256 }, source: 'hub' } : undefined;
}

/** Forgets the hash recorded for `url` (a deleted model is checked afresh when it returns). */
export async function forgetHash(url: string): Promise<void> {
  await records.forget(url);
}

/** Passes a body through, hashing and counting it. */
function hashing(
  body: ReadableStream<Uint8Array>,
  onChunk: (loaded: number) => void,
): { stream: ReadableStream<Uint8Array>; done: () => FileHash } {
  const sha = new Sha256();
  let size = 0;
  const stream = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        sha.update(chunk);
        size += chunk.byteLength;
        onChunk(size);
        controller.enqueue(chunk);
      },
    }),
  );
  return { stream, done: () => ({ size, sha256: sha.hex() }) };
}

/**
 * A cached file up to this size is checked in memory with Web Crypto (native: a warm load of the
 * 6.8 MB mini scorer spent 0.1–0.2 s in the streaming JS hash, then read the file a second time);
 * a larger one streams through the JS hash, never held whole.
 */
const IN_MEMORY_CHECK_LIMIT = 64 * 2 ** 20;

/** The hash of a cached body, and its bytes when it was small enough to read whole. */
async function hashBody(response: Response): Promise<FileHash & { data?: Uint8Array }> {
  const size = cachedSize(response);
  if (!response.body || (size !== undefined && size <= IN_MEMORY_CHECK_LIMIT)) {
    const data = new Uint8Array(await response.arrayBuffer());
    return { size: data.byteLength, sha256: await sha256Hex(data), data };
  }
  const { stream, done } = hashing(response.body, () => undefined);
  const reader = stream.getReader();
  while (!(await reader.read()).done) {
    /* drain */
  }
  return done();
}

function cachedSize(hit: Response): number | undefined {
  const length = hit.headers.get('Content-Length');
  return length === null ? undefined : Number(length);
}

/**
 * Checks a cached copy: fully re-hashed up to REHASH_LIMIT, by size above it (only complete,
 * checked files ever enter the cache). Returns its status (and its bytes when they were read whole
 * to check them), or undefined when it is bad (deleted).
 */
async function checkCached(
  cache: Cache,
  url: string,
  file: string,
  expected: ExpectedFile | undefined,
): Promise<{ status: IntegrityStatus; data?: Uint8Array } | undefined> {
  const hit = await cache.match(url);
  if (!hit) return undefined;
  const want = await expectedHash(url, expected);
  try {
    if (want) {
      const size = cachedSize(hit);
      if (size !== undefined && size > REHASH_LIMIT) {
        if (size !== want.hash.size) throw new Error('size');
        return { status: statusOf(want) };
      }
      const { data, ...actual } = await hashBody(hit);
      checkHash(actual, want.hash, file, want.source);
      return { status: statusOf(want), ...(data ? { data } : {}) };
    }
    // Cached before hashes were recorded: record it now.
    const { data, ...actual } = await hashBody(hit);
    await recordHash(url, actual);
    return { status: 'recorded', ...(data ? { data } : {}) };
  } catch {
    await cache.delete(url);
    return undefined;
  }
}

/**
 * Downloads `url` (resuming from kept bytes, resumable-download.ts), then streams the complete
 * file from its kept chunks into the model cache, hashing it on the way; on a failed check
 * nothing stays cached and the kept bytes are dropped (a content error: the next try starts clean).
 */
async function downloadIntoCache(
  cache: Cache,
  url: string,
  file: string,
  expected: ExpectedFile | undefined,
  onProgress?: (p: FileProgress) => void,
  signal?: AbortSignal,
): Promise<IntegrityStatus> {
  const want = await expectedHash(url, expected);
  const state = await downloadToPartial({
    url,
    file,
    ...(want
      ? {
          expectedSize: want.hash.size,
          sizeSource:
            want.source === 'manifest'
              ? ('registry' as const)
              : want.source === 'hub'
                ? ('hub' as const)
                : ('recorded' as const),
        }
      : expected?.hub
        ? { expectedSize: expected.hub.size, sizeSource: 'hub' as const }
        : {}),
    ...(expected && !expected.sha256 ? { approximateSize: expected.size } : {}),
    onProgress: (p) => onProgress?.({ file, loaded: p.loaded, total: p.total, fromCache: false }),
    ...(signal ? { signal } : {}),
  });
  const { stream, done } = hashing(partialBody(url, state), () => undefined);
  try {
    // The body through the file store (file-store.ts): streamed from the kept chunks.
    await modelStore.writeStream(url, stream, state.received);
  } catch (error) {
    await cache.delete(url).catch(() => undefined);
    if (isQuotaError(error)) throw storageFullError(file, state.received);
    throw new TokenSkipError(
      'DOWNLOAD_FAILED',
      { id: 'storeFailed', params: { file, url, raw: (error as Error).message } },
      { cause: error },
    );
  }
  await discardPartial(url);
  const actual = done();
  // Nothing better known: the hub's own hash from the answer's headers (X-Linked-Etag), or for a
  // regular (non-LFS) file its git blob sha1 (listing oid, ETag), as in Node (node/download.ts).
  const check: ExpectedHash | undefined =
    want ??
    (state.hubSha256
      ? { hash: { size: state.received, sha256: state.hubSha256 }, source: 'hub' }
      : undefined);
  const gitSha1 = check ? undefined : (expected?.hub?.gitSha1 ?? state.hubGitSha1);
  try {
    if (check) checkHash(actual, check.hash, file, check.source);
    if (gitSha1) {
      const hit = actual.size <= GIT_BLOB_LIMIT ? await cache.match(url) : undefined;
      if (!hit)
        throw new TokenSkipError('MODEL_FILE_CORRUPT', {
          id: 'fileNotLfs',
          params: { where: file, size: actual.size },
        });
      checkGitBlob(await gitBlobSha1(new Uint8Array(await hit.arrayBuffer())), gitSha1, file);
    }
  } catch (error) {
    await cache.delete(url);
    throw error;
  }
  const fromHub = check?.source === 'hub' || (!check && gitSha1 !== undefined);
  if (!want || want.source === 'hub')
    await recordHash(url, { ...actual, ...(fromHub ? { from: 'hub' as const } : {}) });
  return want ? statusOf(want) : fromHub ? 'hub' : 'recorded';
}

export interface CachedFile {
  fromCache: boolean;
  integrity: IntegrityStatus;
}

/** Makes sure a checked copy of `url` is in the model cache; false when there is no cache. */
export async function ensureCached(
  url: string,
  file: string,
  expected: ExpectedFile | undefined,
  onProgress?: (p: FileProgress) => void,
  signal?: AbortSignal,
): Promise<(CachedFile & { cache: Cache; data?: Uint8Array }) | undefined> {
  const cache = await openCache();
  if (!cache) return undefined;
  return withDownloadLock(
    url,
    file,
    async () => {
      const checked = await checkCached(cache, url, file, expected);
      if (checked) {
        const size = checked.data?.byteLength ?? cachedSize((await cache.match(url))!) ?? 0;
        onProgress?.({ file, loaded: size, total: size, fromCache: true });
        return {
          fromCache: true,
          integrity: checked.status,
          cache,
          ...(checked.data ? { data: checked.data } : {}),
        };
      }
      const integrity = await downloadIntoCache(cache, url, file, expected, onProgress, signal);
      return { fromCache: false, integrity, cache };
    },
    signal,
  );
}

/** Reads `url` through the model cache into memory (graphs, tokenizers, configs). */
export async function readCachedFile(
  url: string,
  file: string,
  expected: ExpectedFile | undefined,
  onProgress?: (p: FileProgress) => void,
): Promise<{ data: Uint8Array } & CachedFile> {
  const cached = await ensureCached(url, file, expected, onProgress).catch(async (error) => {
    // Storing failed (quota, private mode): run from a plain download instead.
    if ((error as TokenSkipError).code === 'MODEL_FILE_CORRUPT') throw error;
    if ((error as TokenSkipError).code === 'MODEL_FILE_MISSING') throw error;
    return undefined;
  });
  if (cached?.data)
    return { data: cached.data, fromCache: cached.fromCache, integrity: cached.integrity };
  if (cached) {
    const hit = await cached.cache.match(url);
    if (hit)
      return {
        data: new Uint8Array(await hit.arrayBuffer()),
        fromCache: cached.fromCache,
        integrity: cached.integrity,
      };
  }
  const response = await fetchOk(url, file);
  const data = new Uint8Array(await response.arrayBuffer());
  const want = await expectedHash(url, expected);
  if (want)
    checkHash(
      { size: data.byteLength, sha256: await sha256Hex(data) },
      want.hash,
      file,
      want.source,
    );
  onProgress?.({ file, loaded: data.byteLength, total: data.byteLength, fromCache: false });
  return {
    data,
    fromCache: false,
    integrity: statusOf(want),
  };
}

/**
 * A URL for a large file that must not pass through one ArrayBuffer (ONNX external data): the
 * checked cached copy as a blob: URL, or without a cache the network URL itself. ORT-web fetches
 * it and, above 1 GB, streams it into WebAssembly memory (onnxruntime-web lib/wasm/
 * wasm-utils-load-file.ts). Call `release()` once the session is created.
 */
export async function locateCachedFile(
  url: string,
  file: string,
  expected: ExpectedFile | undefined,
  onProgress?: (p: FileProgress) => void,
): Promise<{ href: string; release: () => void } & CachedFile> {
  const cached = await ensureCached(url, file, expected, onProgress).catch((error) => {
    // Storing failed (quota: 2.24 GB exceeds an incognito profile's): ORT fetches the URL itself.
    const code = (error as TokenSkipError).code;
    if (code === 'MODEL_FILE_CORRUPT' || code === 'MODEL_FILE_MISSING') throw error;
    return undefined;
  });
  const hit = await cached?.cache.match(url);
  if (cached && hit) {
    const href = URL.createObjectURL(await hit.blob());
    return { href, release: () => URL.revokeObjectURL(href), ...cached };
  }
  return { href: url, release: () => undefined, fromCache: false, integrity: 'unchecked' };
}

/**
 * Deletes every cached model file and the hashes recorded for them (the resolved revisions stay);
 * returns how many files were removed.
 */
export async function clearModelCache(): Promise<number> {
  const cache = await openCache();
  if (!cache) return 0;
  const keys = await cache.keys();
  await Promise.all(keys.map((k) => cache.delete(k)));
  await Promise.all(keys.map((k) => forgetHash(k.url)));
  return keys.length;
}

/**
 * Revisions resolved for unpinned hub entries, kept beside the recorded hashes (file-store.ts, the
 * same records as Node's `revision.json`; a recorded revision is checked like Node's).
 */
export const browserRevisionStore: RevisionStore = revisionRecords(
  cacheFileStore(HASH_CACHE),
  (repo) => new URL(`/tokenskip-revision/${repo}`, self.location.href).href,
);
