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
 * The transfer itself (request, resume decision, declared size, body) is the loop the browser
 * runs too (resume.ts `resumableTransfer`); what is Node's own here is the partial file it keeps
 * (`partialFile`), the lock, the CLI's wording of the errors and the final check and rename.
 *
 *   const { sha256 } = await downloadFile({ url, target, where: 'mini-scorer/config.json',
 *     expected: { hash: { size, sha256 }, source: 'manifest' }, onProgress: (p) => bar(p) });
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { TokenSkipError } from '../../../core/errors.ts';
import {
  checkGitBlob,
  checkHash,
  GIT_BLOB_LIMIT,
  type ExpectedHash,
  type FileHash,
} from '../file-integrity.ts';
import { fetchFailed, htmlError } from '../fetch-ok.ts';
import type { HubFileInfo } from '../hub-listing.ts';
import { nodeFileStore } from './fs-store.ts';
import { DEFAULT_LIMITS, type TransferLimits } from '../settings.ts';
import { resumableTransfer, type PartialStore, type TransferErrors } from '../resume.ts';
import { gitSha1FromHeaders, sha256FromHeaders } from '../transfer.ts';

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

/**
 * The kept bytes of a download of `url` to `target` (resume.ts `PartialStore`): `<target>.partial`,
 * created exclusively and appended to, with `<target>.partial.json` (URL, size, ETag), hashed on
 * the way (`digest`: the bytes already there are read back into the hash first).
 */
export function partialFile(target: string, url: string): PartialStore & { digest(): string } {
  const file = partialPath(target);
  let sha = createHash('sha256');
  let out: FileHandle | undefined;
  const end = async () => {
    const handle = out;
    out = undefined;
    await handle?.close();
  };
  const discard = async () => {
    await end();
    await rm(file, { force: true });
    await rm(metaPath(target), { force: true });
  };
  return {
    async kept() {
      const meta = await readMeta(target);
      const size = await stat(file).then(
        (s) => s.size,
        () => undefined,
      );
      if (
        !meta ||
        meta.url !== url ||
        size === undefined ||
        (meta.size !== undefined && size >= meta.size)
      ) {
        await discard(); // anything else there is not a partial of this file
        return undefined;
      }
      if (size > 0) sha = await hashOf(file);
      return { bytes: size, total: meta.size, etag: meta.etag };
    },
    async begin(from, total, answer) {
      const etag = answer.headers.get('ETag') ?? undefined;
      const meta: PartialMeta = { url, size: total, ...(etag ? { etag } : {}) };
      await writeFile(metaPath(target), `${JSON.stringify(meta)}\n`);
      if (from === 0) sha = createHash('sha256');
      // A fresh partial is created exclusively; a resumed one is appended to.
      out = await open(file, from > 0 ? 'a' : 'wx');
    },
    async append(bytes) {
      sha.update(bytes);
      for (let at = 0; at < bytes.byteLength;) {
        at += (await out!.write(bytes, at)).bytesWritten;
      }
    },
    end,
    discard,
    body: () => Readable.toWeb(createReadStream(file)) as unknown as ReadableStream<Uint8Array>,
    digest: () => sha.digest('hex'),
  };
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
  const partial = partialFile(target, url);
  const want = expected?.hash ?? hub;
  const { total, resumedFrom, headers } = await resumableTransfer(partial, {
    url,
    where,
    // Byte ranges and sizes must refer to the file itself, not a compressed transfer of it.
    headers: { 'Accept-Encoding': 'identity', ...request.headers },
    // Node has no CORS to mind: a file changed on the server is caught by If-Range.
    ifRange: true,
    expected: want?.size,
    expectedBy:
      expected?.source === 'manifest'
        ? 'registry'
        : expected?.source === 'recorded'
          ? 'recorded'
          : 'hub',
    approximate: request.approximateSize,
    lowerBound: true,
    limits: request.limits ?? DEFAULT_LIMITS,
    errors: transferErrors(where, url),
    ...(request.onProgress ? { onProgress: request.onProgress } : {}),
  });
  const actual: FileHash = { size: total, sha256: partial.digest() };
  const hubSha = sha256FromHeaders(headers);
  const check: ExpectedHash | undefined =
    expected ??
    (hub?.sha256
      ? { hash: { size: hub.size, sha256: hub.sha256 }, source: 'hub' }
      : hubSha
        ? { hash: { size: total, sha256: hubSha }, source: 'hub' }
        : undefined);
  // A regular (non-LFS) hub file has no sha256 anywhere, but its git blob sha1 (listing oid,
  // ETag): checked where nothing better is known.
  const gitSha1 = check ? undefined : (hub?.gitSha1 ?? gitSha1FromHeaders(headers));
  try {
    if (check) checkHash(actual, check.hash, where, check.source);
    if (gitSha1) {
      if (actual.size > GIT_BLOB_LIMIT)
        throw new TokenSkipError(
          'MODEL_FILE_CORRUPT',
          `${where} has ${actual.size} bytes: the hub stores files over 10 MB in LFS, never as a regular file with a git blob id; it is not the hub's file.`,
        );
      checkGitBlob(await gitBlobOf(partialPath(target), actual.size), gitSha1, where);
    }
  } catch (error) {
    await partial.discard();
    throw new TokenSkipError(
      'MODEL_FILE_CORRUPT',
      `${(error as Error).message} The download was deleted; nothing was kept.`,
    );
  }
  // The checked file enters the store through its file store (fs-store.ts): a rename, no copy.
  await nodeFileStore(path.dirname(target)).move(
    path.basename(partialPath(target)),
    path.basename(target),
  );
  await rm(metaPath(target), { force: true });
  const checkedBy = check?.source ?? (gitSha1 ? 'hub' : undefined);
  return { ...actual, resumedFrom, ...(checkedBy ? { checkedBy } : {}) };
}

/** The CLI's wording of the transfer's failures (resume.ts `TransferErrors`). */
function transferErrors(where: string, url: string): TransferErrors {
  return {
    stopped(error, kept, total, why) {
      const stalled = typeof why === 'object' ? why.stalled.message : undefined;
      if (total === undefined && !stalled) return fetchFailed(where, url, error);
      return interrupted(where, url, kept, total, stalled ?? (error as Error).message, error);
    },
    endedShort: (received, total) =>
      new TokenSkipError(
        'DOWNLOAD_FAILED',
        `Downloading ${where} from ${url} stopped after ${received} of ${total} bytes; run the same command again to resume.`,
      ),
    // The server said no size and closed the body early: nothing says it was cut, so it is no
    // partial to resume from, just a wrong file.
    endedNoSize: (received, total) =>
      new TokenSkipError(
        'MODEL_FILE_CORRUPT',
        `${where} from ${url} ended after ${received} of the ${total} bytes expected, and the server declared no size of its own; nothing was kept.`,
      ),
    html: () => htmlError(where, url),
  };
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
