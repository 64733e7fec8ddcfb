/**
 * A model's files worked out in one pass before any body is fetched: the revision (the registry's
 * pin, the one recorded at the first download, or `main` resolved once and recorded), each file's
 * URL (hub, model host or app) and what it must be (the registry's record, and for a hub file the
 * registry has no sha256 for, the hub's listing at that revision). Node and the browser plan the
 * same way; each platform then fetches, checks and keeps the planned files through its store
 * (hub/node/model-files.ts `openModel`, hub/web/model-source.ts `openCachedModel`) and the loaders
 * open sessions from the bytes that come back, so a model id's walk enters the hub once:
 *
 *   const plan = await planModel(entry, ['config.json', 'onnx/model.onnx'], {
 *     settings, revisions, appBase, listing: () => true });
 *   plan.files[0]; // { path: 'config.json', url: 'https://huggingface.co/<repo>/resolve/<sha>/config.json', expected }
 */
import type { ManifestFile, ModelEntry } from '../../core/models/registry.ts';
import { expectedFile, type ExpectedFile } from './hub-listing.ts';
import { fileUrl, manifestFile, resolveRevision, type RevisionStore } from './model-manifest.ts';
import { hubAuthHeaders, type HubSettings } from './settings.ts';

export interface PlannedFile {
  /** Path inside the model folder (`onnx/model.onnx`). */
  path: string;
  /** Where it is fetched from; in the browser also its cache key. */
  url: string;
  /** The registry's record, with the hub's listing where the registry has no sha256. */
  expected: ExpectedFile | undefined;
}

/** Planned files in one folder (a registry entry's, or any folder URL's: `folderPlan`). */
export interface FilePlan {
  /** The model, for messages (a registry id, or the folder). */
  id: string;
  /** The commit a hub entry is fetched at (undefined for shipped and served models, a mirror). */
  revision: string | undefined;
  /** The folder URL the files' URLs are in (`…/resolve/<revision>/`, the app's, the host's). */
  base: string;
  files: PlannedFile[];
}

export interface ModelPlan extends FilePlan {
  entry: ModelEntry;
}

export interface PlanContext {
  settings: HubSettings;
  /** Where a resolved revision is recorded (Node: `revision.json` in the store; browser: a cache). */
  revisions: RevisionStore;
  /** The app's origin for shipped and served models (`file:///` in Node, where there is none). */
  appBase: string;
  /**
   * Whether to ask the hub's listing about `path` (when the registry has no sha256 for it). Node
   * asks only for files it will download with no hash recorded; the browser for every such file.
   */
  listing?: (path: string, revision: string) => Promise<boolean> | boolean;
  /**
   * A hub entry's revision when the caller already knows it, used as is with nothing resolved (the
   * browser's Models page before a download: the pin or the commit recorded earlier; a folder
   * imported offline: LOCAL_REVISION).
   */
  revision?: string;
}

/** The revision, every file's URL and every file's expectation of `entry`, in that order. */
export async function planModel(
  entry: ModelEntry,
  paths: readonly string[],
  context: PlanContext,
): Promise<ModelPlan> {
  const { settings } = context;
  const revision =
    entry.source.type === 'hub' && !settings.mirror
      ? (context.revision ??
        (await resolveRevision(entry, context.revisions, settings.host, hubAuthHeaders(settings))))
      : undefined;
  const hosts = {
    appBase: context.appBase,
    hubHost: settings.host,
    ...(settings.mirror ? { mirror: settings.mirror } : {}),
    ...(revision ? { revision } : {}),
  };
  const files = await Promise.all(
    paths.map(async (path): Promise<PlannedFile> => {
      const url = fileUrl(entry, path, hosts);
      const ask = revision !== undefined && (await (context.listing?.(path, revision) ?? true));
      const expected = ask
        ? await expectedFile(entry, path, revision, settings)
        : manifestFile(entry, path);
      return { path, url, expected };
    }),
  );
  return { id: entry.id, entry, revision, base: fileUrl(entry, '', hosts), files };
}

/**
 * The plan of a folder outside the registry (`#/compress?ref=<folder URL>`, a WebLLM weight
 * folder): URLs under `base`, the `records` given (a WebLLM record's files) expected of them.
 */
export function folderPlan(
  id: string,
  base: string,
  paths: readonly string[],
  records: readonly ManifestFile[] = [],
): FilePlan {
  const folder = base.endsWith('/') ? base : `${base}/`;
  return {
    id,
    revision: undefined,
    base: folder,
    files: paths.map((path) => ({
      path,
      url: new URL(path, folder).href,
      expected: records.find((r) => r.path === path),
    })),
  };
}

/** The planned file at `path`. */
export function plannedFile(plan: FilePlan, path: string): PlannedFile | undefined {
  return plan.files.find((f) => f.path === path);
}
