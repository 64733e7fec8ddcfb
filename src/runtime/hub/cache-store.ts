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
      await (
        await openCache(name)
      )?.put(
        key,
        new Response(body, {
          headers: {
            'Content-Type': 'application/octet-stream',
            'Content-Length': String(body.size),
          },
        }),
      );
    },
    async delete(key) {
      await (await openCache(name))?.delete(key).catch(() => undefined);
    },
  };
}
