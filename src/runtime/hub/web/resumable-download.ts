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
import { TokenSkipError, type ErrorDetail } from '../../../core/errors.ts';
import { DEFAULT_LIMITS, type TransferLimits } from '../settings.ts';
import {
  BodyCount,
  declaredSize,
  refused,
  gitSha1FromHeaders,
  rangeHeaders,
  resumeDecision,
  sha256FromHeaders,
  sizeFromHeaders,
  stallWatch,
  type SizeSource,
} from '../transfer.ts';

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

/** What is kept of `url` so far, or undefined. */
export async function partialState(url: string): Promise<PartialState | undefined> {
  if (!globalThis.caches) return undefined;
  const hit = await (await openPartial()).match(partKey(url, 'meta'));
  if (!hit) return undefined;
  try {
    const state = (await hit.json()) as PartialState;
    return Array.isArray(state.chunks) && typeof state.received === 'number' ? state : undefined;
  } catch {
    return undefined;
  }
}

async function saveState(cache: Cache, url: string, state: PartialState): Promise<void> {
  await cache.put(
    partKey(url, 'meta'),
    new Response(JSON.stringify(state), { headers: { 'Content-Type': 'application/json' } }),
  );
}

/** Drops every kept byte of `url`. */
export async function discardPartial(url: string): Promise<void> {
  if (!globalThis.caches) return;
  const cache = await openPartial();
  const state = await partialState(url);
  await Promise.all((state?.chunks ?? []).map((_, i) => cache.delete(partKey(url, String(i)))));
  await cache.delete(partKey(url, 'meta'));
}

/** The kept chunks of a complete download, in order, as one stream. */
export function partialBody(url: string, state: PartialState): ReadableStream<Uint8Array> {
  let index = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (!reader) {
          if (index >= state.chunks.length) return controller.close();
          const hit = await (await openPartial()).match(partKey(url, String(index++)));
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

/** An HTML page where a model file was expected (a login page, a captive portal, an SPA fallback). */
function looksLikeHtml(contentType: string | null, head: Uint8Array, file: string): boolean {
  if (/\.html?$/i.test(file)) return false;
  if (contentType && /text\/html/i.test(contentType)) return true;
  const text = new TextDecoder()
    .decode(head.subarray(0, 64))
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  return text.startsWith('<!doctype html') || text.startsWith('<html');
}

function contentError(file: string, url: string, what: ErrorDetail): TokenSkipError {
  return refused(file, url, what);
}

/** Why a transfer stopped: a stall, a short body, or else the browser's own message. */
type StopReason =
  | { stalled: { bytes: number; seconds: number } }
  | { endedShort: { received: number; total: number } };

function networkError(
  file: string,
  url: string,
  kept: number,
  error: unknown,
  why?: StopReason,
): TokenSkipError {
  if (why && 'stalled' in why) {
    return new TokenSkipError(
      'DOWNLOAD_FAILED',
      { id: 'downloadStalled', params: { file, url, kept, ...why.stalled } },
      { cause: error },
    );
  }
  if (why) {
    return new TokenSkipError(
      'DOWNLOAD_FAILED',
      { id: 'downloadEndedShort', params: { file, url, kept, ...why.endedShort } },
      { cause: error },
    );
  }
  const raw = (error as Error)?.message ?? String(error);
  return new TokenSkipError(
    'DOWNLOAD_FAILED',
    { id: 'downloadStopped', params: { file, url, kept, raw } },
    { cause: error },
  );
}

async function request(
  url: string,
  file: string,
  kept: PartialState | undefined,
  signal: AbortSignal | undefined,
): Promise<Response> {
  // Only `Range: bytes=N-` (a CORS-safelisted header: no preflight a model host might refuse);
  // a changed file is caught by comparing the ETag and total instead of sending If-Range.
  const headers = rangeHeaders(kept?.received ?? 0);
  try {
    return await fetch(url, { headers, signal, cache: 'no-store' });
  } catch (error) {
    if (signal?.aborted) throw cancelled(file);
    throw networkError(file, url, kept?.received ?? 0, error);
  }
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

/**
 * Downloads `url` into PARTIAL_CACHE, continuing from kept bytes. Resolves with the complete
 * state (read it with `partialBody`, then `discardPartial`); throws DOWNLOAD_FAILED (bytes kept),
 * CANCELLED (bytes kept), MODEL_FILE_CORRUPT (nothing kept), MODEL_FILE_MISSING or STORAGE_FULL.
 */
export async function downloadToPartial(options: DownloadOptions): Promise<PartialState> {
  const { url, file, expectedSize, onProgress } = options;
  const limits = options.limits ?? DEFAULT_LIMITS;
  const sizeSource = options.sizeSource ?? 'registry';
  const cache = await openPartial();
  let kept = await partialState(url);
  if (kept && kept.total !== null && kept.received >= kept.total) return kept;

  // The caller's cancel and the stall watchdog stop the same request.
  const controller = new AbortController();
  const onCancel = () => controller.abort();
  options.signal?.addEventListener('abort', onCancel, { once: true });
  if (options.signal?.aborted) controller.abort();
  let stalled: { message: string; bytes: number; seconds: number } | undefined;
  let count: BodyCount | undefined;
  const watch = stallWatch(
    limits,
    () => (count ? count.size - count.loaded : limits.stallBytes),
    (message, at) => {
      stalled = { message, ...at };
      controller.abort();
    },
  );
  const signal = controller.signal;
  const stoppedBy = (error: unknown, received: number) =>
    stalled
      ? networkError(file, url, received, new Error(stalled.message), {
          stalled: { bytes: stalled.bytes, seconds: stalled.seconds },
        })
      : options.signal?.aborted
        ? cancelled(file)
        : error instanceof TokenSkipError
          ? error
          : networkError(file, url, received, error);
  try {
    let response = await request(url, file, kept, signal).catch((error: unknown) => {
      throw stoppedBy(error, kept?.received ?? 0);
    });
    let start = 0;
    const decision = resumeDecision(
      response.status,
      response.headers.get('Content-Range'),
      kept?.received ?? 0,
      kept?.total ?? undefined,
    );
    const etag = response.headers.get('ETag');
    if (decision === 'continue' && kept && (!kept.etag || !etag || etag === kept.etag)) {
      start = kept.received;
    } else if (kept && response.status !== 200) {
      // Not the continuation of what is kept (or 416): start over with the whole file.
      await response.body?.cancel().catch(() => undefined);
      await discardPartial(url);
      kept = undefined;
      response = await request(url, file, undefined, signal).catch((error: unknown) => {
        throw stoppedBy(error, 0);
      });
    } else if (kept) {
      // 200 to a range request: the server ignores ranges; take the whole file from this answer.
      await discardPartial(url);
      kept = undefined;
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new TokenSkipError(response.status === 404 ? 'MODEL_FILE_MISSING' : 'DOWNLOAD_FAILED', {
        id: 'httpFailed',
        params: { file, url, status: response.status },
      });
    }
    const served = sizeFromHeaders(response.status, response.headers);
    let total: number;
    try {
      total = declaredSize({
        where: file,
        url,
        expected: expectedSize,
        expectedBy: sizeSource,
        served,
        approximate: options.approximateSize,
        limits,
      });
    } catch (error) {
      // An HTML page sent without a size (an SPA fallback) is named as what it is.
      const reader = served === undefined && start === 0 ? response.body?.getReader() : undefined;
      const head = await reader?.read().catch(() => undefined);
      await (reader ?? response.body)?.cancel().catch(() => undefined);
      await discardPartial(url);
      if (head?.value && looksLikeHtml(null, head.value, file))
        throw contentError(file, url, { id: 'reasonHtmlPage' });
      throw error;
    }
    if (
      start === 0 &&
      response.headers.get('Content-Type')?.match(/text\/html/i) &&
      !/\.html?$/i.test(file)
    ) {
      await response.body?.cancel().catch(() => undefined);
      await discardPartial(url);
      throw contentError(file, url, { id: 'reasonHtmlPage' });
    }
    await checkRoom(file, total - start);

    const state: PartialState =
      kept && start > 0
        ? { ...kept, total }
        : {
            received: 0,
            total,
            etag: response.headers.get('ETag'),
            lastModified: response.headers.get('Last-Modified'),
            chunks: [],
            ...hubHashes(response.headers),
          };
    if (start === 0) await saveState(cache, url, state);

    let buffered: Uint8Array[] = [];
    let bufferedBytes = 0;
    let flushedAt = Date.now();
    let sniffed = start > 0;
    const flush = async () => {
      flushedAt = Date.now();
      if (bufferedBytes === 0) return;
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

    if (!response.body)
      throw new TokenSkipError('DOWNLOAD_FAILED', { id: 'noBody', params: { url } });
    const body = new BodyCount(total, start, file, url);
    count = body;
    const reader = response.body.getReader();
    const onAbort = () => void reader.cancel().catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        let step: ReadableStreamReadResult<Uint8Array>;
        try {
          step = await reader.read();
        } catch (error) {
          await flush();
          throw stoppedBy(error, state.received);
        }
        if (signal.aborted) {
          await flush();
          throw stoppedBy(new Error('aborted'), state.received);
        }
        if (step.done) break;
        const value = step.value;
        if (!sniffed) {
          sniffed = true;
          if (looksLikeHtml(null, value, file)) {
            await reader.cancel().catch(() => undefined);
            await discardPartial(url);
            throw contentError(file, url, { id: 'reasonHtmlPage' });
          }
        }
        try {
          body.add(value.byteLength);
        } catch (error) {
          // Longer than declared: an endless or padded body; nothing of it is kept.
          await reader.cancel().catch(() => undefined);
          await discardPartial(url);
          throw error;
        }
        watch.progress(value.byteLength);
        buffered.push(value);
        bufferedBytes += value.byteLength;
        onProgress?.({ loaded: state.received + bufferedBytes, total });
        if (bufferedBytes >= CHUNK_BYTES || Date.now() - flushedAt >= FLUSH_MS) await flush();
      }
      await flush();
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (state.received !== total) {
      if (served === undefined) {
        // No size of the server's own and a body that ended early: a wrong file, not a cut.
        await discardPartial(url);
        throw contentError(file, url, {
          id: 'reasonEndedNoSize',
          params: { received: state.received, total },
        });
      }
      throw networkError(
        file,
        url,
        state.received,
        new Error(`the body ended after ${state.received} of ${total} bytes`),
        { endedShort: { received: state.received, total } },
      );
    }
    return state;
  } finally {
    watch.stop();
    options.signal?.removeEventListener('abort', onCancel);
  }
}
