/**
 * Builds a GenerationEngine for a model record in the browser (inside the generation worker):
 * ONNX records on onnxruntime-web (WebGPU when available and wanted, else WASM), WebLLM records on
 * WebLLM. Also loads a record's tokenizer, to count CoT tokens with the target model's own
 * tokenizer whichever engine ran.
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import type { GenerationEngine } from '../../core/generation/engine.ts';
import {
  GENERATION_MODELS,
  type GenerationModelRecord,
  type OnnxModelRecord,
} from '../../core/models/registry.ts';
import {
  folderPlan,
  pinWebLlmRecord,
  planCachedModel,
  plannedFiles,
  WEBLLM_MODEL_CACHE,
} from '../hub/web/model-source.ts';
import type { OrtLike } from '../engines/onnx/causal-lm.ts';
import type { ModelFiles } from '../engines/onnx/model-files.ts';
import { createOnnxEngine } from '../engines/onnx/onnx-engine.ts';
import { createWebLlmEngine } from '../engines/webllm/webllm-engine.ts';
import { webLlmModelBase } from '../../core/generation/webllm-urls.ts';
import { chooseBackend, type BackendPreference } from './backend.ts';
import { ortFor } from './ort-web.ts';
import { readTokenizer } from '../../core/tokenizer.ts';

function appBase(): string {
  return new URL('/', self.location.href).href;
}

/**
 * The folder an ONNX record's files are read from, planned once (hub/web/model-source.ts): the
 * shipped ones on the app (fetched as they are: the fixtures are regenerated in place), a hub
 * record at its revision (an unpinned one pinned to the commit `main` pointed to at its first
 * load, recorded in the browser) through the model cache, checked against the registry's hashes,
 * else the hub's listing, as in Node. With a model host (`mirror`, the Models page setting) every
 * folder is on that host, in the app's layout: the URLs the Models page downloads and imports under.
 */
async function onnxFolder(record: OnnxModelRecord, mirror?: string): Promise<ModelFiles> {
  const plan = await planCachedModel(
    record,
    record.files.map((f) => f.path),
    mirror,
  );
  return plannedFiles(plan, { fresh: true });
}

async function gpuHasShaderF16(): Promise<boolean> {
  const gpu = (
    navigator as { gpu?: { requestAdapter(): Promise<{ features: ReadonlySet<string> } | null> } }
  ).gpu;
  const adapter = await gpu?.requestAdapter().catch(() => null);
  return adapter?.features.has('shader-f16') ?? false;
}

async function createBrowserOnnxEngine(
  record: OnnxModelRecord,
  preference: BackendPreference,
  mirror?: string,
): Promise<GenerationEngine> {
  const choice = await chooseBackend(preference);
  let backend = choice.backend;
  let reason = choice.reason;
  if (backend === 'webgpu' && record.webgpuRequiresShaderF16 && !(await gpuHasShaderF16())) {
    backend = 'wasm';
    reason = `${reason}; no shader-f16 for the fp16 graph, so WASM`;
  }
  // The build for the backend that runs (ort-web.ts): on WASM the plain one, not the WebGPU
  // build's Asyncify-instrumented binary (twice the size to compile, slower CPU kernels).
  const [ort, files] = await Promise.all([
    ortFor({ backend, threads: choice.threads }),
    onnxFolder(record, mirror),
  ]);
  return createOnnxEngine({
    modelId: record.id,
    ort: ort as unknown as OrtLike,
    files,
    graph: record.onnx[backend].file,
    sessionOptions: { executionProviders: [backend], graphOptimizationLevel: 'all' },
    device: backend,
    detail: reason,
    kvCacheOnGpu: backend === 'webgpu',
  });
}

export async function createBrowserEngine(
  record: GenerationModelRecord,
  preference: BackendPreference,
  mirror?: string,
): Promise<GenerationEngine> {
  if (record.engine === 'onnx') return createBrowserOnnxEngine(record, preference, mirror);
  return createWebLlmEngine({
    record,
    models: GENERATION_MODELS,
    appBase: appBase(),
    // The Models page pins the same way (one rule), so its downloads are what this load reads.
    pinRecord: async (picked) => (await pinWebLlmRecord(picked, true)) ?? picked,
  });
}

/**
 * A WebLLM model folder for our own reads: a file WebLLM keeps in its "webllm/model" cache (the
 * tokenizer it loaded, or the Models page downloaded there) is read from that cache, so counting
 * tokens works offline once the model is downloaded; anything else over HTTP as usual.
 */
function webLlmModelFiles(base: string, record: GenerationModelRecord): ModelFiles {
  return plannedFiles(folderPlan(record.id, base, [], record.files), {
    fresh: true,
    keptIn: WEBLLM_MODEL_CACHE,
  });
}

/** The record's own tokenizer (MLC weight folders ship tokenizer.json too). */
export async function loadTokenizer(
  record: GenerationModelRecord,
  mirror?: string,
): Promise<Tokenizer> {
  if (record.engine === 'onnx') return readTokenizer(await onnxFolder(record, mirror));
  // WebLLM reads a model's files from `cleanModelUrl(model)` (`/resolve/main/` appended to every
  // URL without a `/resolve/<x>/` segment, hub or not), a hub record pinned to the commit its load
  // recorded: read the tokenizer from the same folder.
  const pinned = (await pinWebLlmRecord(record, false)) ?? record;
  return readTokenizer(webLlmModelFiles(webLlmModelBase(pinned.model, appBase()), record));
}
