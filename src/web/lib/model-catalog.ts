/**
 * Every model the app knows, in the shape the Models page needs: its files (with sizes and hashes
 * where the registry has them) for the backend this browser would run it on, where each file is
 * fetched from (the app, the hub, or the model host), and what it asks of the GPU.
 * `catalogModels()` is the one place that reads the registry.
 */
import {
  MODELS,
  type ModelEntry,
  type OnnxModelRecord,
  type ScorerManifestEntry,
  type WebLlmModelRecord,
} from '../../core/models/registry.ts';
import {
  backendFiles,
  fileUrl,
  LOCAL_REVISION,
  resolveRevision,
} from '../../runtime/hub/model-manifest.ts';
import { expectedFile } from '../../runtime/hub/hub-listing.ts';
import { browserHubSettings } from '../../runtime/hub/settings.ts';
import type { ManifestFile } from '../../core/models/registry.ts';
import { browserRevisionStore } from '../../runtime/hub/web/model-cache.ts';
import type { ModelFileRef } from '../../runtime/hub/web/model-store.ts';

export type WebBackend = 'webgpu' | 'wasm';

export interface CatalogModel {
  /** A registry id; its name in the UI's language is `modelName(id)` (model-text.ts). */
  id: string;
  role: 'scorer' | 'generation';
  engine: 'onnx' | 'webllm';
  /** Shipped with the app (served by it), or fetched from the hub / a model host. */
  shipped: boolean;
  dtype(backend: WebBackend): string;
  /** Files the backend needs, with registry sizes/hashes where known. */
  files(backend: WebBackend): ManifestFile[];
  /** Where each file is fetched from (and cached under); `host` is the model host setting. */
  refs(backend: WebBackend, host: string, resolve: boolean): Promise<ModelFileRef[]>;
  /**
   * The refs to import a folder under, and `pin` to call once it is imported: an unpinned hub
   * model whose commit cannot be resolved (offline) is imported under LOCAL_REVISION, and the
   * folder's own files define it (their hashes recorded), so it loads offline from then on.
   */
  importRefs(
    backend: WebBackend,
    host: string,
  ): Promise<{ refs: ModelFileRef[]; pin(): Promise<void> }>;
  /** WebLLM's own estimate (its `vram_required_MB`), for WebLLM models. */
  vramMB?: number;
  requiresShaderF16: boolean;
  webllm?: WebLlmModelRecord;
}

const appBase = () => new URL('/', globalThis.location?.href ?? 'http://localhost/').href;

/** ONNX models (scorers and causal LMs): the files of the backend's graph, from the registry. */
function onnxModel(entry: ScorerManifestEntry | OnnxModelRecord): CatalogModel {
  const files = (backend: WebBackend): ManifestFile[] => backendFiles(entry, backend);
  /**
   * Each file's URL and expectation; for a hub file the registry has no sha256 for, what the hub's
   * listing at the revision says (fetched only when `ask`, i.e. before a download).
   */
  const refsAt = async (
    backend: WebBackend,
    host: string,
    revision: string | undefined,
    ask: boolean,
  ): Promise<ModelFileRef[]> =>
    Promise.all(
      files(backend).map(async (f) => {
        const expected = ask
          ? await expectedFile(entry, f.path, revision, browserHubSettings(host || undefined))
          : f;
        return {
          file: f.path,
          expected: expected ?? f,
          url: fileUrl(entry, f.path, {
            appBase: appBase(),
            ...(revision ? { revision } : {}),
            ...(host ? { mirror: host } : {}),
          }),
        };
      }),
    );
  return {
    id: entry.id,
    role: entry.kind === 'token-classifier' ? 'scorer' : 'generation',
    engine: 'onnx',
    shipped: entry.source.type === 'path',
    dtype: (backend) => entry.onnx[backend].dtype,
    files,
    async refs(backend, host, resolve) {
      // An unpinned hub model without a host: the commit recorded at its first download.
      let revision: string | undefined;
      if (entry.source.type === 'hub' && !host) {
        revision = resolve
          ? await resolveRevision(entry, browserRevisionStore)
          : (entry.source.revision ?? (await browserRevisionStore.get(entry.source.repo)));
        if (!revision) return [];
      }
      return refsAt(backend, host, revision, resolve);
    },
    async importRefs(backend, host) {
      const { source } = entry;
      if (source.type !== 'hub' || host)
        return { refs: await this.refs(backend, host, false), pin: async () => undefined };
      const known = source.revision ?? (await browserRevisionStore.get(source.repo));
      if (known)
        return { refs: await refsAt(backend, host, known, false), pin: async () => undefined };
      // Unpinned and never resolved: ask the hub; offline, the folder itself defines the model.
      const revision = await resolveRevision(entry, browserRevisionStore).catch(() => undefined);
      const used = revision ?? LOCAL_REVISION;
      return {
        refs: await refsAt(backend, host, used, false),
        pin: async () => {
          if (!revision) await browserRevisionStore.set(source.repo, LOCAL_REVISION);
        },
      };
    },
    requiresShaderF16: entry.kind === 'causal-lm' && entry.webgpuRequiresShaderF16 === true,
  };
}

/** WebLLM models: WebLLM fetches and caches their files itself (its own caches). */
function webLlmModel(record: WebLlmModelRecord): CatalogModel {
  return {
    id: record.id,
    role: 'generation',
    engine: 'webllm',
    shipped: false,
    dtype: () => record.quantization,
    files: () => [],
    refs: () => Promise.resolve([]),
    importRefs: () => Promise.resolve({ refs: [], pin: async () => undefined }),
    vramMB: record.vramRequiredMB,
    requiresShaderF16: record.requiredFeatures.includes('shader-f16'),
    webllm: record,
  };
}

function catalogModel(entry: ModelEntry): CatalogModel {
  return entry.kind === 'causal-lm' && entry.engine === 'webllm'
    ? webLlmModel(entry)
    : onnxModel(entry);
}

/** Every registry model, in registry order. */
export function catalogModels(): CatalogModel[] {
  return MODELS.map(catalogModel);
}
