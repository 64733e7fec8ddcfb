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
 * lazily so Node tests never touch WebGPU); tests pass a recording fake typed as the real
 * MLCEngineInterface.
 */
import type {
  AppConfig,
  Completion,
  CompletionCreateParamsStreaming,
  InitProgressReport,
  MLCEngineConfig,
  MLCEngineInterface,
  ModelRecord,
} from '@mlc-ai/web-llm';
import { TokenSkipError, toTokenSkipError } from '../../../core/errors.ts';
import {
  usageFromTimings,
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
} from '../../../core/generation/model-records.ts';

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
  /** Drops a model's cached files (default: WebLLM's deleteModelAllInfoInCache). */
  clearCache?: (modelId: string, appConfig: AppConfig) => Promise<void>;
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

const defaultClearCache = async (modelId: string, appConfig: AppConfig): Promise<void> => {
  const { deleteModelAllInfoInCache } = await import('@mlc-ai/web-llm');
  await deleteModelAllInfoInCache(modelId, appConfig);
};

/** Our record as a WebLLM ModelRecord, with absolute URLs. */
export function toModelRecord(record: WebLlmModelRecord, appBase: string): ModelRecord {
  return {
    model: new URL(record.model, appBase).href,
    model_id: record.id,
    model_lib: new URL(record.modelLib, appBase).href,
    vram_required_MB: record.vramRequiredMB,
    low_resource_required: true,
    required_features: record.requiredFeatures,
    overrides: { context_window_size: record.contextWindowSize },
  };
}

/** Picks the record to load given the GPU's features: q4f16_1 needs shader-f16, else its fallback. */
export function pickRecord(
  record: WebLlmModelRecord,
  features: ReadonlySet<string> | null,
  models: GenerationModelRecord[],
): WebLlmModelRecord {
  if (!features) {
    throw new TokenSkipError(
      'BACKEND_UNAVAILABLE',
      `WebLLM needs WebGPU, which this browser does not offer (no GPU adapter). Use the ONNX engine instead: it runs on WASM.`,
    );
  }
  const missing = record.requiredFeatures.filter((f) => !features.has(f));
  if (missing.length === 0) return record;
  const fallback = record.fallbackId ? findGenerationModel(record.fallbackId, models) : undefined;
  if (fallback?.engine === 'webllm' && fallback.requiredFeatures.every((f) => features.has(f))) {
    return fallback;
  }
  throw new TokenSkipError(
    'BACKEND_UNAVAILABLE',
    `${record.id} needs the WebGPU feature(s) ${missing.join(', ')}, which this GPU lacks, and has no fallback. Pick a q4f32_1 model or the ONNX engine.`,
  );
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

/** WebLLM errors carry their class in `name`; turn the common ones into actionable codes. */
function mapError(error: unknown, modelId: string): TokenSkipError {
  if (error instanceof TokenSkipError) return error;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (/WebGPU|ShaderF16|FeatureSupport|DeviceLost|device was lost/i.test(`${name} ${message}`)) {
    return new TokenSkipError(
      'BACKEND_UNAVAILABLE',
      `WebLLM could not use the GPU for ${modelId}: ${message}. Reload the page, or use the ONNX engine.`,
      { cause: error },
    );
  }
  if (/fetch|network|download|404|Failed to/i.test(message)) {
    return new TokenSkipError(
      'DOWNLOAD_FAILED',
      `WebLLM could not download ${modelId}: ${message}. Check the connection (or clear the model's cache), or use the ONNX engine.`,
      { cause: error },
    );
  }
  return toTokenSkipError(error, 'MODEL_LOAD_FAILED');
}

export function createWebLlmEngine(options: WebLlmEngineOptions): GenerationEngine {
  const models = options.models ?? [options.record];
  const createEngine = options.createEngine ?? defaultCreateEngine;
  const clearCache = options.clearCache ?? defaultClearCache;
  let engine: MLCEngineInterface | undefined;
  let loadedRecord: WebLlmModelRecord | undefined;

  async function load(onProgress?: (p: LoadProgress) => void): Promise<EngineInfo> {
    const started = performance.now();
    await unload();
    const features = await (options.gpuFeatures ?? navigatorGpuFeatures)();
    const record = pickRecord(options.record, features, models);
    const appConfig: AppConfig = {
      model_list: [toModelRecord(record, options.appBase)],
      cacheBackend: 'cache',
    };
    try {
      engine = await createEngine(record.id, {
        appConfig,
        initProgressCallback: (r: InitProgressReport) =>
          onProgress?.({ progress: r.progress, text: r.text }),
        logLevel: 'WARN',
      });
    } catch (error) {
      const mapped = mapError(error, record.id);
      // An interrupted download can leave a broken cache entry that fails every later load;
      // drop it so the next attempt starts clean (GPU errors leave the cache alone).
      if (mapped.code !== 'BACKEND_UNAVAILABLE')
        await clearCache(record.id, appConfig).catch(() => undefined);
      throw mapped;
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
      throw new TokenSkipError(
        'MODEL_NOT_FOUND',
        `${options.record.id} is not loaded: call load() first.`,
      );
    }
    if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 1) {
      throw new TokenSkipError(
        'INVALID_ARGUMENT',
        `maxNewTokens must be a positive integer, got ${String(opts.maxNewTokens)}.`,
      );
    }
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
      throw new TokenSkipError(
        'MODEL_OUTPUT_INVALID',
        `WebLLM finished ${loadedRecord.id} without a usage chunk (stream_options.include_usage was set).`,
      );
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
