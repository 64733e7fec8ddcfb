/**
 * The file-store interface (hub/file-store.ts) on one Cache Storage cache: keys are URLs. The
 * app's model cache, its hash and revision records, and WebLLM's own caches (`webllm/model`,
 * `webllm/config`, which WebLLM fills and reads by URL) all go through it. Without Cache Storage
 * (an insecure context, some private windows) reads find nothing and writes are dropped.
 */
import type { FileStore } from './file-store.ts';

export async function openCache(name: string): Promise<Cache | undefined> {
  try {
    return globalThis.caches ? await caches.open(name) : undefined;
  } catch {
    return undefined;
  }
}

/** A stored file: its bytes as a Response with its length (what `size` reads back). */
function fileResponse(body: BodyInit, size: number | undefined): Response {
  return new Response(body, {
    headers: {
      'Content-Type': 'application/octet-stream',
      ...(size !== undefined ? { 'Content-Length': String(size) } : {}),
    },
  });
}

export function cacheFileStore(name: string): FileStore {
  return {
    where: `the browser cache "${name}"`,
    async read(key) {
      const hit = await (await openCache(name))?.match(key);
      return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
    },
    async size(key) {
      const hit = await (await openCache(name))?.match(key);
      if (!hit) return undefined;
      const length = hit.headers.get('Content-Length');
      return length !== null ? Number(length) : (await hit.blob()).size;
    },
    async write(key, data) {
      const body = data instanceof Uint8Array ? new Blob([data as Uint8Array<ArrayBuffer>]) : data;
      await (await openCache(name))?.put(key, fileResponse(body, body.size));
    },
    async writeStream(key, body, size) {
      const cache = await openCache(name);
      if (!cache) return void (await body.cancel().catch(() => undefined));
      await cache.put(key, fileResponse(body, size));
    },
    async move(from, to) {
      const cache = await openCache(name);
      const hit = await cache?.match(from);
      if (!cache || !hit) return;
      const length = hit.headers.get('Content-Length');
      await cache.put(
        to,
        fileResponse(hit.body ?? (await hit.blob()), length ? Number(length) : undefined),
      );
      await cache.delete(from);
    },
    async delete(key) {
      await (await openCache(name))?.delete(key).catch(() => undefined);
    },
  };
}
