/**
 * The file-store interface (hub/file-store.ts) on a folder of the file system: keys are paths
 * inside `root`, each checked to stay inside it (`insideStore`); writes go to a temp file beside
 * the target and are renamed onto it, so a record is never half-written.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
      const tmp = `${file}.${process.pid}.tmp`;
      const bytes = data instanceof Uint8Array ? data : new Uint8Array(await data.arrayBuffer());
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    },
    delete: async (key) => rm(at(key), { force: true }),
  };
}
