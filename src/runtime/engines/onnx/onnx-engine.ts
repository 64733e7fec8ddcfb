/**
 * The ONNX generation engine: greedy decoding with a KV cache over any causal LM exported in the
 * transformers.js layout, on onnxruntime-web (WebGPU or WASM) or onnxruntime-node.
 *
 * Why a thin loop over ORT sessions rather than transformers.js' `generate()`: we need the
 * prefill/decode split measured around the session runs themselves, a cancel check between every
 * step, and the same code on ORT-web and ORT-node with the caller's `ort` module (transformers.js
 * picks its own runtime and hides the timings). The model layout and tokenizer are still
 * transformers.js', so its exports run here unchanged.
 *
 *   import * as ort from 'onnxruntime-node';
 *   const engine = createOnnxEngine({ modelId: 'tiny-qwen2', ort, files: nodeModelFiles(dir) });
 *   await engine.load();
 *   const { text, usage } = await engine.generate(prompt, { maxNewTokens: 64, stop: ['<|im_end|>'] });
 */
import type { InferenceSession } from 'onnxruntime-common';
import type { Tokenizer } from '@huggingface/tokenizers';
import { TokenSkipError, toTokenSkipError } from '../../../core/errors.ts';
import {
  usageFromTimings,
  checkMaxNewTokens,
  type EngineInfo,
  type FinishReason,
  type GenerationEngine,
  type GenerationListener,
  type GenerationOptions,
  type GenerationResult,
  type LoadProgress,
} from '../../../core/generation/engine.ts';
import { CausalLm, argmax, parseCausalLmConfig, type OrtLike } from './causal-lm.ts';
import { readJson, type ModelFiles } from './model-files.ts';
import { TextStream, yieldToEventLoop } from './text-stream.ts';
import { readTokenizer } from '../../../core/tokenizer.ts';

export interface OnnxEngineOptions {
  modelId: string;
  ort: OrtLike;
  files: ModelFiles;
  /** Graph file inside the model folder (transformers.js names: model.onnx, model_fp16.onnx, ...). */
  graph?: string;
  sessionOptions?: InferenceSession.SessionOptions;
  /** Reported in EngineInfo: 'webgpu' | 'wasm' | 'cpu'. */
  device: string;
  detail?: string;
  /** WebGPU: keep the KV cache in GPU buffers between steps (see CausalLm.create). */
  kvCacheOnGpu?: boolean;
}

interface Loaded {
  lm: CausalLm;
  tokenizer: Tokenizer;
  eosIds: Set<number>;
  /** config.json max_position_embeddings: prompt + new tokens must fit. */
  maxPositions?: number;
}

function eosIdsOf(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  return Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : [];
}

export function createOnnxEngine(options: OnnxEngineOptions): GenerationEngine {
  const graph = options.graph ?? 'onnx/model.onnx';
  let loaded: Loaded | undefined;
  // ORT sessions run one call at a time; later calls wait for earlier ones.
  let queue: Promise<unknown> = Promise.resolve();

  async function load(onProgress?: (p: LoadProgress) => void): Promise<EngineInfo> {
    const started = performance.now();
    await unload();
    const where = `${options.modelId} (${options.files.location})`;
    const report = (progress: number, text: string) => onProgress?.({ progress, text });
    try {
      report(0, 'Reading config and tokenizer');
      const [config, genConfig, tokenizer] = await Promise.all([
        readJson(options.files, 'config.json'),
        readJson(options.files, 'generation_config.json').catch(
          (): Record<string, unknown> => ({}),
        ),
        readTokenizer(options.files),
      ]);
      const lmConfig = parseCausalLmConfig(config, where);
      const bytes = await options.files.readBytes(graph, (done, total) =>
        report(0.05 + 0.8 * (total > 0 ? done / total : 0), `Fetching ${graph}`),
      );
      report(0.9, `Creating the ${options.device} session`);
      const lm = await CausalLm.create(
        options.ort,
        bytes,
        lmConfig,
        options.sessionOptions,
        where,
        options.kvCacheOnGpu ?? false,
      );
      const eosIds = new Set([
        ...eosIdsOf(genConfig.eos_token_id),
        ...eosIdsOf(config.eos_token_id),
      ]);
      const positions = config.max_position_embeddings;
      loaded = {
        lm,
        tokenizer,
        eosIds,
        ...(typeof positions === 'number' ? { maxPositions: positions } : {}),
      };
      report(1, 'Ready');
      return {
        kind: 'onnx',
        modelId: options.modelId,
        device: options.device,
        detail:
          (options.detail ?? `ONNX Runtime (${options.device}), ${lmConfig.numLayers} layers`) +
          (options.kvCacheOnGpu ? '; KV cache on the GPU' : ''),
        loadMs: performance.now() - started,
      };
    } catch (error) {
      throw toTokenSkipError(error, 'MODEL_LOAD_FAILED');
    }
  }

  async function run(
    prompt: string,
    opts: GenerationOptions,
    emit: GenerationListener,
  ): Promise<GenerationResult> {
    if (!loaded) {
      throw new TokenSkipError('MODEL_NOT_FOUND', {
        id: 'modelNotLoaded',
        params: { model: options.modelId },
      });
    }
    checkMaxNewTokens(opts.maxNewTokens, loaded.maxPositions, options.modelId);
    const { lm, tokenizer, eosIds } = loaded;
    // A stop string that is a special token stops on that token; any other stops on the text.
    const special = new Map(
      [...tokenizer.get_added_tokens_decoder()].map(([id, t]) => [t.content, id]),
    );
    const stopIds = new Set(eosIds);
    const stopTexts: string[] = [];
    for (const s of opts.stop ?? []) {
      const id = special.get(s);
      if (id !== undefined) stopIds.add(id);
      else if (s !== '') stopTexts.push(s);
    }
    const promptIds = tokenizer.encode(prompt, { add_special_tokens: false }).ids;
    if (promptIds.length === 0) {
      throw new TokenSkipError('EMPTY_INPUT', { id: 'promptEmpty' });
    }
    const stream = new TextStream(tokenizer);
    const maxStop = Math.max(1, ...stopTexts.map((s) => s.length));
    let tail = '';
    const tokenIds: number[] = [];
    const startMs = performance.now();
    let firstTokenMs = startMs;
    let finishReason: FinishReason = 'length';
    lm.reset();
    let input: number[] = promptIds;
    while (tokenIds.length < opts.maxNewTokens) {
      if (opts.signal?.aborted) {
        finishReason = 'cancelled';
        break;
      }
      const next = argmax(await lm.forward(input));
      if (tokenIds.length === 0) firstTokenMs = performance.now();
      if (stopIds.has(next) && !opts.ignoreEos) {
        finishReason = 'stop';
        break;
      }
      tokenIds.push(next);
      const delta = stream.push(next);
      if (delta) {
        emit({ type: 'token', text: delta, tokenId: next });
        // A stop string that appears now ends within this delta: search only that tail, not the
        // whole text (which would make every step O(length)).
        if (!opts.ignoreEos && stopTexts.length > 0) {
          tail = (tail + delta).slice(-(delta.length + maxStop - 1));
          if (stopTexts.some((s) => tail.includes(s))) {
            finishReason = 'stop';
            break;
          }
        }
      }
      input = [next];
      await yieldToEventLoop();
    }
    const endMs = performance.now();
    let text = stream.finish();
    for (const s of opts.ignoreEos ? [] : stopTexts) {
      const at = text.indexOf(s);
      if (at >= 0) text = text.slice(0, at);
    }
    const usage = usageFromTimings({
      promptTokens: promptIds.length,
      // The stop token is generated too (and counted, as WebLLM and vLLM count it).
      completionTokens: tokenIds.length + (finishReason === 'stop' ? 1 : 0),
      startMs,
      firstTokenMs,
      endMs,
    });
    const result: GenerationResult = { text, finishReason, usage, tokenIds };
    emit({ type: 'usage', usage });
    emit({ type: 'done', result });
    return result;
  }

  function generate(
    prompt: string,
    opts: GenerationOptions,
    onEvent: GenerationListener = () => {},
  ): Promise<GenerationResult> {
    const job = queue.then(async () => {
      try {
        return await run(prompt, opts, onEvent);
      } catch (error) {
        const e = toTokenSkipError(error);
        onEvent({ type: 'error', error: e.serialize() });
        throw e;
      }
    });
    queue = job.catch(() => undefined);
    return job;
  }

  async function unload(): Promise<void> {
    const current = loaded;
    loaded = undefined;
    await current?.lm.release();
  }

  return { kind: 'onnx', load, generate, unload };
}
