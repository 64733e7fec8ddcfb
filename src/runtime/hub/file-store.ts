/**
 * The one file-store interface of the model stores: where model files, their recorded hashes and
 * resolved revisions are kept. Three implementations:
 *
 * - Node: a folder on disk (hub/node/fs-store.ts `nodeFileStore`), keys are paths inside it
 *   (checked to stay inside, paths.ts / `insideStore`);
 * - browser: a Cache Storage cache (hub/cache-store.ts `cacheFileStore`), keys are URLs;
 * - WebLLM's own caches (`webllm/model`, `webllm/config`): the same browser implementation over
 *   the cache WebLLM reads, so our reads of what WebLLM keeps go through this interface too.
 *
 * What is written the same way everywhere sits on top of it here: the size and sha256 recorded
 * at a file's first download (`hashRecords`, with `from: 'hub'` when the hub gave the hash) and
 * the commit an unpinned hub model was resolved to (`revisionRecords`, model-manifest.ts
 * `RevisionStore`). Model-file bodies go through it too: a download keeps its received bytes
 * where it can resume from them (resume.ts `PartialStore`; node/download.ts: a `.partial` file
 * appended to; web/resumable-download.ts: numbered chunks), then the checked file enters the
 * store by `move` (Node: a rename, no copy) or `writeStream` (the browser: the chunks streamed
 * into the model cache, never one buffer).
 */
import type { RecordedHash } from './file-integrity.ts';
import type { RevisionStore } from './model-manifest.ts';
import { checkRevision } from './paths.ts';

export interface FileStore {
  /** The store, for messages (a folder, a cache name). */
  readonly where: string;
  /** The bytes under `key`, or undefined when there is nothing (or the store is unavailable). */
  read(key: string): Promise<Uint8Array | undefined>;
  /** The size of what is under `key`, without reading it. */
  size(key: string): Promise<number | undefined>;
  /** Stores `data` under `key` whole (small files: records, configs, imported files). */
  write(key: string, data: Uint8Array | Blob): Promise<void>;
  /**
   * Streams `body` under `key` without holding it whole; nothing is under `key` until the body
   * has ended (Node: a temp file renamed onto it; Cache Storage: `put` settles once stored).
   * `size`, when known, is recorded as the entry's length.
   */
  writeStream(key: string, body: ReadableStream<Uint8Array>, size?: number): Promise<void>;
  /** Puts what is under `from` under `to` at once and removes `from` (a finished download). */
  move(from: string, to: string): Promise<void>;
  /** Removes `key`; nothing there is not an error. */
  delete(key: string): Promise<void>;
}

async function readJson(store: FileStore, key: string): Promise<unknown> {
  const data = await store.read(key).catch(() => undefined);
  if (!data) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(data)) as unknown;
  } catch {
    return undefined;
  }
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value)}\n`);
}

export interface HashRecords {
  get(file: string): Promise<RecordedHash | undefined>;
  set(file: string, hash: RecordedHash): Promise<void>;
  forget(file: string): Promise<void>;
}

/**
 * Recorded hashes in `store`, under `keyOf(file)` (Node: `<file>.sha256.json` beside the file;
 * browser: the file's URL in the hash cache). A record that cannot be read counts as none.
 */
export function hashRecords(store: FileStore, keyOf: (file: string) => string): HashRecords {
  return {
    async get(file) {
      const v = (await readJson(store, keyOf(file))) as Partial<RecordedHash> | undefined;
      if (typeof v?.sha256 !== 'string' || typeof v.size !== 'number') return undefined;
      return { size: v.size, sha256: v.sha256, ...(v.from === 'hub' ? { from: 'hub' } : {}) };
    },
    async set(file, hash) {
      const record: RecordedHash = {
        size: hash.size,
        sha256: hash.sha256,
        ...(hash.from ? { from: hash.from } : {}),
      };
      await store.write(keyOf(file), json(record));
    },
    forget: (file) => store.delete(keyOf(file)),
  };
}

/** Resolved revisions in `store` under `keyOf(repo)`; a recorded revision is checked (paths.ts). */
export function revisionRecords(store: FileStore, keyOf: (repo: string) => string): RevisionStore {
  return {
    async get(repo) {
      const v = (await readJson(store, keyOf(repo))) as { revision?: unknown } | undefined;
      return v?.revision === undefined ? undefined : checkRevision(v.revision, keyOf(repo));
    },
    set: (repo, revision) => store.write(keyOf(repo), json({ revision })),
  };
}
