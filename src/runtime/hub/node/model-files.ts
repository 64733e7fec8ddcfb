/**
 * Model files for Node: a folder on disk, a model shipped in this repo (a registry entry with a
 * `path` source, src/core/models/registry.ts), or a hub model downloaded once into the local model
 * store (model-store.ts, the same store `tokenskip models pull` fills; downloads go through the one
 * helper, download.ts: streamed, resumable, checked before they count).
 *
 * Checks: against the registry's sha256 ("verified"); where it has none, the size and hash of the
 * first download are recorded next to the file (`<file>.sha256.json`, kept when the file is
 * deleted) and every later read or re-download must match ("hash recorded locally").
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { TokenSkipError } from '../../../core/errors.ts';
import {
  checkHash,
  sha256Hex,
  statusOf,
  weakestIntegrity,
  type IntegrityStatus,
} from '../file-integrity.ts';
import {
  findReferenceModel,
  findScorer,
  type OnnxModelRecord,
  type OnnxVariant,
  type ScorerManifestEntry,
} from '../../../core/models/registry.ts';
import { manifestFile } from '../model-manifest.ts';
import type { ReadModelFile } from '../../scorers/scorer-loader.ts';
import {
  ensureFile,
  expectedHash,
  hubHeaders,
  hubHost,
  nodeRegistry,
  registryRoot,
  repoRoot,
  storeDir,
  writeRecorded,
} from './model-store.ts';

export { repoRoot };

export interface ResolvedModel {
  id: string;
  variant: OnnxVariant;
  readFile: ReadModelFile;
  /** How the files read so far were checked (hub models; folders are `unchecked`). */
  integrity: () => IntegrityStatus;
}

function readFromFolder(folder: string, id: string): ReadModelFile {
  return async (file) => {
    const full = path.join(folder, file);
    if (!existsSync(full)) {
      throw new TokenSkipError(
        'MODEL_FILE_MISSING',
        `${id}: missing file ${file} in ${folder}. A scorer folder needs config.json, tokenizer.json, tokenizer_config.json and onnx/model.onnx.`,
      );
    }
    return new Uint8Array(await readFile(full));
  };
}

/**
 * Reads a hub model's files through the local store (model-store.ts), downloading (and checking)
 * what is missing; every read re-checks the file against the registry or the recorded hash, and a
 * file that fails is deleted so the next run downloads it afresh.
 */
export function createHubReader(
  entry: ScorerManifestEntry | OnnxModelRecord,
  hub?: string,
  cacheRoot = storeDir(),
  onChecked?: (file: string, status: IntegrityStatus) => void,
): ReadModelFile {
  if (entry.source.type !== 'hub')
    throw new TokenSkipError('INVALID_ARGUMENT', `${entry.id} is not a hub model.`);
  return async (file) => {
    const { local } = await ensureFile(entry, file, {
      dir: cacheRoot,
      hub: hub ?? hubHost(),
      headers: hubHeaders(),
    });
    const where = `${entry.id}/${file}`;
    const data = new Uint8Array(await readFile(local));
    const expected = await expectedHash(entry, file, local);
    const actual = { size: data.byteLength, sha256: await sha256Hex(data) };
    try {
      // Downloaded before hashes were recorded: record it now.
      if (!expected) await writeRecorded(local, actual);
      else checkHash(actual, expected.hash, `${where} (cached at ${local})`, expected.source);
    } catch (error) {
      await rm(local, { force: true }); // never trust it again; the next run downloads afresh
      throw error;
    }
    onChecked?.(file, expected ? statusOf(expected) : 'recorded');
    return data;
  };
}

type OnnxEntry = ScorerManifestEntry | OnnxModelRecord;

/** A shipped model file checked against the registry; a mismatch names the file and the entry. */
async function checkShipped(
  entry: OnnxEntry,
  shown: string,
  file: string,
  data: Uint8Array,
): Promise<Uint8Array> {
  const expected = manifestFile(entry, file);
  if (!expected?.sha256) return data;
  const actual = { size: data.byteLength, sha256: await sha256Hex(data) };
  if (actual.size !== expected.size || actual.sha256 !== expected.sha256) {
    throw new TokenSkipError(
      'MODEL_FILE_CORRUPT',
      `${shown} has ${actual.size} bytes, sha256 ${actual.sha256.slice(0, 12)}…; models/manifest.json (${entry.id}) records ${expected.size} bytes, ${expected.sha256.slice(0, 12)}…: the file was changed or is corrupt. Restore it (git checkout, or regenerate the fixture) or give another model.`,
    );
  }
  return data;
}

/** The registry entry whose shipped folder is `folder` (same real path), if any. */
function knownFolder(folder: string): OnnxEntry | undefined {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const target = real(folder);
  const root = registryRoot();
  return nodeRegistry().find(
    (e): e is OnnxEntry =>
      (e.kind === 'token-classifier' || (e.kind === 'causal-lm' && e.engine === 'onnx')) &&
      e.source.type === 'path' &&
      real(path.join(root, e.source.path)) === target,
  );
}

/**
 * `spec` is a model folder (config.json, tokenizer files and onnx/) or a registry id: of a scorer
 * (`kind: 'scorer'`, the default) or of an ONNX causal LM (`kind: 'causal'`, CTS reference models).
 */
export function resolveModel(
  spec: string,
  options: { onnxFile?: string; hubHost?: string; kind?: 'scorer' | 'causal' } = {},
): ResolvedModel {
  if (existsSync(spec) && statSync(spec).isDirectory()) {
    const folder = path.resolve(spec);
    const file = options.onnxFile ?? 'onnx/model.onnx';
    const dataFile = `${file}_data`;
    const variant: OnnxVariant = {
      file,
      dtype: 'fp32',
      ...(existsSync(path.join(folder, dataFile)) ? { externalData: [dataFile] } : {}),
    };
    const read = readFromFolder(folder, path.basename(folder));
    const known = knownFolder(folder);
    if (known) {
      // A folder the registry lists (e.g. --model models/mini/scorer): its files must match.
      return {
        id: path.basename(folder),
        variant,
        readFile: async (file) =>
          checkShipped(known, path.join(spec, file), file, await read(file)),
        integrity: () => 'verified',
      };
    }
    return { id: path.basename(folder), variant, readFile: read, integrity: () => 'unchecked' };
  }
  const models = nodeRegistry();
  const entry =
    options.kind === 'causal' ? findReferenceModel(spec, models) : findScorer(spec, models);
  const variant = options.onnxFile
    ? { ...entry.onnx.node, file: options.onnxFile }
    : entry.onnx.node;
  if (entry.source.type === 'path') {
    const shipped = entry.source.path;
    const read = readFromFolder(path.join(registryRoot(), shipped), entry.id);
    return {
      id: entry.id,
      variant,
      readFile: async (file) =>
        checkShipped(entry, path.join(shipped, file), file, await read(file)),
      integrity: () => 'verified',
    };
  }
  const statuses: IntegrityStatus[] = [];
  return {
    id: entry.id,
    variant,
    readFile: createHubReader(entry, options.hubHost, storeDir(), (_file, status) =>
      statuses.push(status),
    ),
    integrity: () => weakestIntegrity(statuses),
  };
}
