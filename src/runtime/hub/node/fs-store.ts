/**
 * The file-store interface (hub/file-store.ts) on a folder of the file system: keys are paths
 * inside `root`, each checked to stay inside it (`insideStore`); writes, whole or streamed, go to
 * a temp file beside the target and are renamed onto it, so nothing is ever half-written there.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { TokenSkipError } from '../../../core/errors.ts';
import type { FileStore } from '../file-store.ts';

/** `child` resolved, refused unless it lies inside `root` (a last guard on every store path). */
export function insideStore(root: string, child: string): string {
  const base = path.resolve(root);
  const full = path.resolve(child);
  if (full !== base && !full.startsWith(base + path.sep)) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `${child} lies outside the model store ${base}; nothing was written or deleted there.`,
    );
  }
  return full;
}

let written = 0;

/**
 * A temp name beside `file`, unique in this process too: two writes of one key at once (two
 * loads recording the same revision) must not rename each other's temp file away.
 */
function tempBeside(file: string): string {
  return `${file}.${process.pid}.${++written}.tmp`;
}

export function nodeFileStore(root: string): FileStore {
  const at = (key: string) => insideStore(root, path.isAbsolute(key) ? key : path.join(root, key));
  return {
    where: root,
    read: async (key) =>
      readFile(at(key)).then(
        (b) => new Uint8Array(b),
        () => undefined,
      ),
    size: async (key) =>
      stat(at(key)).then(
        (s) => (s.isFile() ? s.size : undefined),
        () => undefined,
      ),
    async write(key, data) {
      const file = at(key);
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = tempBeside(file);
      const bytes = data instanceof Uint8Array ? data : new Uint8Array(await data.arrayBuffer());
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    },
    async writeStream(key, body) {
      const file = at(key);
      await mkdir(path.dirname(file), { recursive: true });
      const tmp = tempBeside(file);
      try {
        await pipeline(
          Readable.fromWeb(body as WebReadableStream<Uint8Array>),
          createWriteStream(tmp),
        );
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
      await rename(tmp, file);
    },
    async move(from, to) {
      const target = at(to);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(at(from), target);
    },
    delete: async (key) => rm(at(key), { force: true }),
  };
}
