/**
 * Manifests beside every pipeline output: inputs with sha256, settings, tool versions.
 *
 *   await writeManifest(manifestPathFor('build/train.jsonl'), { command: 'build', inputs: [...], ... });
 *
 * A step is "up to date" when its manifest names the same inputs (same hashes) and settings, which
 * is how build/merge/export skip work on a re-run and how a run can be audited later.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TokenSkipError } from '../../core/errors.ts';
import { writeFileAtomic } from '../output.ts';

export interface FileDigest {
  path: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  command: string;
  created: string;
  inputs: FileDigest[];
  settings: Record<string, unknown>;
  outputs: FileDigest[];
  versions: Record<string, string>;
  /** Free-form results (counts, losses, timings). */
  results?: Record<string, unknown>;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function digest(path: string): Promise<FileDigest> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new TokenSkipError('MODEL_FILE_MISSING', `${path} does not exist; check the path.`);
  }
  return { path, bytes: info.size, sha256: await sha256File(path) };
}

/**
 * Writes a file atomically, creating its folder: the CLI's one atomic writer (../output.ts), so a
 * crash or a full disk never leaves half a file and the error says what happened.
 */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await writeFileAtomic(path, data, { mkdirs: true });
}

export function manifestPathFor(output: string, isDir = false): string {
  return isDir ? join(output, 'manifest.json') : `${output}.manifest.json`;
}

export function baseVersions(): Record<string, string> {
  return { node: process.version, tokenskip: '0.1.0' };
}

export async function writeManifest(path: string, m: Omit<Manifest, 'created'>): Promise<Manifest> {
  const full: Manifest = { ...m, created: new Date().toISOString() };
  await writeAtomic(path, `${JSON.stringify(full, null, 2)}\n`);
  return full;
}

export async function readManifest(path: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** True when a previous run used exactly these inputs (by hash) and settings. */
export function sameRun(
  prev: Manifest | undefined,
  inputs: FileDigest[],
  settings: Record<string, unknown>,
): boolean {
  if (!prev) return false;
  const key = (d: FileDigest[]) => d.map((x) => x.sha256).join(',');
  return (
    key(prev.inputs) === key(inputs) && JSON.stringify(prev.settings) === JSON.stringify(settings)
  );
}
