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
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { TokenSkipError } from '../../../core/errors.ts';
import {
  INTEGRITY_LABEL,
  sha256Hex,
  weakestIntegrity,
  type IntegrityStatus,
} from '../file-integrity.ts';
import {
  variantFiles,
  type ModelEntry,
  type OnnxModelRecord,
  type OnnxVariant,
  type ScorerManifestEntry,
} from '../../../core/models/registry.ts';
import { manifestFile } from '../model-manifest.ts';
import type { ReadModelFile } from '../../scorers/scorer-loader.ts';
import {
  ensureFiles,
  hubHeaders,
  hubHost,
  nodeRegistry,
  planStoreFiles,
  registryRoot,
  repoRoot,
  storeDir,
} from './model-store.ts';

export { repoRoot };
/** How files were checked, for the loaders' reports (file-integrity.ts). */
export { INTEGRITY_LABEL, type IntegrityStatus };

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
 * Reads a hub model's files one at a time through the local store (model-store.ts), downloading
 * (and checking) what is missing; every read re-checks the file against the registry or the
 * recorded hash, and a file that fails is deleted so the next run downloads it afresh. Loaders
 * use `openModel` (all files planned and fetched in one pass); this serves a single file.
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
    const options = { dir: cacheRoot, hub: hub ?? hubHost(), headers: hubHeaders() };
    const plan = await planStoreFiles(entry, [file], options);
    const [read] = await ensureFiles(plan, { ...options, read: true });
    onChecked?.(file, read!.status);
    return read!.data!;
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
function knownFolder(folder: string, hub: NodeHub): OnnxEntry | undefined {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const target = real(folder);
  return hub.registry.find(
    (e): e is OnnxEntry =>
      (e.kind === 'token-classifier' || (e.kind === 'causal-lm' && e.engine === 'onnx')) &&
      e.source.type === 'path' &&
      real(path.join(hub.root, e.source.path)) === target,
  );
}

/** What the Node loaders need of the hub, read from the environment once (model-store.ts). */
export interface NodeHub {
  /** TOKENSKIP_REGISTRY's entries, else the shipped registry. */
  registry: readonly ModelEntry[];
  /** The folder the registry's `path` sources are relative to. */
  root: string;
  /** The model store (`TOKENSKIP_CACHE`, else ~/.cache/tokenskip/models). */
  dir: string;
  /** HF_ENDPOINT, else TOKENSKIP_HUB_HOST, else the hub (or the caller's). */
  hubHost: string;
}

export function nodeHub(options: { hubHost?: string | undefined } = {}): NodeHub {
  return {
    registry: nodeRegistry(),
    root: registryRoot(),
    dir: storeDir(),
    hubHost: options.hubHost ?? hubHost(),
  };
}

export interface OpenedModel {
  id: string;
  variant: OnnxVariant;
  /** The files read (and checked) when the model was opened; no further I/O. */
  readFile: ReadModelFile;
  /** How the files were checked (a folder not in the registry: `unchecked`). */
  integrity: IntegrityStatus;
}

/**
 * The files a loader of `kind` reads (transformers.js layout). A causal LM's JSON files are
 * optional here: its loader names a missing one and what it is for (causal-scorer-loader.ts).
 */
function layoutFiles(kind: 'scorer' | 'causal', variant: OnnxVariant) {
  return {
    files: variantFiles(variant),
    optional: kind === 'causal' ? ['config.json', 'tokenizer.json', 'tokenizer_config.json'] : [],
  };
}

/** Reads every file at once; a file that cannot be read throws its own error when it is asked for. */
async function readAll(files: string[], read: ReadModelFile): Promise<ReadModelFile> {
  const results = new Map(
    await Promise.all(
      files.map(
        async (f) =>
          [
            f,
            await read(f).then(
              (data) => ({ data }),
              (error: unknown) => ({ error }),
            ),
          ] as const,
      ),
    ),
  );
  return async (file) => {
    const result = results.get(file) ?? { error: await read(file).catch((e: unknown) => e) };
    if ('data' in result && result.data) return result.data;
    throw (result as { error: unknown }).error;
  };
}

/**
 * A loader's one call into the hub: the settings and registry read from the environment, `spec`
 * taken as a model folder when one exists at that path and otherwise looked up as a registry id
 * by `find` (the loader's look-up in core/models: findScorer, findReferenceModel), then the model
 * opened in one pass (openModel). So a loader enters this folder once, not once for the registry
 * and again for the files.
 */
export async function openModelSpec(
  spec: string,
  request: {
    kind: 'scorer' | 'causal';
    onnxFile?: string | undefined;
    hubHost?: string | undefined;
    find: (id: string, registry: readonly ModelEntry[]) => OnnxEntry;
  },
): Promise<OpenedModel> {
  const hub = nodeHub({ hubHost: request.hubHost });
  const target = isModelFolder(spec)
    ? { folder: spec }
    : { entry: request.find(spec, hub.registry) };
  return openModel(target, { kind: request.kind, onnxFile: request.onnxFile }, hub);
}

/** A model folder given as a path (else a spec is a registry id). */
export function isModelFolder(spec: string): boolean {
  return existsSync(spec) && statSync(spec).isDirectory();
}

/**
 * Opens a model for the Node loaders in one pass, before any session is created:
 *
 * - a folder (config.json, tokenizer files and onnx/): its files read; one the registry ships
 *   (e.g. `--model models/mini/scorer`) must match the registry;
 * - a registry entry shipped in this repo (`path` source): read and checked against the registry;
 * - a hub entry: planned (revision, URLs, expected hashes: model-plan.ts), then every file fetched
 *   into the local store, checked and read (model-store.ts `ensureFiles`).
 *
 * The bytes come back whole; `readFile` only hands them out.
 */
export async function openModel(
  target: { folder: string } | { entry: OnnxEntry },
  request: { kind: 'scorer' | 'causal'; onnxFile?: string | undefined },
  hub: NodeHub,
): Promise<OpenedModel> {
  if ('folder' in target) {
    const folder = path.resolve(target.folder);
    const file = request.onnxFile ?? 'onnx/model.onnx';
    const dataFile = `${file}_data`;
    const variant: OnnxVariant = {
      file,
      dtype: 'fp32',
      ...(existsSync(path.join(folder, dataFile)) ? { externalData: [dataFile] } : {}),
    };
    const id = path.basename(folder);
    const read = readFromFolder(folder, id);
    const known = knownFolder(folder, hub);
    const { files } = layoutFiles(request.kind, variant);
    return {
      id,
      variant,
      // A folder the registry lists (e.g. --model models/mini/scorer): its files must match.
      readFile: await readAll(
        files,
        known
          ? async (f) => checkShipped(known, path.join(target.folder, f), f, await read(f))
          : read,
      ),
      integrity: known ? 'verified' : 'unchecked',
    };
  }
  const { entry } = target;
  const variant = request.onnxFile
    ? { ...entry.onnx.node, file: request.onnxFile }
    : entry.onnx.node;
  const { files, optional } = layoutFiles(request.kind, variant);
  if (entry.source.type === 'path') {
    const shipped = entry.source.path;
    const read = readFromFolder(path.join(hub.root, shipped), entry.id);
    return {
      id: entry.id,
      variant,
      readFile: await readAll(files, async (f) =>
        checkShipped(entry, path.join(shipped, f), f, await read(f)),
      ),
      integrity: 'verified',
    };
  }
  const options = { dir: hub.dir, hub: hub.hubHost };
  const plan = await planStoreFiles(entry, files, options);
  const ensured = await ensureFiles(plan, { ...options, read: true, optional });
  const bytes = new Map(ensured.map((f) => [f.path, f.data!]));
  return {
    id: entry.id,
    variant,
    readFile: async (file) => {
      const data = bytes.get(file);
      if (data) return data;
      throw new TokenSkipError(
        'MODEL_FILE_MISSING',
        `${entry.id}: ${file} is not on the hub at ${plan.revision} (HTTP 404).`,
      );
    },
    integrity: weakestIntegrity(ensured.map((f) => f.status)),
  };
}
