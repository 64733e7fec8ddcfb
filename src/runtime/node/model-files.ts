/**
 * Model files for Node: a folder on disk, a model shipped in this repo (a registry entry with a
 * `path` source, src/core/models/registry.ts), or a hub model downloaded once into a local cache. Downloads stream to a temporary file (hashed on the way) that
 * is checked and then renamed, so an interrupted or corrupt download never leaves a file the next
 * run would trust.
 *
 * Checks: against the manifest's sha256 ("verified"); where the manifest has none, the size and
 * hash of the first download are recorded next to the file (`<file>.sha256.json`, kept when the
 * file is deleted) and every later read or re-download must match ("hash recorded locally").
 */
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TokenSkipError } from '../../core/errors.ts';
import {
  checkHash,
  sha256Hex,
  verifyFile,
  weakestIntegrity,
  type FileHash,
  type IntegrityStatus,
} from '../models/file-integrity.ts';
import {
  findReferenceModel,
  findScorer,
  type OnnxModelRecord,
  type OnnxVariant,
  type ScorerManifestEntry,
} from '../../core/models/registry.ts';
import {
  fileUrl,
  manifestFile,
  resolveRevision,
  type RevisionStore,
} from '../models/model-manifest.ts';
import type { ReadModelFile } from '../scorers/scorer-loader.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function cacheDir(): string {
  return process.env.TOKENSKIP_CACHE ?? path.join(os.homedir(), '.cache', 'tokenskip', 'models');
}

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

/** Streams `url` into `target` through a temporary file; returns the size and hash it saw. */
async function download(url: string, target: string, where: string): Promise<FileHash> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new TokenSkipError(
      'DOWNLOAD_FAILED',
      `Could not download ${where} from ${url}: ${(error as Error).message}. Check the network, or pass a local model folder with --model.`,
      { cause: error },
    );
  }
  if (!response.ok || !response.body) {
    throw new TokenSkipError(
      'DOWNLOAD_FAILED',
      `Downloading ${where} from ${url} failed: HTTP ${response.status}.`,
    );
  }
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.download`;
  const sha = createHash('sha256');
  let size = 0;
  try {
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          sha.update(chunk);
          size += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(tmp),
    );
    return { size, sha256: sha.digest('hex') };
  } catch (error) {
    await rm(tmp, { force: true });
    throw new TokenSkipError(
      'DOWNLOAD_FAILED',
      `Downloading ${where} from ${url} was interrupted: ${(error as Error).message}.`,
      { cause: error },
    );
  }
}

const recordPath = (target: string) => `${target}.sha256.json`;

function readRecorded(target: string): FileHash | undefined {
  try {
    const v = JSON.parse(readFileSync(recordPath(target), 'utf8')) as FileHash;
    return typeof v.sha256 === 'string' && typeof v.size === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a hub model's files through the local cache, downloading (and checking) what is missing. */
export function createHubReader(
  entry: ScorerManifestEntry | OnnxModelRecord,
  hubHost?: string,
  cacheRoot = cacheDir(),
  onChecked?: (file: string, status: IntegrityStatus) => void,
): ReadModelFile {
  const source = entry.source;
  if (source.type !== 'hub')
    throw new TokenSkipError('INVALID_ARGUMENT', `${entry.id} is not a hub model.`);
  let revision: Promise<string> | undefined;
  const store: RevisionStore = {
    get: async (repo) => {
      try {
        return (
          JSON.parse(readFileSync(path.join(cacheRoot, repo, 'revision.json'), 'utf8')) as {
            revision?: string;
          }
        ).revision;
      } catch {
        return undefined;
      }
    },
    set: async (repo, rev) => {
      await mkdir(path.join(cacheRoot, repo), { recursive: true });
      await writeFile(
        path.join(cacheRoot, repo, 'revision.json'),
        `${JSON.stringify({ revision: rev })}\n`,
      );
    },
  };
  return async (file) => {
    revision ??= resolveRevision(entry, store, hubHost).catch((error: unknown) => {
      revision = undefined;
      throw error;
    });
    const rev = await revision;
    const root = path.join(cacheRoot, source.repo, rev);
    const target = path.join(root, file);
    const where = `${entry.id}/${file}`;
    const manifest = manifestFile(entry, file);
    const want = (): { hash: FileHash; source: 'manifest' | 'recorded' } | undefined => {
      if (manifest?.sha256)
        return { hash: { size: manifest.size, sha256: manifest.sha256 }, source: 'manifest' };
      const recorded = readRecorded(target);
      return recorded ? { hash: recorded, source: 'recorded' } : undefined;
    };
    if (!existsSync(target)) {
      const url = fileUrl(entry, file, {
        appBase: 'file:///',
        revision: rev,
        ...(hubHost ? { hubHost } : {}),
      });
      const tmp = `${target}.${process.pid}.download`;
      const actual = await download(url, target, where);
      const expected = want();
      try {
        if (expected) checkHash(actual, expected.hash, where, expected.source);
        else await writeFile(recordPath(target), `${JSON.stringify(actual)}\n`);
        await rename(tmp, target);
      } finally {
        await rm(tmp, { force: true });
      }
    }
    const data = new Uint8Array(await readFile(target));
    const expected = want();
    try {
      if (!expected) {
        // Downloaded before hashes were recorded: record it now.
        const hash = { size: data.byteLength, sha256: await sha256Hex(data) };
        await writeFile(recordPath(target), `${JSON.stringify(hash)}\n`);
      } else {
        checkHash(
          { size: data.byteLength, sha256: await sha256Hex(data) },
          expected.hash,
          `${where} (cached at ${target})`,
          expected.source,
        );
      }
    } catch (error) {
      await rm(target, { force: true }); // never trust it again; the next run downloads afresh
      throw error;
    }
    onChecked?.(file, expected?.source === 'manifest' ? 'verified' : 'recorded');
    return data;
  };
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
    return {
      id: path.basename(folder),
      variant,
      readFile: readFromFolder(folder, path.basename(folder)),
      integrity: () => 'unchecked',
    };
  }
  const entry = options.kind === 'causal' ? findReferenceModel(spec) : findScorer(spec);
  const variant = options.onnxFile
    ? { ...entry.onnx.node, file: options.onnxFile }
    : entry.onnx.node;
  if (entry.source.type === 'path') {
    const folder = path.join(repoRoot, entry.source.path);
    const read = readFromFolder(folder, entry.id);
    return {
      id: entry.id,
      variant,
      readFile: async (file) => {
        const data = await read(file);
        await verifyFile(data, manifestFile(entry, file), `${entry.id}/${file}`);
        return data;
      },
      integrity: () => 'verified',
    };
  }
  const statuses: IntegrityStatus[] = [];
  return {
    id: entry.id,
    variant,
    readFile: createHubReader(
      entry,
      options.hubHost ?? process.env.TOKENSKIP_HUB_HOST,
      cacheDir(),
      (_file, status) => statuses.push(status),
    ),
    integrity: () => weakestIntegrity(statuses),
  };
}
