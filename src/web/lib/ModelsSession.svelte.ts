/**
 * State and actions of the Models page: every registry model with its cache state, device fit and
 * any running download (bytes, rate, ETA), the model host setting, and the storage estimate.
 */
import { TokenSkipError, toTokenSkipError } from '../../core/errors.ts';
import type { IntegrityStatus } from '../../runtime/hub/file-integrity.ts';
import {
  deleteModel,
  downloadModel,
  folderFiles,
  importModel,
  modelStatus,
  type ModelProgress,
  type ModelStatus,
} from '../../runtime/hub/web/model-store.ts';
import { deviceFit, probeAdapter, type AdapterLimits, type DeviceFit } from './device-fit.ts';
import { catalogModels, type CatalogModel, type WebBackend } from './model-catalog.ts';
import { GenerationClient } from './generation-client.ts';
import { webLlmAppConfig } from '../../runtime/engines/webllm/webllm-config.ts';
import type { AppConfig } from '@mlc-ai/web-llm';

/** Shared with the Compress page's mirror field: one model host for the whole app. */
export const HOST_KEY = 'tokenskip.mirror';

export interface Transfer {
  file: string;
  loaded: number;
  total: number;
  /** Bytes per second over this run. */
  rate: number;
  /** Seconds left, when the rate is known. */
  eta?: number;
}

export interface ModelRow {
  model: CatalogModel;
  status?: ModelStatus;
  /** WebLLM models: WebLLM's own `hasModelInCache`. */
  webllmCached?: boolean;
  fit: DeviceFit;
  transfer?: Transfer;
  busy?: 'download' | 'import' | 'delete';
  error?: TokenSkipError;
  integrity?: IntegrityStatus;
}

/**
 * WebLLM's AppConfig for a row, built as the generation engine builds it (webllm-engine.ts
 * `webLlmAppConfig`) from the record pinned the way it pins it, so the page and a later load name
 * the same cache keys. Undefined for an unpinned hub record whose commit was never recorded.
 */
async function webllmAppConfig(record: NonNullable<CatalogModel['webllm']>, resolve: boolean) {
  const { pinWebLlmRecord } = await import('../../runtime/hub/web/webllm-download.ts');
  const pinned = await pinWebLlmRecord(record, resolve);
  if (!pinned) return undefined;
  const appBase = new URL('/', location.href).href;
  // A plain copy: the record comes from the page's reactive rows (Svelte proxies), which cannot
  // be posted to the worker ("could not be cloned").
  const appConfig = $state.snapshot(
    webLlmAppConfig(pinned, appBase, await webllmWorker().webllmLibInfo()),
  ) as AppConfig;
  return { appConfig, modelRecord: appConfig.model_list[0]! };
}

/**
 * WebLLM's own cache API, asked through a generation worker: WebLLM is bundled into that worker
 * only (a second import here made a second 6 MB copy of it). One worker for the page's lifetime.
 */
let cacheWorker: GenerationClient | undefined;
function webllmWorker(): GenerationClient {
  cacheWorker ??= new GenerationClient();
  return cacheWorker;
}

export class ModelsSession {
  rows = $state<ModelRow[]>([]);
  host = $state(globalThis.localStorage?.getItem(HOST_KEY) ?? '');
  backend = $state<WebBackend>('wasm');
  adapter = $state<AdapterLimits | null>(null);
  storage = $state<{ usage: number; quota: number } | null>(null);
  persisted = $state<boolean | null>(null);
  ready = $state(false);
  // Not rendered (only the rows are): a plain Map of the running downloads' controllers.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #controllers = new Map<string, AbortController>();

  async init(): Promise<void> {
    this.adapter = await probeAdapter();
    this.backend = this.adapter ? 'webgpu' : 'wasm';
    this.rows = catalogModels().map((model) => ({ model, fit: deviceFit(model, this.adapter) }));
    await Promise.all([this.refreshAll(), this.refreshStorage()]);
    this.ready = true;
  }

  /** The backend the loaders would pick: WebGPU when there is an adapter, unless the WebGPU graph is fp16 and the GPU lacks shader-f16. */
  backendFor(model: CatalogModel): WebBackend {
    if (this.backend === 'webgpu' && model.requiresShaderF16 && !this.adapter?.shaderF16)
      return 'wasm';
    return this.backend;
  }

  row(id: string): ModelRow {
    return this.rows.find((r) => r.model.id === id)!;
  }

  async refreshAll(): Promise<void> {
    await Promise.all(this.rows.map((r) => this.refresh(r.model.id)));
  }

  async refresh(id: string): Promise<void> {
    const row = this.row(id);
    try {
      if (row.model.webllm) {
        const config = await webllmAppConfig(row.model.webllm, false);
        if (!config) {
          row.webllmCached = false;
          row.status = { state: 'missing', bytes: 0, files: [] };
          return;
        }
        const { webLlmModelStatus } = await import('../../runtime/hub/web/webllm-download.ts');
        row.webllmCached = await webllmWorker().webllmHasModelInCache(
          row.model.id,
          config.appConfig,
        );
        row.status = await webLlmModelStatus(config.modelRecord);
        return;
      }
      const refs = await row.model.refs(this.backendFor(row.model), this.host, false);
      row.status = await modelStatus(refs);
    } catch (error) {
      row.error = toTokenSkipError(error);
    }
  }

  async refreshStorage(): Promise<void> {
    const storage = globalThis.navigator?.storage;
    const estimate = await storage?.estimate?.().catch(() => undefined);
    this.storage = estimate ? { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0 } : null;
    this.persisted = (await storage?.persisted?.().catch(() => null)) ?? null;
  }

  /** Asks the browser not to evict the models under storage pressure. */
  async persist(): Promise<void> {
    this.persisted = (await navigator.storage?.persist?.().catch(() => false)) ?? false;
    await this.refreshStorage();
  }

  setHost(value: string): void {
    const host = value.trim();
    if (host && !/^https?:\/\/[^/]+/i.test(host)) {
      throw new TokenSkipError('INVALID_ARGUMENT', { id: 'modelHostNotHttp', params: { host } });
    }
    this.host = host;
    globalThis.localStorage?.setItem(HOST_KEY, host);
    void this.refreshAll();
  }

  async download(id: string): Promise<void> {
    const row = this.row(id);
    const controller = new AbortController();
    this.#controllers.set(id, controller);
    const started = performance.now();
    let firstLoaded: number | undefined;
    await this.#run(id, 'download', async () => {
      try {
        const onProgress = (p: ModelProgress) => {
          firstLoaded ??= p.loaded;
          const seconds = (performance.now() - started) / 1000;
          const rate = seconds > 0.2 ? (p.loaded - firstLoaded) / seconds : 0;
          row.transfer = {
            file: p.file,
            loaded: p.loaded,
            total: p.total,
            rate,
            ...(rate > 0 && p.total > p.loaded ? { eta: (p.total - p.loaded) / rate } : {}),
          };
        };
        if (row.model.webllm) {
          // Into WebLLM's own caches, under the keys its reload reads (webllm-download.ts).
          const config = await webllmAppConfig(row.model.webllm, true);
          const { downloadWebLlmModel } = await import('../../runtime/hub/web/webllm-download.ts');
          // Resolving, the record is always pinned (or resolving threw).
          await downloadWebLlmModel(config!.modelRecord, onProgress, controller.signal);
          return;
        }
        const refs = await row.model.refs(this.backendFor(row.model), this.host, true);
        row.integrity = await downloadModel(refs, onProgress, controller.signal);
      } finally {
        this.#controllers.delete(id);
        row.transfer = undefined;
      }
    });
  }

  cancel(id: string): void {
    this.#controllers.get(id)?.abort();
  }

  async remove(id: string): Promise<void> {
    const row = this.row(id);
    await this.#run(id, 'delete', async () => {
      if (row.model.webllm) {
        // WebLLM keeps its files in its own caches: deleted through WebLLM's own API, the steps of
        // its deleteModelAllInfoInCache run one by one (clearWebLlmModelCache says why).
        const config = await webllmAppConfig(row.model.webllm, false);
        if (config) {
          const { discardWebLlmPartials } =
            await import('../../runtime/hub/web/webllm-download.ts');
          // Stopped downloads first: their list of files comes from the cached tensor-cache.json.
          await discardWebLlmPartials(config.modelRecord);
          await webllmWorker().webllmClearCache(row.model.id, config.appConfig);
        }
      } else {
        await deleteModel(await row.model.refs(this.backendFor(row.model), this.host, false));
      }
      row.integrity = undefined;
    });
  }

  async importFolder(id: string, files: FileList | null): Promise<void> {
    const row = this.row(id);
    if (!files || files.length === 0) return;
    await this.#run(id, 'import', async () => {
      const { refs, pin } = await row.model.importRefs(this.backendFor(row.model), this.host);
      row.integrity = await importModel(refs, folderFiles(Array.from(files)));
      await pin();
    });
  }

  /** One row action: marks the row busy, keeps its error, then re-reads its state and storage. */
  async #run(id: string, busy: NonNullable<ModelRow['busy']>, action: () => Promise<void>) {
    const row = this.row(id);
    row.busy = busy;
    row.error = undefined;
    try {
      await action();
    } catch (error) {
      row.error = toTokenSkipError(error);
    } finally {
      row.busy = undefined;
      await this.refresh(id);
      await this.refreshStorage();
    }
  }

  dispose(): void {
    for (const c of this.#controllers.values()) c.abort();
  }
}
