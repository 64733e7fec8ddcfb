/**
 * The WebLLM generation engine: a thin adapter from our GenerationEngine contract to WebLLM's
 * MLCEngineInterface (@mlc-ai/web-llm 0.2.86). It
 * - registers our model record as a custom `appConfig.model_list` entry (absolute URLs, the
 *   prebuilt Qwen2 library reused for LoRA-merged weights, `required_features` on q4f16_1),
 *   falling back to the q4f32_1 record when the GPU lacks `shader-f16`;
 * - sends our own TokenSkip prompt as a raw completion (no chat template), greedy settings
 *   explicit, streaming with `include_usage`, stopping on the family's end-of-turn strings;
 * - maps chunks to token/usage/done events and `signal` to `interruptGenerate()`.
 *
 * The MLCEngine itself comes from `createEngine` (default: WebLLM's CreateMLCEngine, loaded
 * lazily so Node tests never touch WebGPU); unit tests pass a recording fake typed as the real
 * MLCEngineInterface, and e2e/webllm-load.spec.ts drives the real CreateMLCEngine in Chromium.
 *
 * Cache policy on a failed load (web-llm 0.2.86, lib/index.js): `ArtifactCache.addToCache` stores
 * a file with `cache.add`, which keeps only complete 2xx responses, and skips files already cached
 * (tvmjs `fetchTensorCache` does the same per shard), so after a network error a retry resumes
 * where it stopped: the cache is left alone. Only a content error (a server answering an HTML
 * page with status 200, a truncated or foreign file: JSON that does not parse, a library that does
 * not compile, an integrity or size mismatch; web-llm issue #289) is repaired by dropping that
 * model's cached files, because `cache.add` accepted the wrong bytes and every later load would
 * read them again.
 */
import type {
  AppConfig,
  Completion,
  CompletionCreateParamsStreaming,
  InitProgressReport,
  MLCEngineConfig,
  MLCEngineInterface,
} from '@mlc-ai/web-llm';
import { TokenSkipError, toTokenSkipError } from '../../../core/errors.ts';
import { cacheFileStore } from '../../hub/cache-store.ts';
import {
  usageFromTimings,
  checkMaxNewTokens,
  type EngineInfo,
  type FinishReason,
  type GenerationEngine,
  type GenerationListener,
  type GenerationOptions,
  type GenerationResult,
  type GenerationUsage,
  type LoadProgress,
} from '../../../core/generation/engine.ts';
import {
  findGenerationModel,
  type GenerationModelRecord,
  type WebLlmModelRecord,
} from '../../../core/models/registry.ts';
import { webLlmModelBase, type WebLlmLibInfo } from '../../../core/generation/webllm-urls.ts';
import { webLlmAppConfig } from './webllm-config.ts';

export { toModelRecord, webLlmAppConfig } from './webllm-config.ts';

export type CreateMlcEngine = (
  modelId: string,
  config: MLCEngineConfig,
) => Promise<MLCEngineInterface>;

export interface WebLlmEngineOptions {
  record: WebLlmModelRecord;
  /** All records, to find the q4f32_1 fallback. */
  models?: GenerationModelRecord[];
  /** Base for relative model URLs (the page origin); WebLLM needs absolute ones. */
  appBase: string;
  /** The GPU's features, or null without WebGPU. Default: ask navigator.gpu. */
  gpuFeatures?: () => Promise<ReadonlySet<string> | null>;
  createEngine?: CreateMlcEngine;
  /** Drops a model's cached files after a content error (default: `clearWebLlmModelCache`). */
  clearCache?: (modelId: string, appConfig: AppConfig) => Promise<void>;
  /** web-llm's `modelLibURLPrefix` and `modelVersion` (default: read from the package). */
  libInfo?: WebLlmLibInfo;
  /**
   * Pins the picked record before WebLLM sees it (the app: an unpinned hub record gets the commit
   * `main` pointed to at its first load, `<hub>/<repo>/resolve/<sha>/`, instead of following main).
   */
  pinRecord?: (record: WebLlmModelRecord) => Promise<WebLlmModelRecord>;
  seed?: number;
}

async function navigatorGpuFeatures(): Promise<ReadonlySet<string> | null> {
  const gpu = (
    globalThis.navigator as {
      gpu?: { requestAdapter(): Promise<{ features: ReadonlySet<string> } | null> };
    }
  )?.gpu;
  if (!gpu) return null;
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? adapter.features : null;
  } catch {
    return null;
  }
}

const defaultCreateEngine: CreateMlcEngine = async (modelId, config) => {
  const { CreateMLCEngine } = await import('@mlc-ai/web-llm');
  return CreateMLCEngine(modelId, config);
};

/** web-llm's `modelLibURLPrefix` and `modelVersion`, read from the package (loads it). */
export async function webLlmLibInfo(): Promise<WebLlmLibInfo> {
  const { modelLibURLPrefix, modelVersion } = await import('@mlc-ai/web-llm');
  return { modelLibURLPrefix, modelVersion };
}

/**
 * Drops everything WebLLM cached for a model. web-llm's `deleteModelAllInfoInCache` runs its three
 * steps in sequence and its first step fetches `tensor-cache.json` (through the cache), so a broken
 * or unreachable tensor-cache.json would stop it before the library and config are dropped, and it
 * never deletes tensor-cache.json itself. Here each step runs on its own, and the cached
 * tensor-cache.json (scope "webllm/model" with the "cache" backend) is deleted last.
 */
export async function clearWebLlmModelCache(modelId: string, appConfig: AppConfig): Promise<void> {
  const webllm = await import('@mlc-ai/web-llm');
  const steps = [
    () => webllm.deleteModelWasmInCache(modelId, appConfig),
    () => webllm.deleteChatConfigInCache(modelId, appConfig),
    () => webllm.deleteModelInCache(modelId, appConfig),
    async () => {
      const record = appConfig.model_list.find((m) => m.model_id === modelId);
      if (!record) return;
      const base = webLlmModelBase(record.model, record.model);
      await cacheFileStore('webllm/model').delete(new URL('tensor-cache.json', base).href);
    },
  ];
  for (const step of steps) await step().catch(() => undefined);
}

/** Picks the record to load given the GPU's features: q4f16_1 needs shader-f16, else its fallback. */
export function pickRecord(
  record: WebLlmModelRecord,
  features: ReadonlySet<string> | null,
  models: GenerationModelRecord[],
): WebLlmModelRecord {
  if (!features) {
    throw new TokenSkipError('BACKEND_UNAVAILABLE', { id: 'webllmNoWebGpu' });
  }
  const missing = record.requiredFeatures.filter((f) => !features.has(f));
  if (missing.length === 0) return record;
  const fallback = record.fallbackId ? findGenerationModel(record.fallbackId, models) : undefined;
  if (fallback?.engine === 'webllm' && fallback.requiredFeatures.every((f) => features.has(f))) {
    return fallback;
  }
  throw new TokenSkipError('BACKEND_UNAVAILABLE', {
    id: 'webllmFeatures',
    params: { model: record.id, features: missing.join(', ') },
  });
}

function toUsage(usage: NonNullable<Completion['usage']>): GenerationUsage {
  const extra = usage.extra;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    timeToFirstTokenMs: (extra?.time_to_first_token_s ?? 0) * 1000,
    prefillTokensPerSecond: extra?.prefill_tokens_per_s ?? 0,
    decodeTokensPerSecond: extra?.decode_tokens_per_s ?? 0,
    e2eLatencyMs: (extra?.e2e_latency_s ?? 0) * 1000,
  };
}

export type LoadFailure = 'gpu' | 'content' | 'network' | 'other';

function describe(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: '', message: String(error) };
}

/**
 * What kind of load failure this is. `content`: the server answered, but with the wrong bytes (an
 * HTML page as JSON -> SyntaxError; as a library -> WebAssembly CompileError; an integrity or size
 * check). `network`: no (complete) answer: fetch failures, non-2xx statuses, aborts.
 */
export function classifyLoadError(error: unknown): LoadFailure {
  const { name, message } = describe(error);
  const text = `${name} ${message}`;
  if (/WebGPU|ShaderF16|FeatureSupport|DeviceLost|device was lost/i.test(text)) return 'gpu';
  if (
    /^(SyntaxError|CompileError|LinkError|IntegrityError)$/.test(name) ||
    /is not valid JSON|Unexpected token|JSON\.parse|magic word|WebAssembly\.(Module|instantiate|compile)|integrity|md5|data's length|nbytes|size mismatch/i.test(
      message,
    )
  ) {
    return 'content';
  }
  if (
    /fetch|network|download|Request failed|status|\b[45]\d\d\b|abort|timed? ?out|offline/i.test(
      text,
    )
  ) {
    return 'network';
  }
  return 'other';
}

/** WebLLM errors carry their class in `name`; turn the common ones into actionable codes. */
function mapError(error: unknown, modelId: string): TokenSkipError {
  if (error instanceof TokenSkipError) return error;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (/WebGPU|ShaderF16|FeatureSupport|DeviceLost|device was lost/i.test(`${name} ${message}`)) {
    return new TokenSkipError(
      'BACKEND_UNAVAILABLE',
      { id: 'webllmGpuFailed', params: { model: modelId, raw: message } },
      { cause: error },
    );
  }
  const kind = classifyLoadError(error);
  if (kind === 'content') {
    return new TokenSkipError(
      'MODEL_FILE_CORRUPT',
      { id: 'webllmBadFile', params: { model: modelId, raw: message } },
      { cause: error },
    );
  }
  if (kind === 'network') {
    return new TokenSkipError(
      'DOWNLOAD_FAILED',
      { id: 'webllmDownloadFailed', params: { model: modelId, raw: message } },
      { cause: error },
    );
  }
  return toTokenSkipError(error, 'MODEL_LOAD_FAILED');
}

export function createWebLlmEngine(options: WebLlmEngineOptions): GenerationEngine {
  const models = options.models ?? [options.record];
  const createEngine = options.createEngine ?? defaultCreateEngine;
  const clearCache = options.clearCache ?? clearWebLlmModelCache;
  let engine: MLCEngineInterface | undefined;
  let loadedRecord: WebLlmModelRecord | undefined;

  async function load(onProgress?: (p: LoadProgress) => void): Promise<EngineInfo> {
    const started = performance.now();
    await unload();
    const features = await (options.gpuFeatures ?? navigatorGpuFeatures)();
    const picked = pickRecord(options.record, features, models);
    const record = options.pinRecord ? await options.pinRecord(picked) : picked;
    const libInfo = options.libInfo ?? (await webLlmLibInfo());
    const appConfig = webLlmAppConfig(record, options.appBase, libInfo);
    try {
      engine = await createEngine(record.id, {
        appConfig,
        initProgressCallback: (r: InitProgressReport) =>
          onProgress?.({ progress: r.progress, text: r.text }),
        logLevel: 'WARN',
      });
    } catch (error) {
      // Only wrong bytes poison the cache; after a network error the retry resumes (see above).
      if (classifyLoadError(error) === 'content') {
        await clearCache(record.id, appConfig).catch(() => undefined);
      }
      throw mapError(error, record.id);
    }
    loadedRecord = record;
    const fellBack =
      record.id !== options.record.id
        ? ` (fell back from ${options.record.id}: no shader-f16)`
        : '';
    return {
      kind: 'webllm',
      modelId: record.id,
      device: 'webgpu',
      detail: `WebLLM ${record.quantization}${fellBack}`,
      loadMs: performance.now() - started,
    };
  }

  async function run(
    prompt: string,
    opts: GenerationOptions,
    emit: GenerationListener,
  ): Promise<GenerationResult> {
    if (!engine || !loadedRecord) {
      throw new TokenSkipError('MODEL_NOT_FOUND', {
        id: 'modelNotLoaded',
        params: { model: options.record.id },
      });
    }
    checkMaxNewTokens(opts.maxNewTokens, loadedRecord.contextWindowSize, loadedRecord.id);
    const request: CompletionCreateParamsStreaming = {
      prompt,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: opts.maxNewTokens,
      // Greedy, every knob explicit: defaults would come from mlc-chat-config.json otherwise.
      temperature: 0,
      top_p: 1,
      repetition_penalty: 1,
      frequency_penalty: 0,
      presence_penalty: 0,
      seed: opts.seed ?? options.seed ?? 0,
      ...(opts.stop && opts.stop.length > 0 && !opts.ignoreEos ? { stop: opts.stop } : {}),
      ...(opts.ignoreEos ? { ignore_eos: true } : {}),
    };
    const mlc = engine;
    if (opts.signal?.aborted) {
      // WebLLM clears its interrupt flag when a request starts, so never start this one.
      const usage = usageFromTimings({
        promptTokens: 0,
        completionTokens: 0,
        startMs: 0,
        firstTokenMs: 0,
        endMs: 0,
      });
      const result: GenerationResult = { text: '', finishReason: 'cancelled', usage };
      emit({ type: 'usage', usage });
      emit({ type: 'done', result });
      return result;
    }
    const onAbort = () => mlc.interruptGenerate();
    let text = '';
    let finish: FinishReason = 'length';
    let usage: GenerationUsage | undefined;
    try {
      const chunks = await mlc.completions.create(request);
      // Listen only once the request runs: an interrupt raised earlier would be cleared by it.
      opts.signal?.addEventListener('abort', onAbort);
      if (opts.signal?.aborted) onAbort();
      for await (const chunk of chunks) {
        const choice = chunk.choices[0];
        if (choice?.text) {
          text += choice.text;
          emit({ type: 'token', text: choice.text });
        }
        if (choice?.finish_reason) {
          finish =
            choice.finish_reason === 'abort'
              ? 'cancelled'
              : choice.finish_reason === 'stop'
                ? 'stop'
                : 'length';
        }
        if (chunk.usage) usage = toUsage(chunk.usage);
      }
    } catch (error) {
      throw mapError(error, loadedRecord.id);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    if (opts.signal?.aborted) finish = 'cancelled';
    if (!usage) {
      throw new TokenSkipError('MODEL_OUTPUT_INVALID', {
        id: 'webllmNoUsage',
        params: { model: loadedRecord.id },
      });
    }
    const result: GenerationResult = { text, finishReason: finish, usage };
    emit({ type: 'usage', usage });
    emit({ type: 'done', result });
    return result;
  }

  function generate(
    prompt: string,
    opts: GenerationOptions,
    onEvent: GenerationListener = () => {},
  ) {
    return run(prompt, opts, onEvent).catch((error: unknown) => {
      const e = toTokenSkipError(error);
      onEvent({ type: 'error', error: e.serialize() });
      throw e;
    });
  }

  async function unload(): Promise<void> {
    const current = engine;
    engine = undefined;
    loadedRecord = undefined;
    await current?.unload();
  }

  return { kind: 'webllm', load, generate, unload };
}
