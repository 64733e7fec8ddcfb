/**
 * Downloads a WebLLM model before its first load: every file WebLLM's reload reads, into WebLLM's
 * own caches under the very keys it looks them up by, with our resumable transfer
 * (resumable-download.ts: bytes, cancel, resume with Range, HTML-page detection). Afterwards
 * WebLLM's `hasModelInCache` is true and its reload fetches nothing from the network.
 *
 * What @mlc-ai/web-llm 0.2.86 reads (lib/index.js), with the Cache API backend (`cacheBackend:
 * 'cache'`, webllm-engine.ts `webLlmAppConfig`). Every read goes through tvmjs `ArtifactCache`:
 * `fetchWithCache` calls `addToCache`, which does `caches.open(scope)`, `cache.match(new
 * Request(url))` and only on a miss `cache.add(request)`; then it reads the match. So an entry `put`
 * here under the same URL is used as is and never fetched again. `base` is `cleanModelUrl(model)`
 * (`webLlmModelBase`, the `/resolve/main/` rule).
 * - "webllm/config": `<base>mlc-chat-config.json` (`MLCEngine.reloadInternal`,
 *   `resolveModelPackageResourceURLs`; a record's `model_manifest` too, which ours never set);
 * - "webllm/wasm": `model_lib` (`reloadInternal`'s `fetchWasmSource`; a URL containing
 *   "localhost" or not starting with "http" is fetched every time and never cached, so not here);
 * - "webllm/model": `<base>tokenizer.json`, or `tokenizer.model` when the config lists only that
 *   (`asyncLoadTokenizer`), `<base>tensor-cache.json` and each `records[i].dataPath` relative to
 *   base (tvmjs `fetchTensorCache` / `fetchTensorCacheInternal`).
 * `hasModelInCache` (tvmjs `hasTensorInCache`) only checks that tensor-cache.json and every shard
 * have a key in "webllm/model"; WebLLM checks no hash. Here each shard must have the size its
 * tensor-cache.json record gives (`nbytes`), the JSON files must parse, the library must start with
 * the WebAssembly magic, and no file may be an HTML page: a wrong file is never cached.
 */
import type { ModelRecord } from '@mlc-ai/web-llm';
import { modelFolderUrl } from '../model-manifest.ts';
import { TokenSkipError, type ErrorDetail } from '../../../core/errors.ts';
import { refused } from '../transfer.ts';
import { type WebLlmModelRecord } from '../../../core/models/registry.ts';
import { webLlmModelBase } from '../../../core/generation/webllm-urls.ts';
import { resolveRevision } from '../model-manifest.ts';
import { browserRevisionStore } from './model-cache.ts';
import type { ModelStatus, FileStatus, ModelProgress } from './model-store.ts';
import {
  discardPartial,
  downloadToPartial,
  withDownloadLock,
  isQuotaError,
  partialBody,
  partialState,
  storageFullError,
} from './resumable-download.ts';

export const WEBLLM_CONFIG_CACHE = 'webllm/config';
export const WEBLLM_MODEL_CACHE = 'webllm/model';
export const WEBLLM_WASM_CACHE = 'webllm/wasm';

/** One file WebLLM reads: its URL (also its key), the WebLLM cache it lives in, and its check. */
export interface WebLlmFile {
  url: string;
  /** The name in messages: the path inside the model folder, or the library's file name. */
  file: string;
  scope: string;
  check: 'json' | 'wasm' | 'bytes';
  /** Exact size when known (a shard's `nbytes`). */
  size?: number;
}

interface TensorCache {
  records: { dataPath: string; nbytes: number }[];
}

/**
 * The record as WebLLM will load it: an unpinned hub record gets the commit `main` pointed to at
 * its first load or download (recorded in the browser), `<hub>/<repo>/resolve/<sha>/`, the URL the
 * generation engine loads (generation-engines.ts), so both name the same cache keys. Without
 * `resolve`, a hub record whose commit was never recorded yields undefined (nothing can be cached).
 */
export async function pinWebLlmRecord(
  record: WebLlmModelRecord,
  resolve: boolean,
): Promise<WebLlmModelRecord | undefined> {
  const { source } = record;
  if (source.type !== 'hub' || source.revision) return record;
  const revision = resolve
    ? await resolveRevision(record, browserRevisionStore)
    : await browserRevisionStore.get(source.repo);
  return revision ? { ...record, model: modelFolderUrl(record, { revision }) } : undefined;
}

/** The folder WebLLM reads the model from (its `cleanModelUrl`). */
export function webLlmBase(record: ModelRecord): string {
  return webLlmModelBase(record.model, record.model);
}

/** Whether WebLLM keeps the library in "webllm/wasm" (`reloadInternal`, `fetchWasmSource`). */
export function libraryIsCached(modelLib: string): boolean {
  return modelLib.startsWith('http') && !modelLib.includes('localhost');
}

function libraryFile(record: ModelRecord): WebLlmFile | undefined {
  if (!libraryIsCached(record.model_lib)) return undefined;
  const name = new URL(record.model_lib).pathname.split('/').pop() ?? record.model_lib;
  return { url: record.model_lib, file: name, scope: WEBLLM_WASM_CACHE, check: 'wasm' };
}

function configFile(base: string): WebLlmFile {
  return {
    url: new URL('mlc-chat-config.json', base).href,
    file: 'mlc-chat-config.json',
    scope: WEBLLM_CONFIG_CACHE,
    check: 'json',
  };
}

function tensorCacheFile(base: string): WebLlmFile {
  return {
    url: new URL('tensor-cache.json', base).href,
    file: 'tensor-cache.json',
    scope: WEBLLM_MODEL_CACHE,
    check: 'json',
  };
}

/** The tokenizer `asyncLoadTokenizer` reads: tokenizer.json if listed, else tokenizer.model. */
function tokenizerFile(base: string, config: unknown): WebLlmFile {
  const files = (config as { tokenizer_files?: unknown }).tokenizer_files;
  const list = Array.isArray(files) ? files : [];
  const name = list.includes('tokenizer.json')
    ? 'tokenizer.json'
    : list.includes('tokenizer.model')
      ? 'tokenizer.model'
      : undefined;
  if (!name) {
    throw new TokenSkipError('MODEL_FILE_CORRUPT', {
      id: 'noTokenizerFiles',
      params: { base, files: JSON.stringify(files) ?? 'undefined' },
    });
  }
  return {
    url: new URL(name, base).href,
    file: name,
    scope: WEBLLM_MODEL_CACHE,
    check: name.endsWith('.json') ? 'json' : 'bytes',
  };
}

function shardFiles(base: string, list: TensorCache): WebLlmFile[] {
  return list.records.map((r) => ({
    url: new URL(r.dataPath, base).href,
    file: r.dataPath,
    scope: WEBLLM_MODEL_CACHE,
    check: 'bytes' as const,
    size: r.nbytes,
  }));
}

function parseTensorCache(value: unknown, url: string): TensorCache {
  const records = (value as { records?: unknown }).records;
  const ok =
    Array.isArray(records) &&
    records.every(
      (r: { dataPath?: unknown; nbytes?: unknown }) =>
        typeof r?.dataPath === 'string' && Number.isSafeInteger(r.nbytes),
    );
  if (!ok) {
    throw new TokenSkipError('MODEL_FILE_CORRUPT', { id: 'notTensorCache', params: { url } });
  }
  return value as TensorCache;
}

function contentError(f: WebLlmFile, what: ErrorDetail): TokenSkipError {
  return refused(f.file, f.url, what);
}

async function cachedSize(hit: Response): Promise<number> {
  const length = hit.headers.get('Content-Length');
  return length !== null ? Number(length) : (await hit.blob()).size;
}

/** Why a stored copy is wrong, or undefined when it passes `f`'s check. */
async function problem(hit: Response, f: WebLlmFile): Promise<ErrorDetail | undefined> {
  const body = await hit.blob();
  if (f.size !== undefined && body.size !== f.size)
    return { id: 'reasonTensorSize', params: { size: body.size, expected: f.size } };
  const head = new Uint8Array(await body.slice(0, 64).arrayBuffer());
  const start = new TextDecoder().decode(head).trimStart().toLowerCase();
  if (start.startsWith('<!doctype html') || start.startsWith('<html'))
    return { id: 'reasonHtmlFile' };
  if (
    f.check === 'wasm' &&
    !(head[0] === 0 && head[1] === 0x61 && head[2] === 0x73 && head[3] === 0x6d)
  )
    return { id: 'reasonNotWasm' };
  if (f.check === 'json') {
    try {
      JSON.parse(await body.text());
    } catch {
      return { id: 'reasonNotJson' };
    }
  }
  return undefined;
}

export interface WebLlmFileProgress {
  file: string;
  loaded: number;
  total: number;
}

/**
 * Makes sure a checked copy of `f` is in its WebLLM cache: a stored copy that passes the check is
 * kept (WebLLM's own download included), a wrong one is dropped and fetched again.
 */
async function ensureStored(
  f: WebLlmFile,
  onProgress: (p: WebLlmFileProgress) => void,
  signal?: AbortSignal,
): Promise<Cache> {
  return withDownloadLock(f.url, f.file, () => ensureStoredLocked(f, onProgress, signal), signal);
}

async function ensureStoredLocked(
  f: WebLlmFile,
  onProgress: (p: WebLlmFileProgress) => void,
  signal?: AbortSignal,
): Promise<Cache> {
  const cache = await caches.open(f.scope);
  const hit = await cache.match(f.url);
  if (hit) {
    if (!(await problem(hit.clone(), f))) {
      const size = await cachedSize(hit);
      onProgress({ file: f.file, loaded: size, total: size });
      return cache;
    }
    await cache.delete(f.url);
  }
  const state = await downloadToPartial({
    url: f.url,
    file: f.file,
    ...(f.size !== undefined ? { expectedSize: f.size, sizeSource: 'tensorCache' as const } : {}),
    onProgress: (p) => onProgress({ file: f.file, loaded: p.loaded, total: p.total }),
    ...(signal ? { signal } : {}),
  });
  // Stored the way WebLLM's `cache.add` would store the answer: one Response under the request URL.
  const headers = {
    'Content-Type': f.check === 'wasm' ? 'application/wasm' : 'application/octet-stream',
    'Content-Length': String(state.received),
  };
  try {
    await cache.put(new Request(f.url), new Response(partialBody(f.url, state), { headers }));
  } catch (error) {
    await cache.delete(f.url).catch(() => undefined);
    if (isQuotaError(error)) throw storageFullError(f.file, state.received);
    throw new TokenSkipError(
      'DOWNLOAD_FAILED',
      { id: 'storeFailed', params: { file: f.file, url: f.url, raw: (error as Error).message } },
      { cause: error },
    );
  }
  await discardPartial(f.url);
  const stored = await cache.match(f.url);
  const wrong = stored ? await problem(stored, f) : ({ id: 'reasonNotStored' } as const);
  if (wrong) {
    await cache.delete(f.url);
    throw contentError(f, wrong);
  }
  return cache;
}

async function readJson(cache: Cache, f: WebLlmFile): Promise<unknown> {
  const hit = await cache.match(f.url);
  if (!hit) throw contentError(f, { id: 'reasonNotStored' });
  return hit.json();
}

/**
 * Downloads every file WebLLM's reload of `record` (WebLLM's ModelRecord: absolute URLs) reads,
 * config and tensor-cache.json first (they name the tokenizer and the shards), into WebLLM's
 * caches. Files already there and sound are not fetched again; a partly downloaded file resumes.
 * Throws CANCELLED / DOWNLOAD_FAILED (bytes kept), MODEL_FILE_CORRUPT (that file dropped),
 * MODEL_FILE_MISSING, STORAGE_FULL.
 */
export async function downloadWebLlmModel(
  record: ModelRecord,
  onProgress?: (p: ModelProgress) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (!globalThis.caches) {
    throw new TokenSkipError('STORAGE_FULL', { id: 'noCacheStorage' });
  }
  const base = webLlmBase(record);
  const done = new Map<string, number>();
  const sizes = new Map<string, number>();
  const step = async (f: WebLlmFile) => {
    if (signal?.aborted) throw new TokenSkipError('CANCELLED', { id: 'downloadCancelled' });
    return ensureStored(
      f,
      (p) => {
        done.set(f.url, p.loaded);
        if (p.total) sizes.set(f.url, p.total);
        const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
        onProgress?.({ file: p.file, loaded: sum(done), total: Math.max(sum(sizes), sum(done)) });
      },
      signal,
    );
  };
  const config = configFile(base);
  const configJson = await readJson(await step(config), config);
  const tensors = tensorCacheFile(base);
  const list = parseTensorCache(await readJson(await step(tensors), tensors), tensors.url);
  const shards = shardFiles(base, list);
  // Known sizes first, so the total covers the weights from the start.
  for (const s of shards) sizes.set(s.url, s.size ?? 0);
  const library = libraryFile(record);
  for (const f of [tokenizerFile(base, configJson), ...(library ? [library] : []), ...shards]) {
    await step(f);
  }
}

/** Every file of the model this browser knows of now (the shards only once tensor-cache.json is stored). */
async function knownFiles(record: ModelRecord): Promise<WebLlmFile[]> {
  const base = webLlmBase(record);
  const config = configFile(base);
  const tensors = tensorCacheFile(base);
  const files = [config, tensors];
  const library = libraryFile(record);
  if (library) files.push(library);
  const configJson = await (
    await caches.open(config.scope)
  )
    .match(config.url)
    .then((r) => r?.json())
    .catch(() => undefined);
  try {
    files.push(tokenizerFile(base, configJson ?? { tokenizer_files: ['tokenizer.json'] }));
  } catch {
    files.push({ ...tensors, url: new URL('tokenizer.json', base).href, file: 'tokenizer.json' });
  }
  const list = await (
    await caches.open(tensors.scope)
  )
    .match(tensors.url)
    .then((r) => r?.json())
    .catch(() => undefined);
  try {
    if (list !== undefined) files.push(...shardFiles(base, parseTensorCache(list, tensors.url)));
  } catch {
    // A broken tensor-cache.json: its shards are unknown until it is fetched again.
  }
  return files;
}

/**
 * What of the model is in WebLLM's caches: `cached` when every file its reload reads is there
 * (shards at their tensor-cache.json size), `partial` when some are or a download was stopped.
 */
export async function webLlmModelStatus(record: ModelRecord): Promise<ModelStatus> {
  if (!globalThis.caches) return { state: 'missing', bytes: 0, files: [] };
  const files = await knownFiles(record);
  const statuses: FileStatus[] = await Promise.all(
    files.map(async (f): Promise<FileStatus> => {
      const hit = await (await caches.open(f.scope)).match(f.url);
      if (hit) {
        // A header other than nbytes (WebLLM's own `cache.add` keeps the server's, which may count
        // compressed bytes): the body's size decides.
        let bytes = await cachedSize(hit);
        if (f.size !== undefined && bytes !== f.size) bytes = (await hit.blob()).size;
        if (f.size === undefined || bytes === f.size)
          return { file: f.file, state: 'cached', bytes };
      }
      const partial = await partialState(f.url);
      if (partial && partial.received > 0)
        return { file: f.file, state: 'partial', bytes: partial.received };
      return { file: f.file, state: 'missing', bytes: 0 };
    }),
  );
  const bytes = statuses.reduce((a, s) => a + s.bytes, 0);
  // Without tensor-cache.json the shard list is unknown: never "cached".
  const haveList = statuses[1]?.state === 'cached';
  const all = haveList && statuses.every((s) => s.state === 'cached');
  const any = statuses.some((s) => s.state !== 'missing');
  return { state: all ? 'cached' : any ? 'partial' : 'missing', bytes, files: statuses };
}

/** Drops the bytes kept of the model's stopped downloads (WebLLM's delete leaves our partial cache alone). */
export async function discardWebLlmPartials(record: ModelRecord): Promise<void> {
  if (!globalThis.caches) return;
  for (const f of await knownFiles(record)) await discardPartial(f.url);
}
