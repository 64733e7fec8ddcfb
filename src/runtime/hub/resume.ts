/**
 * The one transfer loop of a model file, in Node (node/download.ts) and in the browser
 * (web/resumable-download.ts) alike, following the rules in transfer.ts:
 *
 *   request (`Range` from the kept bytes) -> resume decision (continue / restart / refetch) ->
 *   refusals before a byte is kept (an HTTP error, an HTML page, no or a wrong declared size) ->
 *   the body counted against the declared size (an HTML first chunk or a byte past the size:
 *   nothing kept; a stall, a cancel or a network error: the bytes received are kept) ->
 *   a short body (a cut: kept for the next try; without a size of the server's own: a wrong file).
 *
 * What is kept between tries sits behind `PartialStore`, with two implementations: Node's
 * `<target>.partial` appended to with its `<target>.partial.json` record, hashed on the way
 * (node/download.ts `partialFile`), and the browser's numbered chunks and record in a Cache
 * Storage cache, written every few MiB or every second (web/resumable-download.ts
 * `cachePartial`). What else differs per platform is passed in: the request's headers and options,
 * how a changed file is caught on a resume (`ifRange`), the size rules and the errors' wording
 * (`errors`: the CLI's English sentences, the app's message ids). The lock (a lock file, Web
 * Locks) and the final check and move stay with the callers.
 *
 * Written here, not taken from `@huggingface/hub` (2.17.5; its listing is used, hub-listing.ts):
 * its `downloadFile` resolves to a Blob of the whole file (dist/src/lib/download-file.d.ts), with
 * no resume from bytes kept by an earlier try, no bound on the declared size, no stall watch and
 * no store of ours to write into; `downloadFileToCacheDir` writes the Python hub's cache layout on
 * disk, Node only (download-file-to-cache-dir.d.ts).
 */
import { TokenSkipError } from '../../core/errors.ts';
import { httpError, looksLikeHtml, servesHtmlFor } from './fetch-ok.ts';
import type { TransferLimits } from './settings.ts';
import {
  BodyCount,
  declaredSize,
  rangeHeaders,
  resumeDecision,
  sizeFromHeaders,
  stallWatch,
  type SizeSource,
} from './transfer.ts';

/** What a store holds of a file from an earlier try. */
export interface KeptPartial {
  /** Bytes kept. */
  bytes: number;
  /** The whole file's size when they were received. */
  total?: number | undefined;
  /** The ETag of the answer they came from. */
  etag?: string | undefined;
}

/** Where the bytes received are kept, so that the next try continues from them. */
export interface PartialStore {
  /** What is kept of the file; anything there that cannot be resumed is discarded first. */
  kept(): Promise<KeptPartial | undefined>;
  /** Starts keeping `answer`'s body after `from` kept bytes (0: the file from its start). */
  begin(from: number, total: number, answer: Response): Promise<void>;
  /** Keeps the next bytes (a store may buffer them until `end`). */
  append(bytes: Uint8Array): Promise<void>;
  /** Writes what is buffered and closes; after the last byte and on every stop. */
  end(): Promise<void>;
  /** Drops every kept byte and the record. */
  discard(): Promise<void>;
  /** The kept bytes, in order, as one stream (a finished file's body). */
  body(): ReadableStream<Uint8Array>;
}

/** Why a transfer stopped, when it was not the network: the stall watchdog or the caller. */
export type StopReason =
  { stalled: { message: string; bytes: number; seconds: number } } | 'cancelled';

/** The errors whose wording differs per platform (the CLI's sentences, the app's message ids). */
export interface TransferErrors {
  /**
   * The request (`total` undefined: before an answer) or the body stopped: a network error, a
   * stall or a cancel (`why`). The `kept` bytes stay for the next try.
   */
  stopped(
    error: unknown,
    kept: number,
    total: number | undefined,
    why: StopReason | undefined,
  ): TokenSkipError;
  /** The body ended after `received` of `total` declared bytes: a cut, kept for the next try. */
  endedShort(received: number, total: number): TokenSkipError;
  /** The same, but the server declared no size of its own: a wrong file, nothing kept. */
  endedNoSize(received: number, total: number): TokenSkipError;
  /** An HTML page where the file was expected: nothing kept. */
  html(): TokenSkipError;
}

export interface TransferOptions {
  url: string;
  /** The file, in messages. */
  where: string;
  /** Request headers besides Range (Node: `Accept-Encoding: identity`, `Authorization`). */
  headers?: Record<string, string>;
  /** Other request options (browser: `cache: 'no-store'`). */
  init?: Omit<RequestInit, 'headers' | 'signal'>;
  /**
   * How a file changed on the server since its bytes were kept is caught: true, `If-Range` with
   * the kept strong ETag (the server answers the whole file instead); false, the answer's ETag
   * compared with the kept one (If-Range is not a CORS-safelisted header: in the browser it would
   * cost a preflight a model host may refuse).
   */
  ifRange?: boolean;
  /** The exact size the file must have (registry, recorded hash, hub listing), and who says so. */
  expected?: number | undefined;
  expectedBy?: SizeSource;
  /** The registry's approximate size, and whether it bounds from below too (transfer.ts). */
  approximate?: number | undefined;
  lowerBound?: boolean;
  limits: TransferLimits;
  /** The caller's cancel: stops the transfer, the bytes received kept. */
  signal?: AbortSignal;
  errors: TransferErrors;
  /** At the body's start and after each chunk; `loaded` counts the resumed bytes too. */
  onProgress?: (p: { loaded: number; total: number; resumedFrom: number }) => void;
}

export interface TransferResult {
  /** The file's size; every byte of it is now in the store. */
  total: number;
  /** Bytes reused from an earlier try (0 for a fresh one). */
  resumedFrom: number;
  /** The answer's headers (the hub's hashes of the file: transfer.ts). */
  headers: Headers;
}

const cancel = (
  body: ReadableStream<Uint8Array> | ReadableStreamDefaultReader<Uint8Array> | null,
) => body?.cancel().catch(() => undefined);

/**
 * Transfers `options.url` into `store`, continuing from what it keeps; resolves once the whole
 * declared size is there (see the module header for what each failure keeps).
 */
export async function resumableTransfer(
  store: PartialStore,
  options: TransferOptions,
): Promise<TransferResult> {
  const { url, where, limits, errors } = options;
  // Node hashes the kept bytes here, before the request: the stall watchdog times the network only.
  const kept = await store.kept();
  let have = kept?.bytes ?? 0;
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
      controller.abort(new Error(message));
    },
  );
  const why = (): StopReason | undefined =>
    stalled ? { stalled } : options.signal?.aborted ? 'cancelled' : undefined;
  const get = async () => {
    const headers: Record<string, string> = { ...options.headers, ...rangeHeaders(have) };
    // If-Range takes a strong validator only; without one the Content-Range check still holds.
    if (options.ifRange && have > 0 && kept?.etag && !kept.etag.startsWith('W/'))
      headers['If-Range'] = kept.etag;
    let response: Response;
    try {
      response = await fetch(url, { ...options.init, headers, signal: controller.signal });
    } catch (error) {
      throw errors.stopped(error, have, undefined, why());
    }
    // 416 to a Range request: the kept bytes are not a prefix of this file (refetched below).
    if (!response.ok && !(response.status === 416 && have > 0)) {
      await cancel(response.body);
      throw httpError(where, url, response.status);
    }
    return response;
  };
  try {
    let response = await get();
    let decision = resumeDecision(
      response.status,
      response.headers.get('Content-Range'),
      have,
      kept?.total,
    );
    const etag = response.headers.get('ETag');
    if (decision === 'continue' && !options.ifRange && kept?.etag && etag && etag !== kept.etag)
      decision = 'refetch'; // the file changed since its bytes were kept
    if (decision !== 'continue') {
      // refetch: a range we did not ask for (or 416): ask again for the whole file. restart: a
      // 200 (the server ignores Range) sends the whole file, so the kept bytes are dropped.
      if (decision === 'refetch') await cancel(response.body);
      if (kept) await store.discard();
      have = 0;
      if (decision === 'refetch') response = await get();
    }
    const start = have;
    if (servesHtmlFor(where, response.headers.get('Content-Type'))) {
      await cancel(response.body);
      await store.discard();
      throw errors.html();
    }
    if (!response.body)
      throw new TokenSkipError('DOWNLOAD_FAILED', { id: 'noBody', params: { url } });
    const served = sizeFromHeaders(response.status, response.headers);
    let total: number;
    try {
      total = declaredSize({
        where,
        url,
        expected: options.expected,
        ...(options.expectedBy ? { expectedBy: options.expectedBy } : {}),
        served,
        approximate: options.approximate,
        ...(options.lowerBound ? { lowerBound: true } : {}),
        limits,
      });
    } catch (error) {
      // An HTML page sent without a size or a type (an SPA fallback) is named as what it is.
      const reader = served === undefined && start === 0 ? response.body.getReader() : undefined;
      const head = await reader?.read().catch(() => undefined);
      await cancel(reader ?? response.body);
      await store.discard();
      if (head?.value && looksLikeHtml(where, head.value)) throw errors.html();
      throw error;
    }

    /** A store's own refusal (a full quota) as it words it; any other failure is a stop. */
    const storing = (step: Promise<void>, loaded: number) =>
      step.catch((error: unknown) => {
        throw error instanceof TokenSkipError ? error : errors.stopped(error, loaded, total, why());
      });
    await storing(store.begin(start, total, response), start);
    const body = new BodyCount(total, start, where, url);
    count = body;
    options.onProgress?.({ loaded: body.loaded, total, resumedFrom: start });
    const reader = response.body.getReader();
    const onAbort = () => void cancel(reader);
    controller.signal.addEventListener('abort', onAbort, { once: true });
    let sniffed = start > 0;
    try {
      for (;;) {
        const step = await reader.read().catch((error: unknown) => {
          throw errors.stopped(error, body.loaded, total, why());
        });
        if (controller.signal.aborted)
          throw errors.stopped(new Error('aborted'), body.loaded, total, why());
        if (step.done) break;
        const bytes = step.value;
        if (!sniffed) {
          sniffed = true;
          if (looksLikeHtml(where, bytes)) {
            await cancel(reader);
            await store.discard();
            throw errors.html();
          }
        }
        try {
          body.add(bytes.byteLength);
        } catch (error) {
          // Longer than declared: an endless or padded body; nothing of it is kept.
          await cancel(reader);
          await store.discard();
          throw error;
        }
        watch.progress(bytes.byteLength);
        await storing(store.append(bytes), body.loaded);
        options.onProgress?.({ loaded: body.loaded, total, resumedFrom: start });
      }
    } finally {
      controller.signal.removeEventListener('abort', onAbort);
      await store.end(); // what is buffered is kept, on a stop too
    }
    if (body.short) {
      if (served === undefined) {
        // No size of the server's own and a body that ended early: a wrong file, not a cut.
        await store.discard();
        throw errors.endedNoSize(body.loaded, total);
      }
      throw errors.endedShort(body.loaded, total);
    }
    return { total, resumedFrom: start, headers: response.headers };
  } finally {
    watch.stop();
    options.signal?.removeEventListener('abort', onCancel);
  }
}
