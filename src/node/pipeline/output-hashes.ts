/**
 * Hashes of a pipeline step's outputs, recorded in its marker when it finishes and checked before
 * the step is skipped (`tokenskip mini`): an output deleted, truncated or edited since makes the
 * step run again instead of being trusted ("done already") and shipped.
 *
 *   const hashes = await hashOutputs('work/mini', ['base-onnx', 'compressed.jsonl']);
 *   const changed = await changedOutputs('work/mini', hashes); // [] when every file is as recorded
 *
 * Only the files present when the step finished are checked: a later step may add files to a
 * folder (the scorer step writes config.json into the scorer-vocab folder) without invalidating it.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from './manifest.ts';

/** Every file of a step's outputs, by path relative to the step folder: size and sha256. */
export type OutputHashes = Record<string, { bytes: number; sha256: string }>;

/** Hashes every file under `outputs` (files or folders, relative to `root`). */
export async function hashOutputs(root: string, outputs: readonly string[]): Promise<OutputHashes> {
  const hashes: OutputHashes = {};
  const visit = async (rel: string): Promise<void> => {
    const info = await stat(join(root, rel)).catch(() => undefined);
    if (info?.isDirectory()) {
      const names = (await readdir(join(root, rel))).sort();
      for (const name of names) await visit(`${rel}/${name}`);
    } else if (info?.isFile()) {
      hashes[rel] = { bytes: info.size, sha256: await sha256File(join(root, rel)) };
    }
  };
  for (const o of outputs) await visit(o.replace(/\/+$/, ''));
  return hashes;
}

/** The recorded files that are missing or no longer have their recorded size and sha256. */
export async function changedOutputs(root: string, recorded: OutputHashes): Promise<string[]> {
  const changed: string[] = [];
  for (const [rel, want] of Object.entries(recorded)) {
    const info = await stat(join(root, rel)).catch(() => undefined);
    if (
      !info?.isFile() ||
      info.size !== want.bytes ||
      (await sha256File(join(root, rel))) !== want.sha256
    ) {
      changed.push(rel);
    }
  }
  return changed;
}
