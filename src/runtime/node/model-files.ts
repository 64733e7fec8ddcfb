/**
 * Model files for Node: a folder on disk, a fixture named in `models/manifest.json`, or a hub model
 * downloaded once into a local cache. Downloads go to a temporary file that is verified and then
 * renamed, so an interrupted or corrupt download never leaves a file the next run would trust.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TokenSkipError } from '../../core/errors.ts';
import { verifyFile } from '../file-integrity.ts';
import {
  fileUrl,
  findScorer,
  manifestFile,
  type ModelManifest,
  type OnnxVariant,
  type ScorerManifestEntry,
} from '../model-manifest.ts';
import type { ReadModelFile } from '../scorer-loader.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function readManifest(): ModelManifest {
  return JSON.parse(
    readFileSync(path.join(repoRoot, 'models/manifest.json'), 'utf8'),
  ) as ModelManifest;
}

export function cacheDir(): string {
  return process.env.TOKENSKIP_CACHE ?? path.join(os.homedir(), '.cache', 'tokenskip', 'models');
}

export interface ResolvedModel {
  id: string;
  variant: OnnxVariant;
  readFile: ReadModelFile;
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

async function download(
  url: string,
  target: string,
  expected: ReturnType<typeof manifestFile>,
  where: string,
): Promise<void> {
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
  if (!response.ok) {
    throw new TokenSkipError(
      'DOWNLOAD_FAILED',
      `Downloading ${where} from ${url} failed: HTTP ${response.status}.`,
    );
  }
  const data = new Uint8Array(await response.arrayBuffer());
  await verifyFile(data, expected, where);
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.download`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, target);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Reads a hub model's files through the local cache, downloading (and verifying) what is missing. */
export function createHubReader(
  entry: ScorerManifestEntry,
  hubHost?: string,
  cacheRoot = cacheDir(),
): ReadModelFile {
  const source = entry.source;
  if (source.type !== 'hub')
    throw new TokenSkipError('INVALID_ARGUMENT', `${entry.id} is not a hub model.`);
  const root = path.join(cacheRoot, source.repo, source.revision);
  return async (file) => {
    const target = path.join(root, file);
    const expected = manifestFile(entry, file);
    if (!existsSync(target)) {
      await download(
        fileUrl(entry, file, { appBase: 'file:///', hubHost }),
        target,
        expected,
        `${entry.id}/${file}`,
      );
    }
    const data = new Uint8Array(await readFile(target));
    try {
      await verifyFile(data, expected, `${entry.id}/${file} (cached at ${target})`);
    } catch (error) {
      await rm(target, { force: true }); // never trust it again; the next run downloads afresh
      throw error;
    }
    return data;
  };
}

/** `spec` is a manifest id or a model folder (with config.json, tokenizer files and onnx/). */
export function resolveModel(
  spec: string,
  options: { onnxFile?: string; hubHost?: string } = {},
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
    };
  }
  const entry = findScorer(readManifest(), spec);
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
    };
  }
  return {
    id: entry.id,
    variant,
    readFile: createHubReader(entry, options.hubHost ?? process.env.TOKENSKIP_HUB_HOST),
  };
}
