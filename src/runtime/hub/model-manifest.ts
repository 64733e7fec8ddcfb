/**
 * Runtime helpers over the model registry (src/core/models/registry.ts, data in
 * models/manifest.json): which files a backend needs, the commit a hub entry downloads at, and the
 * URL of a file on the hub, a mirror or the app.
 */
import { TokenSkipError } from '../../core/errors.ts';
import { fetchOk } from './fetch-ok.ts';
import { checkFilePath, checkRepo, checkRevision } from './paths.ts';
import { DEFAULT_HUB } from './settings.ts';
import {
  pickVariant,
  variantFiles,
  type Backend,
  type ManifestFile,
  type ModelEntry,
  type OnnxModelRecord,
  type ScorerManifestEntry,
} from '../../core/models/registry.ts';

export function manifestFile(entry: ModelEntry, path: string): ManifestFile | undefined {
  return entry.files.find((f) => f.path === path);
}

/** A registry look-up (core/models/registry.ts), kept here for its old importers. */
export { pickVariant };

/** Files a backend needs: tokenizer and config files plus its ONNX graph and external data. */
export function filesForBackend(
  entry: ScorerManifestEntry | OnnxModelRecord,
  backend: Backend,
): string[] {
  return variantFiles(entry.onnx[backend]);
}

export { DEFAULT_HUB } from './settings.ts';

/**
 * The revision an unpinned hub model is kept under when its folder was imported while its commit
 * could not be resolved (offline): the imported files, with their hashes recorded, define it.
 */
export const LOCAL_REVISION = 'local-import';

/**
 * The files a backend loads, with their registry records: `filesForBackend` plus
 * generation_config.json for causal LMs (the ONNX generation engine reads it when the folder has
 * one). The Models page and `tokenskip models ls` both size a model by these.
 */
export function backendFiles(
  entry: ScorerManifestEntry | OnnxModelRecord,
  backend: Backend,
): ManifestFile[] {
  const names = filesForBackend(entry, backend);
  if (entry.kind === 'causal-lm') names.push('generation_config.json');
  return names
    .map((path) => manifestFile(entry, path))
    .filter((f): f is ManifestFile => f !== undefined);
}

/** Bytes a backend loads, from the registry's recorded sizes; undefined where one is unknown. */
export function backendBytes(
  entry: ScorerManifestEntry | OnnxModelRecord,
  backend: Backend,
): number | undefined {
  const files = backendFiles(entry, backend);
  if (files.length === 0 || files.some((f) => !f.size)) return undefined;
  return files.reduce((n, f) => n + f.size, 0);
}

/** Where a resolved revision is kept between runs (a file in Node, the Cache API in a browser). */
export interface RevisionStore {
  get(repo: string): Promise<string | undefined>;
  set(repo: string, revision: string): Promise<void>;
}

/** A hub entry's commit without asking the hub: its pin, else the one recorded in `store`. */
export async function knownRevision(
  entry: ModelEntry,
  store: RevisionStore,
): Promise<string | undefined> {
  if (entry.source.type !== 'hub') return undefined;
  return entry.source.revision ?? (await store.get(entry.source.repo));
}

/**
 * The commit to download a hub entry at: the manifest's pin, else the one recorded here, else the
 * commit `main` points to now (the hub's `/api/models/<repo>/revision/main`), recorded for next time.
 * `headers` go with the hub request (an `Authorization` header for gated repos).
 */
export async function resolveRevision(
  entry: ModelEntry,
  store: RevisionStore,
  hubHost: string = DEFAULT_HUB,
  headers: Record<string, string> = {},
): Promise<string> {
  const { source } = entry;
  if (source.type !== 'hub')
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'notHubModel',
      params: { model: entry.id },
    });
  const known = await knownRevision(entry, store);
  if (known) return known;
  const url = `${hubHost}/api/models/${source.repo}/revision/main`;
  let sha: unknown;
  try {
    const response = await fetchOk(url, `the revision of ${source.repo}`, { headers });
    sha = ((await response.json()) as { sha?: unknown }).sha;
  } catch (error) {
    throw new TokenSkipError(
      'DOWNLOAD_FAILED',
      { id: 'noPinnedRevision', params: { model: entry.id, url, raw: (error as Error).message } },
      { cause: error },
    );
  }
  if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha)) {
    throw new TokenSkipError('DOWNLOAD_FAILED', {
      id: 'noCommitSha',
      params: { url, repo: source.repo },
    });
  }
  await store.set(source.repo, sha);
  return sha;
}

/**
 * The URL of a file. Without a model host (`mirror`): hub models resolve on the hub, path and
 * served models on `appBase`. With one, every model file comes from it, in the app's own layout:
 * `<host>/<repo>/<file>` for hub models and `<host>/<path>/<file>` (`models/mini/scorer/...`) for
 * shipped and served ones, so one machine on a school's network can serve them all.
 */
export function fileUrl(
  entry: ModelEntry,
  path: string,
  hosts: { appBase: string; hubHost?: string; mirror?: string; revision?: string },
): string {
  const { source } = entry;
  if (hosts.mirror) {
    const folder =
      source.type === 'path'
        ? source.path
        : source.type === 'served'
          ? new URL(source.url, 'http://app/').pathname.replace(/^\/+|\/+$/g, '')
          : source.repo;
    return new URL(
      `${folder}/${path}`,
      hosts.mirror.endsWith('/') ? hosts.mirror : `${hosts.mirror}/`,
    ).href;
  }
  if (source.type === 'path') return new URL(`${source.path}/${path}`, hosts.appBase).href;
  if (source.type === 'served')
    return new URL(`${source.url.replace(/\/+$/, '')}/${path}`, hosts.appBase).href;
  const hub = hosts.hubHost ?? DEFAULT_HUB;
  const revision = hosts.revision ?? source.revision;
  if (!revision) {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'revisionNotResolved',
      params: { model: entry.id },
    });
  }
  // Every part comes from a registry or a server: checked, so a URL (and a cache key) never
  // leaves the repo's folder at its revision.
  const file = path === '' ? '' : checkFilePath(path, entry.id);
  return `${hub}/${checkRepo(source.repo, entry.id)}/resolve/${checkRevision(revision, entry.id)}/${file}`;
}

/**
 * The folder URL of an entry's files in the app: `path` sources are served at `/<path>/`,
 * `served` ones at their URL, hub ones at `<hub>/<repo>/resolve/<revision>/` (`revision` from the
 * entry or resolved by the caller; a hub entry with neither throws). The same URLs as `fileUrl`.
 */
export function modelFolderUrl(
  entry: ModelEntry,
  options: { hubHost?: string; revision?: string } = {},
): string {
  const { source } = entry;
  if (source.type === 'path') return `/${source.path.replace(/\/+$/, '')}/`;
  if (source.type === 'served') return source.url;
  return fileUrl(entry, '', { appBase: 'http://app/', ...options });
}
