/**
 * Manifests beside every pipeline output: inputs with sha256, settings, tool versions.
 *
 *   await writeManifest(manifestPathFor('build/train.jsonl'), { command: 'build', inputs: [...], ... });
 *
 * A step is "up to date" when its manifest names the same inputs (same hashes) and settings AND
 * every output it lists is still there with the recorded size and sha256, which is how
 * build/merge/export skip work on a re-run and how a run can be audited later. Checking the
 * outputs catches what the inputs cannot: an output deleted, truncated, or rewritten by a later
 * run that was killed before it wrote its own manifest (a train.jsonl from another seed beside the
 * manifest of this one would leak validation ids into training). A rebuild also removes the old
 * manifest before it writes anything (`invalidate`), so a crash mid-way never leaves a manifest
 * describing outputs that were half replaced.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { TokenSkipError } from '../../core/errors.ts';
import { writeSummary } from '../args.ts';
import { writeFileAtomic } from '../output.ts';

export interface FileDigest {
  path: string;
  /** An output's path relative to the manifest's folder (checked on re-runs wherever they run from). */
  file?: string;
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
  const base = dirname(path);
  const outputs = m.outputs.map((d) => ({ ...d, file: relative(base, d.path) }));
  const full: Manifest = { ...m, outputs, created: new Date().toISOString() };
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

/** Removes a step's manifest before its outputs are rewritten (see the top of this file). */
export async function invalidate(manifestPath: string): Promise<void> {
  await rm(manifestPath, { force: true });
}

/**
 * Why the run recorded at `manifestPath` does not stand for one with these inputs and settings
 * ('no manifest', 'other inputs or settings', or — with `output` set — which output is missing
 * or changed), or undefined when it is up to date.
 */
export async function staleReason(
  manifestPath: string,
  inputs: FileDigest[],
  settings: Record<string, unknown>,
): Promise<{ why: string; output?: boolean } | undefined> {
  const prev = await readManifest(manifestPath);
  if (!prev) return { why: 'no manifest' };
  const key = (d: FileDigest[]) => d.map((x) => x.sha256).join(',');
  if (
    !Array.isArray(prev.inputs) ||
    key(prev.inputs) !== key(inputs) ||
    JSON.stringify(prev.settings) !== JSON.stringify(settings)
  ) {
    return { why: 'other inputs or settings' };
  }
  if (!Array.isArray(prev.outputs) || prev.outputs.length === 0) {
    return { why: 'no outputs recorded' };
  }
  for (const d of prev.outputs) {
    const path = d.file !== undefined ? join(dirname(manifestPath), d.file) : d.path;
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return { why: `${path} is missing`, output: true };
    if (info.size !== d.bytes || (await sha256File(path)) !== d.sha256) {
      return {
        why: `${path} is not the file its manifest records (size or sha256 differ)`,
        output: true,
      };
    }
  }
  return undefined;
}

/**
 * A pipeline step's "is it up to date?" for a folder output: false when its manifest stands for
 * these inputs, settings and outputs; otherwise says why on stderr (when an output changed),
 * removes the stale manifest (so a killed run cannot leave it behind) and returns true.
 */
export async function mustRun(
  step: { command: string; redo: string; out: string; force?: boolean | undefined },
  inputs: FileDigest[],
  settings: Record<string, unknown>,
  stderr: NodeJS.WritableStream,
): Promise<boolean> {
  const manifestPath = manifestPathFor(step.out, true);
  const stale = step.force ? { why: '--force' } : await staleReason(manifestPath, inputs, settings);
  if (!stale) return false;
  if ('output' in stale) stderr.write(`${step.command}: ${step.redo} ${step.out}: ${stale.why}.\n`);
  await invalidate(manifestPath);
  return true;
}

/**
 * `mustRun` for a command whose whole work is one folder output (`export`, `merge`): when it is up
 * to date, says so (with `--json`, the summary `{ out, upToDate: true }`) and returns false.
 */
export async function mustRunCommand(
  command: string,
  again: string,
  values: { out: string; force?: boolean | undefined; json: boolean },
  digests: { inputs: FileDigest[]; settings: Record<string, unknown> },
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<boolean> {
  const { out, force } = values;
  const step = { command, redo: 'redoing', out, force };
  if (await mustRun(step, digests.inputs, digests.settings, io.stderr)) return true;
  writeSummary(io, values.json, `${command}: ${out} is up to date; --force ${again}.`, {
    out,
    upToDate: true,
  });
  return false;
}
