/**
 * The local model store of the CLI and the Node runtime: where registry models from the hub are
 * downloaded to, and what is there. Layout (the hub's own, so a store can be copied or mirrored):
 *
 *   <dir>/<repo>/revision.json              the commit an unpinned entry was first resolved to
 *   <dir>/<repo>/<revision>/<file>          a complete, checked file
 *   <dir>/<repo>/<revision>/<file>.sha256.json   size + sha256 recorded at the first download of a
 *                                           file the registry has no sha256 for (kept by `rm`)
 *   <file>.partial, <file>.partial.json, <file>.lock   an unfinished download (download.ts)
 *
 * `<dir>`: `--dir`, else TOKENSKIP_CACHE, else ~/.cache/tokenskip/models. The hub is HF_ENDPOINT
 * (else TOKENSKIP_HUB_HOST, else https://huggingface.co); HF_TOKEN goes in an Authorization header.
 * Models shipped in this repo (`path` sources) are "bundled": always present, never downloaded.
 * TOKENSKIP_REGISTRY names a file in the models/manifest.json format to use instead of the shipped
 * registry (a mirror's own list, or a test's).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TokenSkipError } from '../../../core/errors.ts';
import { MODELS, type ModelEntry, type ModelManifest } from '../../../core/models/registry.ts';
import {
  checkHash,
  sha256Hex,
  statusOf,
  weakestIntegrity,
  type ExpectedHash,
  type FileHash,
  type IntegrityStatus,
  type RecordedHash,
} from '../file-integrity.ts';
import { checkFilePath, checkRepo, checkRevision } from '../paths.ts';
import { forgetListings } from '../hub-listing.ts';
import { hubAuthHeaders, hubSettingsFromEnv, type HubSettings } from '../settings.ts';
import { manifestFile, resolveRevision, type RevisionStore } from '../model-manifest.ts';
import { planModel, type ModelPlan } from '../model-plan.ts';
import { downloadFile, partialPath, type DownloadProgress } from './download.ts';
import { insideStore, nodeFileStore } from './fs-store.ts';
import { hashRecords, revisionRecords } from '../file-store.ts';

export { insideStore };

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The registry the CLI and the Node runtime use: TOKENSKIP_REGISTRY's file, else the shipped one. */
export function nodeRegistry(env: NodeJS.ProcessEnv = process.env): readonly ModelEntry[] {
  const file = env.TOKENSKIP_REGISTRY;
  if (!file) return MODELS;
  let parsed: Partial<ModelManifest>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<ModelManifest>;
  } catch (error) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `TOKENSKIP_REGISTRY=${file} could not be read as JSON (${(error as Error).message}); point it at a file in the models/manifest.json format, or unset it.`,
    );
  }
  if (parsed.version !== 2 || !Array.isArray(parsed.models)) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `TOKENSKIP_REGISTRY=${file} is not a version 2 registry ({"version": 2, "models": [...]}, the models/manifest.json format).`,
    );
  }
  for (const entry of parsed.models) checkEntryPaths(entry, `TOKENSKIP_REGISTRY=${file}`);
  return parsed.models;
}

/**
 * Every path of an entry that becomes part of a file name (repo, revision, files, ONNX graphs and
 * external data) is checked (paths.ts): a registry cannot make `pull` write, nor `rm` delete,
 * outside the store.
 */
export function checkEntryPaths(entry: ModelEntry, registry: string): void {
  const where = `${registry}: entry ${JSON.stringify((entry as { id?: unknown }).id)}`;
  const { source } = entry;
  if (source?.type === 'hub') {
    checkRepo(source.repo, where);
    if (source.revision !== undefined) checkRevision(source.revision, where);
  }
  for (const f of Array.isArray(entry.files) ? entry.files : []) checkFilePath(f?.path, where);
  if ('onnx' in entry && entry.onnx && typeof entry.onnx === 'object') {
    for (const variant of Object.values(entry.onnx)) {
      for (const v of [variant, variant?.fp16]) {
        if (!v) continue;
        checkFilePath(v.file, where);
        for (const extra of v.externalData ?? []) checkFilePath(extra, where);
      }
    }
  }
}

/**
 * The folder `path` sources are relative to: the repository for the shipped registry; for a
 * TOKENSKIP_REGISTRY file, the folder above its folder (the same `models/manifest.json` layout).
 */
export function registryRoot(env: NodeJS.ProcessEnv = process.env): string {
  const file = env.TOKENSKIP_REGISTRY;
  return file ? path.dirname(path.dirname(path.resolve(file))) : repoRoot;
}

/** The hub settings of this process, read from the environment (settings.ts). */
export function nodeHubSettings(env: NodeJS.ProcessEnv = process.env): HubSettings {
  try {
    return hubSettingsFromEnv(env, path.join(os.homedir(), '.cache', 'tokenskip', 'models'));
  } catch (error) {
    throw new TokenSkipError('INVALID_ARGUMENT', (error as Error).message);
  }
}

export function storeDir(override?: string): string {
  return override ?? process.env.TOKENSKIP_CACHE ?? nodeHubSettings().cacheDir!;
}

/** HF_ENDPOINT (the hub's own variable for a mirror), else TOKENSKIP_HUB_HOST, else the hub. */
export function hubHost(env: NodeJS.ProcessEnv = process.env): string {
  return nodeHubSettings(env).host;
}

/** Headers for hub requests: HF_TOKEN as a bearer token (gated repos). Never printed. */
export function hubHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return hubAuthHeaders(nodeHubSettings(env));
}

/** Resolved revisions, one `revision.json` per repo in the store (file-store.ts, as in the browser). */
export function fileRevisionStore(dir: string): RevisionStore {
  return revisionRecords(nodeFileStore(dir), (repo) => path.join(repo, 'revision.json'));
}

const recordPath = (file: string) => `${file}.sha256.json`;

/** The hash records beside the files of one folder (file-store.ts, as in the browser). */
const recordsBeside = (file: string) =>
  hashRecords(nodeFileStore(path.dirname(file)), (f) => recordPath(path.basename(f)));

export async function readRecorded(file: string): Promise<RecordedHash | undefined> {
  return recordsBeside(file).get(file);
}

/** Records a file's size and sha256; `from: 'hub'` when its bytes were checked against the hub. */
export async function writeRecorded(file: string, hash: RecordedHash): Promise<void> {
  await recordsBeside(file).set(file, hash);
}

/** The size and hash a file must have: the registry's, else the one recorded at first download. */
export async function expectedHash(
  entry: ModelEntry,
  file: string,
  local: string,
): Promise<ExpectedHash | undefined> {
  const listed = manifestFile(entry, file);
  if (listed?.sha256)
    return { hash: { size: listed.size, sha256: listed.sha256 }, source: 'manifest' };
  const recorded = await readRecorded(local);
  if (!recorded) return undefined;
  return {
    hash: { size: recorded.size, sha256: recorded.sha256 },
    source: 'recorded',
    ...(recorded.from === 'hub' ? { fromHub: true } : {}),
  };
}

/** A file's size and sha256, read as a stream (files can be larger than one buffer). */
export async function hashFile(file: string): Promise<FileHash> {
  const sha = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    sha.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: sha.digest('hex') };
}

/**
 * The folder holding an entry's files: the repo folder for bundled models; for hub models the
 * store folder of its revision (resolved, or `undefined` when not resolved yet and `resolve` is
 * false). WebLLM / served models have no folder here.
 */
export async function modelFolder(
  entry: ModelEntry,
  options: { dir?: string; resolve?: boolean; hub?: string; headers?: Record<string, string> } = {},
): Promise<string | undefined> {
  const { source } = entry;
  if (source.type === 'path') return path.join(registryRoot(), source.path);
  if (source.type !== 'hub') return undefined;
  const dir = storeDir(options.dir);
  const store = fileRevisionStore(dir);
  const revision =
    source.revision ??
    (options.resolve
      ? await resolveRevision(
          entry,
          store,
          options.hub ?? hubHost(),
          options.headers ?? hubHeaders(),
        )
      : await store.get(source.repo));
  return revision ? insideStore(dir, path.join(dir, source.repo, revision)) : undefined;
}

export type Presence = 'bundled' | 'present' | 'partial' | 'missing' | 'not in the store';

export interface ModelState {
  presence: Presence;
  /** How present files were checked when they arrived (`unchecked`: nothing present). */
  integrity: IntegrityStatus;
  folder: string | undefined;
  files: { path: string; size: number; present: boolean; partialBytes: number }[];
}

/** What of an entry is on this machine (no hashing: see `verifyModel`). */
export async function modelState(entry: ModelEntry, dir?: string): Promise<ModelState> {
  const folder = await modelFolder(entry, dir === undefined ? {} : { dir });
  const files = await Promise.all(
    entry.files.map(async (f) => {
      const local = folder && path.join(folder, f.path);
      const present = local !== undefined && existsSync(local);
      const partialBytes = local
        ? await stat(partialPath(local)).then(
            (s) => s.size,
            () => 0,
          )
        : 0;
      return { path: f.path, size: f.size, present, partialBytes };
    }),
  );
  const all = files.length > 0 && files.every((f) => f.present);
  const some = files.some((f) => f.present || f.partialBytes > 0);
  const presence: Presence =
    entry.source.type === 'path'
      ? 'bundled'
      : entry.source.type !== 'hub'
        ? 'not in the store'
        : all
          ? 'present'
          : some
            ? 'partial'
            : 'missing';
  // How the present files were checked: the registry's sha256, else what their records say
  // (checked against the hub's hash at the first download, or only recorded then).
  const integrity: IntegrityStatus = !files.some((f) => f.present)
    ? 'unchecked'
    : weakestIntegrity(
        await Promise.all(
          files
            .filter((f) => f.present)
            .map(async (f) => {
              const want = await expectedHash(entry, f.path, path.join(folder!, f.path));
              return want ? statusOf(want) : 'recorded';
            }),
        ),
      );
  return { presence, integrity, folder, files };
}

function downloadable(entry: ModelEntry): asserts entry is ModelEntry & {
  source: { type: 'hub'; repo: string; revision?: string };
} {
  if (entry.source.type === 'hub') return;
  throw new TokenSkipError(
    'INVALID_ARGUMENT',
    entry.source.type === 'path'
      ? `${entry.id} is bundled with this project (${entry.source.path}); there is nothing to download or remove.`
      : `${entry.id} is a WebLLM model served by the app (${entry.source.url}); the browser downloads it, not the CLI.`,
  );
}

export interface EnsureOptions {
  dir?: string;
  hub?: string;
  headers?: Record<string, string>;
  onProgress?: (file: string, progress: DownloadProgress) => void;
}

/** One planned file in the store: where it is, how it was checked, and its bytes when read. */
export interface EnsuredFile {
  path: string;
  local: string;
  status: IntegrityStatus;
  downloaded: boolean;
  /** The bytes, re-checked on this read (`ensureFiles(…, { read: true })`). */
  data?: Uint8Array;
}

/**
 * This process's hub settings with `options.hub` as the host; a caller's own `headers` without an
 * Authorization header keep the token from the hub listing too.
 */
function settingsFor(options: EnsureOptions): HubSettings {
  const settings = { ...nodeHubSettings(), host: options.hub ?? hubHost() };
  if (options.headers && !options.headers.Authorization) delete settings.token;
  return settings;
}

/** The store folder of a planned hub entry at its revision (checked to stay inside the store). */
function folderOf(dir: string, plan: Pick<ModelPlan, 'entry' | 'revision'>): string {
  const { entry, revision } = plan;
  downloadable(entry);
  return insideStore(dir, path.join(dir, entry.source.repo, revision!));
}

/** Where a planned file of a hub entry lies in the store (checked to stay inside it). */
function localOf(dir: string, plan: Pick<ModelPlan, 'entry' | 'revision'>, file: string): string {
  const folder = folderOf(dir, plan);
  return insideStore(folder, path.join(folder, checkFilePath(file, plan.entry.id)));
}

/**
 * The plan of a hub entry's files in the store at `dir` (model-plan.ts): the revision resolved
 * and recorded here once, each file's URL, and the hub's listing asked only for files that will be
 * downloaded with neither a registry sha256 nor a recorded hash (as before any plan existed).
 */
export async function planStoreFiles(
  entry: ModelEntry,
  files: readonly string[],
  options: EnsureOptions = {},
): Promise<ModelPlan> {
  downloadable(entry);
  const dir = storeDir(options.dir);
  return planModel(entry, files, {
    settings: settingsFor(options),
    revisions: fileRevisionStore(dir),
    appBase: 'file:///',
    listing: async (file, revision) => {
      const local = localOf(dir, { entry, revision }, file);
      return !existsSync(local) && !(await expectedHash(entry, file, local));
    },
  });
}

/**
 * Makes sure every planned file is in the store, complete and checked, one after the other: a
 * missing one is downloaded (download.ts) against the registry's sha256, the hash recorded at its
 * first download or the hub's listing, and its hash recorded when nothing gave one. With `read`,
 * each file is then read and re-checked (a file that fails is deleted, so the next run downloads
 * it afresh) and its bytes come back. `optional` files the host does not have (404) are skipped.
 */
export async function ensureFiles(
  plan: ModelPlan,
  options: EnsureOptions & {
    read?: boolean;
    optional?: readonly string[];
    onFile?: (file: string, done: { downloaded: boolean }) => void;
  } = {},
): Promise<EnsuredFile[]> {
  const { entry } = plan;
  downloadable(entry);
  const dir = storeDir(options.dir);
  const settings = settingsFor(options);
  const headers = options.headers ?? hubAuthHeaders(settings);
  const out: EnsuredFile[] = [];
  for (const file of plan.files) {
    const local = localOf(dir, plan, file.path);
    const where = `${entry.id}/${file.path}`;
    const want = await expectedHash(entry, file.path, local);
    let status: IntegrityStatus = want ? statusOf(want) : 'recorded';
    let downloaded = false;
    if (!existsSync(local)) {
      const listed = manifestFile(entry, file.path);
      let actual;
      try {
        actual = await downloadFile({
          url: file.url,
          target: local,
          where,
          expected: want,
          hub: want ? undefined : file.expected?.hub,
          approximateSize: listed && !listed.sha256 ? listed.size : undefined,
          limits: settings,
          headers,
          ...(options.onProgress
            ? { onProgress: (p: DownloadProgress) => options.onProgress!(file.path, p) }
            : {}),
        });
      } catch (error) {
        const missing = (error as TokenSkipError).code === 'MODEL_FILE_MISSING';
        if (missing && options.optional?.includes(file.path)) continue;
        throw error;
      }
      const fromHub = actual.checkedBy === 'hub';
      if (!want)
        await writeRecorded(local, { ...actual, ...(fromHub ? { from: 'hub' as const } : {}) });
      status = want ? statusOf(want) : fromHub ? 'hub' : 'recorded';
      downloaded = true;
    }
    const ensured: EnsuredFile = { path: file.path, local, status, downloaded };
    if (options.read) {
      const data = new Uint8Array(await readFile(local));
      const expected = await expectedHash(entry, file.path, local);
      const seen = { size: data.byteLength, sha256: await sha256Hex(data) };
      try {
        // Downloaded before hashes were recorded: record it now.
        if (!expected) await writeRecorded(local, seen);
        else checkHash(seen, expected.hash, `${where} (cached at ${local})`, expected.source);
      } catch (error) {
        await rm(local, { force: true }); // never trust it again; the next run downloads afresh
        throw error;
      }
      ensured.status = expected ? statusOf(expected) : 'recorded';
      ensured.data = data;
    }
    out.push(ensured);
    options.onFile?.(file.path, { downloaded });
  }
  return out;
}

/**
 * Makes sure one file of a hub entry is in the store, complete and checked; returns its path and
 * how it was checked (`ensureFiles` of a one-file plan).
 */
export async function ensureFile(
  entry: ModelEntry,
  file: string,
  options: EnsureOptions = {},
): Promise<{ local: string; status: IntegrityStatus; downloaded: boolean }> {
  const [ensured] = await ensureFiles(await planStoreFiles(entry, [file], options), options);
  return ensured!;
}

/** Downloads every file of a hub entry that is not in the store yet. */
export async function pullModel(
  entry: ModelEntry,
  options: EnsureOptions & { onFile?: (file: string, done: { downloaded: boolean }) => void } = {},
): Promise<{ folder: string; downloaded: string[]; integrity: IntegrityStatus }> {
  const plan = await planStoreFiles(
    entry,
    entry.files.map((f) => f.path),
    options,
  );
  const ensured = await ensureFiles(plan, options);
  return {
    folder: folderOf(storeDir(options.dir), plan),
    downloaded: ensured.filter((f) => f.downloaded).map((f) => f.path),
    integrity: weakestIntegrity(ensured.map((f) => f.status)),
  };
}

/**
 * Deletes an entry's files, unfinished downloads and recorded hashes from the store: a later pull
 * checks against the registry or the hub again, never against a record of a deleted file.
 */
export async function removeModel(
  entry: ModelEntry,
  dir?: string,
): Promise<{ files: number; bytes: number }> {
  downloadable(entry);
  const folder = await modelFolder(entry, dir === undefined ? {} : { dir });
  let files = 0;
  let bytes = 0;
  if (!folder) return { files, bytes };
  for (const f of entry.files) {
    const local = insideStore(folder, path.join(folder, checkFilePath(f.path, entry.id)));
    for (const p of [local, partialPath(local), `${partialPath(local)}.json`, recordPath(local)]) {
      const size = await stat(p).then(
        (s) => s.size,
        () => undefined,
      );
      if (size === undefined) continue;
      await rm(p, { force: true });
      if (p === local) files++;
      if (p !== recordPath(local)) bytes += size;
    }
  }
  forgetListings();
  return { files, bytes };
}

export interface VerifiedFile {
  path: string;
  status: 'verified' | 'hub' | 'recorded' | 'missing' | 'corrupt';
  message?: string;
}

/** Re-hashes an entry's present files against the registry (or the recorded hashes). */
export async function verifyModel(entry: ModelEntry, dir?: string): Promise<VerifiedFile[]> {
  const folder = await modelFolder(entry, dir === undefined ? {} : { dir });
  const results: VerifiedFile[] = [];
  for (const f of entry.files) {
    const local = folder && path.join(folder, f.path);
    if (!local || !existsSync(local)) {
      results.push({ path: f.path, status: 'missing' });
      continue;
    }
    const actual = await hashFile(local);
    const want = await expectedHash(entry, f.path, local);
    if (!want) {
      // Present but never recorded (copied in by hand): record it now, as a first download would.
      await writeRecorded(local, actual);
      results.push({ path: f.path, status: 'recorded' });
      continue;
    }
    try {
      checkHash(actual, want.hash, `${entry.id}/${f.path}`, want.source);
      results.push({ path: f.path, status: statusOf(want) as 'verified' | 'hub' | 'recorded' });
    } catch (error) {
      // A store file that fails is never trusted again: deleted, so the next pull fetches it anew.
      // A bundled file is the project's own: reported, left for the user (git) to restore.
      const store = entry.source.type === 'hub';
      if (store) await rm(local, { force: true });
      const what = store
        ? ' Deleted; run `tokenskip models pull` again.'
        : ' Restore it (git checkout).';
      results.push({
        path: f.path,
        status: 'corrupt',
        message: `${(error as Error).message}${what}`,
      });
    }
  }
  return results;
}
