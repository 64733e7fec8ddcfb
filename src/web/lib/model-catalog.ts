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
import { backendFiles, LOCAL_REVISION } from '../../runtime/hub/model-manifest.ts';
import type { ManifestFile } from '../../core/models/registry.ts';
import {
  knownRevision,
  planCachedModel,
  recordRevision,
  type PlanOptions,
} from '../../runtime/hub/web/model-source.ts';
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

/**
 * ONNX models (scorers and causal LMs): the files of the backend's graph, from the registry; their
 * URLs and expectations from the same plan the loaders fetch by (hub/web/model-source.ts).
 */
function onnxModel(entry: ScorerManifestEntry | OnnxModelRecord): CatalogModel {
  const files = (backend: WebBackend): ManifestFile[] => backendFiles(entry, backend);
  /**
   * Each file's URL and expectation (the registry's record where the plan has none); the hub's
   * listing is asked, for a hub file the registry has no sha256 for, only when `options.listing`
   * is not false (before a download).
   */
  const refsOf = async (
    backend: WebBackend,
    host: string,
    options: PlanOptions,
  ): Promise<ModelFileRef[]> => {
    const wanted = files(backend);
    const plan = await planCachedModel(
      entry,
      wanted.map((f) => f.path),
      host || undefined,
      options,
    );
    return plan.files.map((f, i) => ({
      file: f.path,
      url: f.url,
      expected: f.expected ?? wanted[i],
    }));
  };
  return {
    id: entry.id,
    role: entry.kind === 'token-classifier' ? 'scorer' : 'generation',
    engine: 'onnx',
    shipped: entry.source.type === 'path',
    dtype: (backend) => entry.onnx[backend].dtype,
    files,
    async refs(backend, host, resolve) {
      // Before a download (`resolve`) the plan resolves an unpinned hub model's commit and asks
      // the listing; otherwise nothing goes to the network: the pin or the commit recorded at the
      // first download, and without one the model has no files here yet.
      if (resolve || entry.source.type !== 'hub' || host) return refsOf(backend, host, {});
      const revision = await knownRevision(entry);
      return revision ? refsOf(backend, host, { revision, listing: false }) : [];
    },
    async importRefs(backend, host) {
      const known = entry.source.type === 'hub' && !host ? await knownRevision(entry) : undefined;
      if (entry.source.type !== 'hub' || host || known)
        return {
          refs: await refsOf(backend, host, {
            listing: false,
            ...(known ? { revision: known } : {}),
          }),
          pin: async () => undefined,
        };
      // Unpinned and never resolved: ask the hub; offline, the folder itself defines the model.
      const online = await refsOf(backend, host, { listing: false }).catch(() => undefined);
      if (online) return { refs: online, pin: async () => undefined };
      return {
        refs: await refsOf(backend, host, { revision: LOCAL_REVISION, listing: false }),
        pin: () => recordRevision(entry, LOCAL_REVISION),
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
