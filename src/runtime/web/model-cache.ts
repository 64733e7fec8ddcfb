/**
 * Model files in the browser: fetched once with progress, verified against the manifest, then kept
 * in the Cache API so the app works offline. A file enters the cache only after it is complete and
 * verified; a cached file that fails verification is deleted and fetched again, so a broken download
 * can never break the next start.
 */
import { TokenSkipError } from '../../core/errors.ts';
import { verifyFile } from '../file-integrity.ts';
import type { ManifestFile } from '../model-manifest.ts';

export const MODEL_CACHE = 'tokenskip-models-v1';

export interface FileProgress {
  file: string;
  loaded: number;
  total: number;
  fromCache: boolean;
}

async function openCache(): Promise<Cache | undefined> {
  try {
    return globalThis.caches ? await caches.open(MODEL_CACHE) : undefined;
  } catch {
    return undefined; // e.g. an insecure context: run without a cache
  }
}

async function download(
  url: string,
  file: string,
  expected: ManifestFile | undefined,
  onProgress?: (p: FileProgress) => void,
): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new TokenSkipError(
      'DOWNLOAD_FAILED',
      `Could not download ${file} from ${url}: ${(error as Error).message}. Check your connection, or use a self-hosted model mirror.`,
      { cause: error },
    );
  }
  if (!response.ok) {
    throw new TokenSkipError(
      response.status === 404 ? 'MODEL_FILE_MISSING' : 'DOWNLOAD_FAILED',
      `Downloading ${file} from ${url} failed: HTTP ${response.status}.`,
    );
  }
  const total = Number(response.headers.get('Content-Length') ?? expected?.size ?? 0);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    loaded += value.byteLength;
    onProgress?.({ file, loaded, total, fromCache: false });
  }
  const data = new Uint8Array(loaded);
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.byteLength;
  }
  return data;
}

/** Reads `url` through the model cache. */
export async function readCachedFile(
  url: string,
  file: string,
  expected: ManifestFile | undefined,
  onProgress?: (p: FileProgress) => void,
): Promise<{ data: Uint8Array; fromCache: boolean }> {
  const cache = await openCache();
  const hit = await cache?.match(url);
  if (hit) {
    const data = new Uint8Array(await hit.arrayBuffer());
    try {
      await verifyFile(data, expected, file);
      onProgress?.({ file, loaded: data.byteLength, total: data.byteLength, fromCache: true });
      return { data, fromCache: true };
    } catch {
      await cache!.delete(url); // stale or corrupt: fetch it again below
    }
  }
  const data = await download(url, file, expected, onProgress);
  await verifyFile(data, expected, file);
  try {
    await cache?.put(
      url,
      new Response(data as Uint8Array<ArrayBuffer>, {
        headers: { 'Content-Type': 'application/octet-stream' },
      }),
    );
  } catch {
    // Quota exceeded: the model still runs, it just is not kept for next time.
  }
  return { data, fromCache: false };
}

/** Deletes every cached model file; returns how many entries were removed. */
export async function clearModelCache(): Promise<number> {
  const cache = await openCache();
  if (!cache) return 0;
  const keys = await cache.keys();
  await Promise.all(keys.map((k) => cache.delete(k)));
  return keys.length;
}
