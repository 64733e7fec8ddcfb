/**
 * Resumable model downloads in the browser. The bytes received so far are kept as numbered chunks
 * in their own Cache API cache (PARTIAL_CACHE), with a small record of the file's total size and
 * ETag; after a network error, a cancel or a reload, the next attempt asks for the rest with
 * `Range: bytes=<received>-` (a file changed on the server, seen by its ETag or size, starts over).
 *
 * Two kinds of failure are told apart, because they need opposite repairs:
 * - a network error (socket closed, offline, timeout) or a cancel keeps every byte received:
 *   the next try continues from there;
 * - a content error (the server answers an HTML page with status 200, a size other than the
 *   registry's, a Content-Range that does not continue the kept bytes) drops the kept bytes, so
 *   nothing wrong is ever cached and the next try starts clean (mlc-ai/web-llm#289).
 * The finished file is checked by the caller (model-cache.ts) before it counts as cached.
 */
import { TokenSkipError } from '../../../core/errors.ts';
import { resumableTransfer, type PartialStore, type TransferErrors } from '../resume.ts';
import { DEFAULT_LIMITS, type TransferLimits } from '../settings.ts';
import { refused, gitSha1FromHeaders, sha256FromHeaders, type SizeSource } from '../transfer.ts';

export const PARTIAL_CACHE = 'tokenskip-partial-v1';
/** Received bytes are written to the cache in chunks of this size (and on any stop). */
export const CHUNK_BYTES = 4 * 2 ** 20;
/**
 * ...and at least this often, so a reload (which ends the page without a chance to write what is
 * buffered) loses at most this much time of the download, not the whole file so far.
 */
export const FLUSH_MS = 1000;

export interface PartialState {
  /** Bytes kept so far. */
  received: number;
  /** The whole file's size as the server gave it, when known. */
  total: number | null;
  etag: string | null;
  lastModified: string | null;
  /** Sizes of the kept chunks, in order. */
  chunks: number[];
  /** The hub's own hash of the file from the first answer's headers (transfer.ts), if it gave one. */
  hubSha256?: string;
  /** The git blob sha1 of a regular hub file from that answer's ETag (transfer.ts), if any. */
  hubGitSha1?: string;
}

export interface DownloadProgress {
  loaded: number;
  total: number;
}

export interface DownloadOptions {
  url: string;
  /** The file's name in messages (`onnx/model.onnx`). */
  file: string;
  /** The size the registry expects (exact when it has a hash): another size is a content error. */
  expectedSize?: number;
  /** Who says so, in messages (default "the registry"). */
  sizeSource?: SizeSource;
  /** The registry's approximate size of a file it has no sha256 for (a bound, transfer.ts). */
  approximateSize?: number;
  /** Stall timeout and per-file bound (settings.ts). */
  limits?: TransferLimits;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
}

function hubHashes(headers: Headers): Pick<PartialState, 'hubSha256' | 'hubGitSha1'> {
  const sha256 = sha256FromHeaders(headers);
  const gitSha1 = gitSha1FromHeaders(headers);
  return { ...(sha256 ? { hubSha256: sha256 } : {}), ...(gitSha1 ? { hubGitSha1: gitSha1 } : {}) };
}

function partKey(url: string, part: string): string {
  const key = new URL(url);
  key.searchParams.set('tokenskip-part', part);
  return key.href;
}

async function openPartial(): Promise<Cache> {
  return caches.open(PARTIAL_CACHE);
}

async function readState(cache: Cache, url: string): Promise<PartialState | undefined> {
  const hit = await cache.match(partKey(url, 'meta'));
  if (!hit) return undefined;
  try {
    const state = (await hit.json()) as PartialState;
    return Array.isArray(state.chunks) && typeof state.received === 'number' ? state : undefined;
  } catch {
    return undefined;
  }
}

/** What is kept of `url` so far, or undefined. */
export async function partialState(url: string): Promise<PartialState | undefined> {
  if (!globalThis.caches) return undefined;
  return readState(await openPartial(), url);
}

async function saveState(cache: Cache, url: string, state: PartialState): Promise<void> {
  await cache.put(
    partKey(url, 'meta'),
    new Response(JSON.stringify(state), { headers: { 'Content-Type': 'application/json' } }),
  );
}

async function discardIn(cache: Cache, url: string): Promise<void> {
  const state = await readState(cache, url);
  await Promise.all((state?.chunks ?? []).map((_, i) => cache.delete(partKey(url, String(i)))));
  await cache.delete(partKey(url, 'meta'));
}

/** Drops every kept byte of `url`. */
export async function discardPartial(url: string): Promise<void> {
  if (!globalThis.caches) return;
  await discardIn(await openPartial(), url);
}

function keptBody(
  cache: Cache | Promise<Cache>,
  url: string,
  state: PartialState | Promise<PartialState | undefined>,
): ReadableStream<Uint8Array> {
  let index = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (!reader) {
          if (index >= ((await state)?.chunks.length ?? 0)) return controller.close();
          const hit = await (await cache).match(partKey(url, String(index++)));
          if (!hit?.body) {
            return controller.error(
              new TokenSkipError('DOWNLOAD_FAILED', { id: 'keptPartGone', params: { url } }),
            );
          }
          reader = hit.body.getReader();
        }
        const { done, value } = await reader.read();
        if (!done) return controller.enqueue(value);
        reader = undefined;
      }
    },
  });
}

/** The kept chunks of a complete download, in order, as one stream. */
export function partialBody(url: string, state: PartialState): ReadableStream<Uint8Array> {
  return keptBody(openPartial(), url, state);
}

/**
 * The kept bytes of `url` in `cache` (PARTIAL_CACHE; resume.ts `PartialStore`): numbered chunks
 * and a record (`state`), written every CHUNK_BYTES or FLUSH_MS and on any stop; the rest the
 * browser's estimate says cannot fit is refused before a byte is kept.
 */
export function cachePartial(
  url: string,
  file: string,
  cache: Cache,
): PartialStore & { readonly state: PartialState | undefined } {
  let state: PartialState | undefined;
  let buffered: Uint8Array[] = [];
  let bufferedBytes = 0;
  let flushedAt = Date.now();
  const flush = async () => {
    flushedAt = Date.now();
    if (bufferedBytes === 0 || !state) return;
    const chunk = new Uint8Array(bufferedBytes);
    let at = 0;
    for (const b of buffered) {
      chunk.set(b, at);
      at += b.byteLength;
    }
    buffered = [];
    bufferedBytes = 0;
    try {
      await cache.put(partKey(url, String(state.chunks.length)), new Response(chunk));
      state.chunks.push(chunk.byteLength);
      state.received += chunk.byteLength;
      await saveState(cache, url, state);
    } catch (error) {
      if (isQuotaError(error)) throw storageFullError(file, (state.total ?? 0) - state.received);
      throw error;
    }
  };
  return {
    get state() {
      return state;
    },
    async kept() {
      state = await readState(cache, url);
      return (
        state && {
          bytes: state.received,
          total: state.total ?? undefined,
          etag: state.etag ?? undefined,
        }
      );
    },
    async begin(from, total, answer) {
      await checkRoom(file, total - from);
      if (state && from > 0) {
        state = { ...state, total };
      } else {
        state = {
          received: 0,
          total,
          etag: answer.headers.get('ETag'),
          lastModified: answer.headers.get('Last-Modified'),
          chunks: [],
          ...hubHashes(answer.headers),
        };
        await saveState(cache, url, state);
      }
      flushedAt = Date.now();
    },
    async append(bytes) {
      buffered.push(bytes);
      bufferedBytes += bytes.byteLength;
      if (bufferedBytes >= CHUNK_BYTES || Date.now() - flushedAt >= FLUSH_MS) await flush();
    },
    end: flush,
    async discard() {
      buffered = [];
      bufferedBytes = 0;
      await discardIn(cache, url);
    },
    body: () => keptBody(cache, url, state ?? readState(cache, url)),
  };
}

/** A quota error from any storage write, as the one clear message the UI shows. */
export function isQuotaError(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'QuotaExceededError';
}

/** `file` undefined: the files of a whole model (an import). */
export function storageFullError(
  file: string | undefined,
  need: number,
  free?: number,
): TokenSkipError {
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
  if (file === undefined) {
    return new TokenSkipError('STORAGE_FULL', {
      id: 'storageFullModel',
      params: { need: mb(need) },
    });
  }
  return new TokenSkipError(
    'STORAGE_FULL',
    free === undefined
      ? { id: 'storageFull', params: { file, need: mb(need) } }
      : { id: 'storageFullRoom', params: { file, need: mb(need), free: mb(Math.max(0, free)) } },
  );
}

/** Refuses up front when the browser's own estimate says the rest cannot fit. */
async function checkRoom(file: string, need: number): Promise<void> {
  const estimate = await globalThis.navigator?.storage?.estimate?.().catch(() => undefined);
  if (!estimate?.quota) return;
  const free = estimate.quota - (estimate.usage ?? 0);
  if (need > free) throw storageFullError(file, need, free);
}

function cancelled(file: string): TokenSkipError {
  return new TokenSkipError('CANCELLED', { id: 'downloadCancelledFile', params: { file } });
}

/**
 * Runs `fn` (check the cache, download, store, drop the kept chunks) holding this URL's lock, one
 * per file for every tab and worker of the origin (the Web Locks API). Two loads of one file at
 * once (the Learn page's scorer worker and the Compress page's, or two tabs) would otherwise write
 * and delete the same numbered chunks of PARTIAL_CACHE, and one would store the other's
 * half-written file (seen: a 6.8 MB scorer cached as its first 6 MiB). The second caller waits,
 * then finds the file cached. Without Web Locks (browsers before 2022) it runs unlocked.
 */
export async function withDownloadLock<T>(
  url: string,
  file: string,
  fn: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return fn();
  try {
    return (await locks.request(`tokenskip-download ${url}`, signal ? { signal } : {}, fn)) as T;
  } catch (error) {
    // Aborted while waiting for the other download: nothing of ours was received.
    if (signal?.aborted && (error as DOMException).name === 'AbortError') throw cancelled(file);
    throw error;
  }
}

/** The app's wording of the transfer's failures (resume.ts `TransferErrors`): message ids. */
function transferErrors(file: string, url: string): TransferErrors {
  return {
    stopped(error, kept, _total, why) {
      if (why === 'cancelled') return cancelled(file);
      if (why) {
        const { bytes, seconds } = why.stalled;
        return new TokenSkipError(
          'DOWNLOAD_FAILED',
          { id: 'downloadStalled', params: { file, url, kept, bytes, seconds } },
          { cause: error },
        );
      }
      const raw = (error as Error)?.message ?? String(error);
      return new TokenSkipError(
        'DOWNLOAD_FAILED',
        { id: 'downloadStopped', params: { file, url, kept, raw } },
        { cause: error },
      );
    },
    endedShort: (received, total) =>
      new TokenSkipError('DOWNLOAD_FAILED', {
        id: 'downloadEndedShort',
        params: { file, url, kept: received, received, total },
      }),
    endedNoSize: (received, total) =>
      refused(file, url, { id: 'reasonEndedNoSize', params: { received, total } }),
    html: () => refused(file, url, { id: 'reasonHtmlPage' }),
  };
}

/**
 * Downloads `url` into PARTIAL_CACHE, continuing from kept bytes. Resolves with the complete
 * state (read it with `partialBody`, then `discardPartial`); throws DOWNLOAD_FAILED (bytes kept),
 * CANCELLED (bytes kept), MODEL_FILE_CORRUPT (nothing kept), MODEL_FILE_MISSING or STORAGE_FULL.
 */
export async function downloadToPartial(options: DownloadOptions): Promise<PartialState> {
  const { url, file, onProgress } = options;
  const store = cachePartial(url, file, await openPartial());
  const kept = await store.kept();
  if (kept?.total !== undefined && kept.bytes >= kept.total) return store.state!;
  await resumableTransfer(store, {
    url,
    where: file,
    // Only `Range: bytes=N-` (a CORS-safelisted header: no preflight a model host might refuse);
    // a changed file is caught by comparing the ETag and total instead of sending If-Range.
    init: { cache: 'no-store' },
    expected: options.expectedSize,
    expectedBy: options.sizeSource ?? 'registry',
    approximate: options.approximateSize,
    limits: options.limits ?? DEFAULT_LIMITS,
    errors: transferErrors(file, url),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(onProgress ? { onProgress: (p) => onProgress({ loaded: p.loaded, total: p.total }) } : {}),
  });
  return store.state!;
}
