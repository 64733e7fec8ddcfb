/**
 * Every model the app knows, in the shape the Models page needs: its files (with sizes and hashes
 * where the registry has them) for the backend this browser would run it on, where each file is
 * fetched from (the app, the hub, or the model host), and what it asks of the GPU.
 * `catalogModels()` is the one place that reads the registry.
 */
import manifestJson from '../../../models/manifest.json';
import {
  GENERATION_MODELS,
  type GenerationModelRecord,
  type WebLlmModelRecord,
} from '../../core/generation/model-records.ts';
import {
  fileUrl,
  filesForBackend,
  manifestFile,
  resolveRevision,
  type ManifestFile,
  type ModelManifest,
  type ScorerManifestEntry,
} from '../../runtime/models/model-manifest.ts';
import { browserRevisionStore } from '../../runtime/web/model-cache.ts';
import type { ModelFileRef } from '../../runtime/web/model-store.ts';

export type WebBackend = 'webgpu' | 'wasm';

export interface CatalogModel {
  id: string;
  label: string;
  role: 'scorer' | 'generation';
  engine: 'onnx' | 'webllm';
  /** Shipped with the app (served by it), or fetched from the hub / a model host. */
  shipped: boolean;
  dtype(backend: WebBackend): string;
  /** Files the backend needs, with registry sizes/hashes where known. */
  files(backend: WebBackend): ManifestFile[];
  /** Where each file is fetched from (and cached under); `host` is the model host setting. */
  refs(backend: WebBackend, host: string, resolve: boolean): Promise<ModelFileRef[]>;
  /** WebLLM's own estimate (its `vram_required_MB`), for WebLLM models. */
  vramMB?: number;
  requiresShaderF16: boolean;
  webllm?: WebLlmModelRecord;
}

const manifest = manifestJson as ModelManifest;
const appBase = () => new URL('/', globalThis.location?.href ?? 'http://localhost/').href;

function scorerModel(entry: ScorerManifestEntry): CatalogModel {
  const files = (backend: WebBackend): ManifestFile[] =>
    filesForBackend(entry, backend)
      .map((path) => manifestFile(entry, path))
      .filter((f): f is ManifestFile => f !== undefined);
  return {
    id: entry.id,
    label: entry.label,
    role: 'scorer',
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
      return files(backend).map((f) => ({
        file: f.path,
        expected: f,
        url: fileUrl(entry, f.path, {
          appBase: appBase(),
          ...(revision ? { revision } : {}),
          ...(host ? { mirror: host } : {}),
        }),
      }));
    },
    requiresShaderF16: false,
  };
}

/** `https://huggingface.co/<repo>/resolve/main/` → `<repo>/`; an app path stays as it is. */
function hostRelative(baseUrl: string): string {
  const hub = /^https:\/\/huggingface\.co\/(.+?)\/resolve\/[^/]+\/$/.exec(baseUrl);
  return hub ? `${hub[1]}/` : baseUrl.replace(/^\//, '');
}

function generationModel(record: GenerationModelRecord): CatalogModel {
  if (record.engine === 'webllm') {
    return {
      id: record.id,
      label: record.label,
      role: 'generation',
      engine: 'webllm',
      shipped: false,
      dtype: () => record.quantization,
      files: () => [],
      refs: () => Promise.resolve([]),
      vramMB: record.vramRequiredMB,
      requiresShaderF16: record.requiredFeatures.includes('shader-f16'),
      webllm: record,
    };
  }
  const names = (backend: WebBackend) => [
    'config.json',
    'generation_config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    record.graphs[backend],
  ];
  return {
    id: record.id,
    label: record.label,
    role: 'generation',
    engine: 'onnx',
    shipped: !/^https?:/.test(record.baseUrl),
    dtype: (backend) =>
      /q4f16/.test(record.graphs[backend])
        ? 'q4f16'
        : /q4/.test(record.graphs[backend])
          ? 'q4'
          : 'fp32',
    // The generation records carry no sizes or hashes: hashes are recorded at first download.
    files: (backend) => names(backend).map((path) => ({ path, size: 0 })),
    refs(backend, host) {
      const base = host
        ? new URL(hostRelative(record.baseUrl), host.endsWith('/') ? host : `${host}/`).href
        : new URL(record.baseUrl, appBase()).href;
      return Promise.resolve(
        names(backend).map((file) => ({ file, url: new URL(file, base).href })),
      );
    },
    requiresShaderF16: record.webgpuRequiresShaderF16 === true,
  };
}

/** Every registry model: scorers first, then generation models. */
export function catalogModels(): CatalogModel[] {
  return [...manifest.scorers.map(scorerModel), ...GENERATION_MODELS.map(generationModel)];
}
