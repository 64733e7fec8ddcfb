/**
 * The browser loaders' one way into the hub (the scorer and generation workers): plan a model's
 * files once (model-plan.ts: the revision recorded in this browser or resolved once, every URL on
 * the hub, the model host or the app, and what each file must be), then fetch, check and keep
 * them in the model cache (model-cache.ts: resumable, one download per URL across tabs, checked
 * before it counts) and hand the loader bytes, or for a large file a URL ORT fetches itself.
 *
 *   const plan = await planCachedModel(entry, files, mirror);
 *   const model = await openCachedModel(plan, { locate: variant.externalData, onProgress });
 *   await loadScorer(entry.id, model.readFile, variant, ort, options, model.locateFile);
 *   model.release();
 */
import { TokenSkipError } from '../../../core/errors.ts';
import type { ModelEntry } from '../../../core/models/registry.ts';
import { weakestIntegrity, type IntegrityStatus } from '../file-integrity.ts';
import { cacheFileStore } from '../cache-store.ts';
import { fetchOk } from '../fetch-ok.ts';
import {
  folderPlan,
  planModel,
  plannedFile,
  type FilePlan,
  type ModelPlan,
  type PlannedFile,
} from '../model-plan.ts';
import { knownRevision as knownRevisionIn } from '../model-manifest.ts';
import { browserHubSettings } from '../settings.ts';
import { pinWebLlmRecord, WEBLLM_MODEL_CACHE } from './webllm-download.ts';
import {
  browserRevisionStore,
  locateCachedFile,
  readCachedFile,
  type FileProgress,
} from './model-cache.ts';

export { folderPlan };
export type { FileProgress, IntegrityStatus };
/** WebLLM fetches and caches its own files; its records are pinned to a commit here (one rule). */
export { pinWebLlmRecord, WEBLLM_MODEL_CACHE };
export type { FilePlan, ModelPlan };

function appBase(): string {
  return new URL('/', self.location.href).href;
}

export interface PlanOptions {
  /** The revision when already known (see PlanContext.revision): nothing is resolved. */
  revision?: string;
  /** Ask the hub's listing for files the registry has no sha256 for (default true). */
  listing?: boolean;
}

/**
 * The plan of `entry`'s `paths` in this browser (with the model host `mirror`, if set): the
 * loaders' and the Models page's one way to a model's URLs and expectations.
 */
export async function planCachedModel(
  entry: ModelEntry,
  paths: readonly string[],
  mirror?: string,
  options: PlanOptions = {},
): Promise<ModelPlan> {
  return planModel(entry, paths, {
    settings: browserHubSettings(mirror),
    revisions: browserRevisionStore,
    appBase: appBase(),
    ...(options.revision ? { revision: options.revision } : {}),
    ...(options.listing === false ? { listing: () => false } : {}),
  });
}

/** The commit a hub entry is fetched at without asking the hub: its pin, else the one recorded here. */
export function knownRevision(entry: ModelEntry): Promise<string | undefined> {
  return knownRevisionIn(entry, browserRevisionStore);
}

/** Records `revision` as the commit of an unpinned hub entry (a folder imported offline). */
export async function recordRevision(entry: ModelEntry, revision: string): Promise<void> {
  if (entry.source.type === 'hub') await browserRevisionStore.set(entry.source.repo, revision);
}

/** The same-origin app models change with the app: fetched as they are, never from a stale cache. */
function sameOrigin(url: string): boolean {
  return new URL(url).origin === self.location.origin;
}

async function fetchWhole(
  file: PlannedFile,
  shown: string,
  onProgress?: (p: FileProgress) => void,
): Promise<Uint8Array> {
  const response = await fetchOk(file.url, shown);
  const data = new Uint8Array(await response.arrayBuffer());
  onProgress?.({
    file: file.path,
    loaded: data.byteLength,
    total: data.byteLength,
    fromCache: false,
  });
  return data;
}

export interface ReadOptions {
  /**
   * Fetch the app's own (same-origin) files directly, never from the model cache: the fixtures
   * and shipped models the generation engine and the reference LMs read are regenerated in place.
   */
  fresh?: boolean;
  /**
   * A cache another library fills and reads by URL (WebLLM's `webllm/model`): a copy kept there
   * is read first (cache-store.ts), so counting tokens works offline once WebLLM has the model.
   */
  keptIn?: string;
  onProgress?: ((p: FileProgress) => void) | undefined;
}

/**
 * The files of a plan as a loader reads them one by one (the ONNX generation engine decides what
 * it reads): URLs and expectations come from the plan made up front, bytes per read.
 */
export function plannedFiles(
  plan: FilePlan,
  options: Omit<ReadOptions, 'onProgress'> = {},
): {
  location: string;
  readBytes(
    path: string,
    onProgress?: (loaded: number, total: number) => void,
  ): Promise<Uint8Array>;
} {
  return {
    location: plan.base,
    readBytes: async (path, onProgress) =>
      (
        await readPlanned(plan, path, {
          ...options,
          onProgress: onProgress && ((p) => onProgress(p.loaded, p.total)),
        })
      ).data,
  };
}

/**
 * One file's bytes through the model cache (checked against the plan's expectation), or with
 * `fresh` a same-origin file straight from the app. A path the plan does not list (an optional
 * file a loader tries) is read from the plan's folder with nothing expected of it.
 */
export async function readPlanned(
  plan: FilePlan,
  path: string,
  options: ReadOptions = {},
): Promise<{ data: Uint8Array; fromCache: boolean; integrity: IntegrityStatus }> {
  const { onProgress } = options;
  const file = plannedFile(plan, path) ?? {
    path,
    url: new URL(path, plan.base).href,
    expected: undefined,
  };
  const kept = options.keptIn
    ? await cacheFileStore(options.keptIn)
        .read(file.url)
        .catch(() => undefined)
    : undefined;
  if (kept) {
    onProgress?.({ file: path, loaded: kept.byteLength, total: kept.byteLength, fromCache: true });
    return { data: kept, fromCache: true, integrity: 'unchecked' };
  }
  if (options.fresh && sameOrigin(file.url)) {
    const data = await fetchWhole(file, file.url, onProgress);
    return { data, fromCache: false, integrity: 'unchecked' };
  }
  return readCachedFile(file.url, path, file.expected, onProgress);
}

export interface CachedModel {
  /** The files read when the model was opened; no further I/O. */
  readFile: (path: string) => Promise<Uint8Array>;
  /** URLs of the `locate` files (blob: URLs of the cached copies). */
  locateFile: (path: string) => Promise<string>;
  /** Revokes the blob: URLs; call once the sessions are created. */
  release: () => void;
  /** Every file came from the model cache. */
  fromCache: boolean;
  integrity: IntegrityStatus;
}

function missing(plan: FilePlan, path: string): TokenSkipError {
  return new TokenSkipError('MODEL_FILE_MISSING', {
    id: 'fileNotPlanned',
    params: { model: plan.id, path },
  });
}

/**
 * Fetches, checks and keeps every planned file (the small JSON files at once, then the rest in
 * order), reading each into memory except `locate` ones (ONNX external data: 2.24 GB for XLM-R
 * large), which ORT gets as URLs of their cached copies and fetches itself.
 */
export async function openCachedModel(
  plan: FilePlan,
  options: ReadOptions & { locate?: readonly string[]; optional?: readonly string[] } = {},
): Promise<CachedModel> {
  const bytes = new Map<string, Uint8Array>();
  const hrefs = new Map<string, string>();
  const releases: (() => void)[] = [];
  const statuses: IntegrityStatus[] = [];
  let fromCache = true;
  const open = async (file: PlannedFile) => {
    if (options.locate?.includes(file.path)) {
      const result = await locateCachedFile(file.url, file.path, file.expected, options.onProgress);
      releases.push(result.release);
      hrefs.set(file.path, result.href);
      fromCache &&= result.fromCache;
      statuses.push(result.integrity);
      return;
    }
    const result = await readPlanned(plan, file.path, options).catch((error: unknown) => {
      const skip = options.optional?.includes(file.path);
      if (skip && (error as TokenSkipError).code === 'MODEL_FILE_MISSING') return undefined;
      throw error;
    });
    if (!result) return; // an optional file the host does not have
    bytes.set(file.path, result.data);
    fromCache &&= result.fromCache;
    statuses.push(result.integrity);
  };
  const release = () => releases.forEach((r) => r());
  try {
    const small = plan.files.filter((f) => f.path.endsWith('.json'));
    await Promise.all(small.map(open));
    for (const file of plan.files) if (!small.includes(file)) await open(file);
  } catch (error) {
    release();
    throw error;
  }
  return {
    readFile: async (path) => {
      const data = bytes.get(path);
      if (!data) throw missing(plan, path);
      return data;
    },
    locateFile: async (path) => {
      const href = hrefs.get(path);
      if (!href) throw missing(plan, path);
      return href;
    },
    release,
    fromCache,
    integrity: weakestIntegrity(statuses),
  };
}
