/**
 * The one download helper for model files in Node (the `tokenskip models` store, and the runtime
 * loaders' `openModel` in model-files.ts, both through model-store.ts `ensureFiles`). A file
 * counts as present only once it is complete and checked:
 *
 * - streamed to disk, never whole in memory, into `<target>.partial` beside the target, created
 *   exclusively (`wx`) under a `<target>.lock` that names the downloading process;
 * - resumable: after an interruption the partial stays, with `<target>.partial.json` (URL, expected
 *   size, ETag); the next call asks for the rest (`Range: bytes=N-`, `If-Range: <etag>`). A server
 *   that ignores Range (200 instead of 206) or a file that changed restarts cleanly from byte 0;
 * - hashed on the way (the partial's bytes are re-read into the hash first when resuming), checked
 *   against the expected size and sha256, and only then renamed onto the target. A mismatch
 *   deletes the partial with a clear message; an HTML page answered with status 200 keeps nothing.
 *
 *   const { sha256 } = await downloadFile({ url, target, where: 'mini-scorer/config.json',
 *     expected: { hash: { size, sha256 }, source: 'manifest' }, onProgress: (p) => bar(p) });
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { TokenSkipError } from '../../../core/errors.ts';
import {
  checkGitBlob,
  checkHash,
  GIT_BLOB_LIMIT,
  type ExpectedHash,
  type FileHash,
} from '../file-integrity.ts';
import { fetchOk, htmlError, looksLikeHtml } from '../fetch-ok.ts';
import type { HubFileInfo } from '../hub-listing.ts';
import { nodeFileStore } from './fs-store.ts';
import { DEFAULT_LIMITS, type TransferLimits } from '../settings.ts';
import {
  BodyCount,
  declaredSize,
  gitSha1FromHeaders,
  rangeHeaders,
  resumeDecision,
  sha256FromHeaders,
  sizeFromHeaders,
  stallWatch,
} from '../transfer.ts';

export interface DownloadProgress {
  /** Bytes of the file on disk so far (resumed bytes included). */
  loaded: number;
  /** The file's size when the server or the registry says it. */
  total: number | undefined;
  /** Bytes that were already there when this download started. */
  resumedFrom: number;
}

export interface DownloadRequest {
  url: string;
  /** Final path; nothing is written there until the file is complete and checked. */
  target: string;
  /** What the file is, for messages: `mini-scorer/onnx/model.onnx`. */
  where: string;
  /** The size and sha256 it must have: from the registry, or recorded at a first download. */
  expected?: ExpectedHash | undefined;
  /** What the hub says of the file (its listing at the revision) where the registry has no sha256. */
  hub?: HubFileInfo | undefined;
  /** The registry's approximate size of a file it has no sha256 for (a bound, transfer.ts). */
  approximateSize?: number | undefined;
  /** Stall timeout and size bound (settings.ts). */
  limits?: TransferLimits;
  /** Extra request headers (`Authorization` for gated repos); never logged. */
  headers?: Record<string, string>;
  onProgress?: (progress: DownloadProgress) => void;
}

export interface DownloadResult extends FileHash {
  /** Bytes reused from an interrupted download (0 for a fresh one). */
  resumedFrom: number;
  /** What the bytes were checked against; `undefined`: nothing gave a hash (trust on first use). */
  checkedBy?: 'manifest' | 'recorded' | 'hub';
}

/** What `.partial.json` holds: enough to know the partial belongs to this URL and file version. */
interface PartialMeta {
  url: string;
  size?: number;
  etag?: string;
}

export const partialPath = (target: string): string => `${target}.partial`;
const metaPath = (target: string): string => `${target}.partial.json`;
const lockPath = (target: string): string => `${target}.lock`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes `<target>.lock`; a lock left by a process that is gone is taken over. */
async function lock(target: string, where: string): Promise<() => Promise<void>> {
  const file = lockPath(target);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new TokenSkipError(
          'OUTPUT_IN_USE',
          `${where} is being downloaded by another process (pid ${pid}, lock ${file}); wait for it to finish.`,
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new TokenSkipError('OUTPUT_IN_USE', `Could not take the download lock ${file}.`);
}

async function readMeta(target: string): Promise<PartialMeta | undefined> {
  try {
    const meta = JSON.parse(await readFile(metaPath(target), 'utf8')) as PartialMeta;
    return typeof meta.url === 'string' ? meta : undefined;
  } catch {
    return undefined;
  }
}

async function discardPartial(target: string): Promise<void> {
  await rm(partialPath(target), { force: true });
  await rm(metaPath(target), { force: true });
}

/** Bytes of a usable partial download of `url`, or 0 (anything else there is discarded). */
async function resumableBytes(
  target: string,
  url: string,
): Promise<{ have: number; etag?: string; size?: number }> {
  const meta = await readMeta(target);
  const size = await stat(partialPath(target)).then(
    (s) => s.size,
    () => undefined,
  );
  if (
    !meta ||
    meta.url !== url ||
    size === undefined ||
    (meta.size !== undefined && size >= meta.size)
  ) {
    await discardPartial(target);
    return { have: 0 };
  }
  return {
    have: size,
    ...(meta.etag ? { etag: meta.etag } : {}),
    ...(meta.size !== undefined ? { size: meta.size } : {}),
  };
}

/** The git blob sha1 of a file on disk (file-integrity.ts `gitBlobSha1`, streamed). */
async function gitBlobOf(file: string, size: number): Promise<string> {
  const sha = createHash('sha1').update(`blob ${size}\0`);
  for await (const chunk of createReadStream(file)) sha.update(chunk as Buffer);
  return sha.digest('hex');
}

/** The hash of the bytes already in the partial, read back from disk as a stream. */
async function hashOf(file: string): Promise<Hash> {
  const sha = createHash('sha256');
  for await (const chunk of createReadStream(file)) sha.update(chunk as Buffer);
  return sha;
}

/** Downloads `url` to `target` (see the module header); resolves with the size and sha256 seen. */
export async function downloadFile(request: DownloadRequest): Promise<DownloadResult> {
  await mkdir(path.dirname(request.target), { recursive: true });
  const unlock = await lock(request.target, request.where);
  try {
    return await transfer(request);
  } finally {
    await unlock();
  }
}

async function transfer(request: DownloadRequest): Promise<DownloadResult> {
  const { url, target, where, expected, hub } = request;
  const limits = request.limits ?? DEFAULT_LIMITS;
  const partial = partialPath(target);
  const kept = await resumableBytes(target, url);
  const keptTotal = kept.size;
  let { have, etag } = kept;
  const headers: Record<string, string> = {
    // Byte ranges and sizes must refer to the file itself, not a compressed transfer of it.
    'Accept-Encoding': 'identity',
    ...request.headers,
    ...rangeHeaders(have),
  };
  // If-Range takes a strong validator only; without one the Content-Range check below still holds.
  if (have > 0 && etag && !etag.startsWith('W/')) headers['If-Range'] = etag;
  // The kept bytes are hashed before the request, so the stall watchdog times the network only.
  const keptSha = have > 0 ? await hashOf(partial) : undefined;
  // One controller for the whole transfer: the stall watchdog aborts through it.
  const controller = new AbortController();
  let stalled: string | undefined;
  let count: BodyCount | undefined;
  const watch = stallWatch(
    limits,
    () => (count ? count.size - count.loaded : limits.stallBytes),
    (message) => {
      stalled = message;
      controller.abort(new Error(message));
    },
  );
  const get = () =>
    fetchOk(url, where, { headers, signal: controller.signal }).catch((error: unknown) => {
      if (stalled) throw interrupted(where, url, have, undefined, stalled, error);
      throw error;
    });
  try {
    let response = await get().catch(async (error: unknown) => {
      if (have > 0 && /HTTP 416/.test((error as Error).message)) return undefined;
      throw error;
    });
    const decision = response
      ? resumeDecision(response.status, response.headers.get('Content-Range'), have, keptTotal)
      : 'refetch';
    if (decision === 'refetch' || decision === 'restart') {
      if (decision === 'refetch') {
        await response?.body?.cancel().catch(() => undefined);
        response = undefined; // a range we did not ask for: start over
      }
      // 200 to a Range request: the server sends the whole file, so the partial is dropped.
      await discardPartial(target);
      have = 0;
    }
    if (!response) {
      delete headers.Range;
      delete headers['If-Range'];
      response = await get();
    }
    if (!response.body) throw new TokenSkipError('DOWNLOAD_FAILED', `${url} returned no body.`);
    const hubSha = sha256FromHeaders(response.headers);
    const servedSize = sizeFromHeaders(response.status, response.headers);
    const want = expected?.hash ?? hub;
    let total: number;
    try {
      total = declaredSize({
        where,
        url,
        expected: want?.size,
        expectedBy:
          expected?.source === 'manifest'
            ? 'registry'
            : expected?.source === 'recorded'
              ? 'recorded'
              : 'hub',
        served: servedSize,
        approximate: request.approximateSize,
        lowerBound: true,
        limits,
      });
    } catch (error) {
      await response.body.cancel().catch(() => undefined);
      await discardPartial(target);
      throw error;
    }
    etag = response.headers.get('ETag') ?? undefined;
    const meta: PartialMeta = { url, size: total, ...(etag ? { etag } : {}) };
    await writeFile(metaPath(target), `${JSON.stringify(meta)}\n`);

    const resumedFrom = have;
    const sha = have > 0 && keptSha ? keptSha : createHash('sha256');
    const body = new BodyCount(total, have, where, url);
    count = body;
    let first = have === 0;
    request.onProgress?.({ loaded: body.loaded, total, resumedFrom });
    const counting = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (first) {
          first = false;
          if (looksLikeHtml(where, chunk)) return done(htmlError(where, url));
        }
        try {
          body.add(chunk.length);
        } catch (error) {
          return done(error as Error);
        }
        watch.progress(chunk.length);
        sha.update(chunk);
        request.onProgress?.({ loaded: body.loaded, total, resumedFrom });
        done(null, chunk);
      },
    });
    try {
      await pipeline(
        Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
        counting,
        // A fresh partial is created exclusively; a resumed one is appended to.
        createWriteStream(partial, { flags: resumedFrom > 0 ? 'a' : 'wx' }),
      );
    } catch (error) {
      if (error instanceof TokenSkipError) {
        await discardPartial(target); // an HTML page or an over-long body: nothing of it is kept
        throw error;
      }
      throw interrupted(where, url, body.loaded, total, stalled ?? (error as Error).message, error);
    }
    if (body.short && !servedSize) {
      // The server said no size and closed the body early: nothing says it was cut, so it is no
      // partial to resume from, just a wrong file.
      await discardPartial(target);
      throw new TokenSkipError(
        'MODEL_FILE_CORRUPT',
        `${where} from ${url} ended after ${body.loaded} of the ${total} bytes expected, and the server declared no size of its own; nothing was kept.`,
      );
    }
    if (body.short) {
      throw new TokenSkipError(
        'DOWNLOAD_FAILED',
        `Downloading ${where} from ${url} stopped after ${body.loaded} of ${total} bytes; run the same command again to resume.`,
      );
    }
    const actual: FileHash = { size: body.loaded, sha256: sha.digest('hex') };
    const check: ExpectedHash | undefined =
      expected ??
      (hub?.sha256
        ? { hash: { size: hub.size, sha256: hub.sha256 }, source: 'hub' }
        : hubSha
          ? { hash: { size: total, sha256: hubSha }, source: 'hub' }
          : undefined);
    // A regular (non-LFS) hub file has no sha256 anywhere, but its git blob sha1 (listing oid,
    // ETag): checked where nothing better is known.
    const gitSha1 = check ? undefined : (hub?.gitSha1 ?? gitSha1FromHeaders(response.headers));
    try {
      if (check) checkHash(actual, check.hash, where, check.source);
      if (gitSha1) {
        if (actual.size > GIT_BLOB_LIMIT)
          throw new TokenSkipError(
            'MODEL_FILE_CORRUPT',
            `${where} has ${actual.size} bytes: the hub stores files over 10 MB in LFS, never as a regular file with a git blob id; it is not the hub's file.`,
          );
        checkGitBlob(await gitBlobOf(partial, actual.size), gitSha1, where);
      }
    } catch (error) {
      await discardPartial(target);
      throw new TokenSkipError(
        'MODEL_FILE_CORRUPT',
        `${(error as Error).message} The download was deleted; nothing was kept.`,
      );
    }
    // The checked file enters the store through its file store (fs-store.ts): a rename, no copy.
    await nodeFileStore(path.dirname(target)).move(path.basename(partial), path.basename(target));
    await rm(metaPath(target), { force: true });
    const checkedBy = check?.source ?? (gitSha1 ? 'hub' : undefined);
    return { ...actual, resumedFrom, ...(checkedBy ? { checkedBy } : {}) };
  } finally {
    watch.stop();
  }
}

function interrupted(
  where: string,
  url: string,
  loaded: number,
  total: number | undefined,
  why: string,
  cause: unknown,
): TokenSkipError {
  return new TokenSkipError(
    'DOWNLOAD_FAILED',
    `Downloading ${where} from ${url} was interrupted after ${loaded}${total !== undefined ? ` of ${total}` : ''} bytes (${why}); run the same command again to resume.`,
    { cause },
  );
}
