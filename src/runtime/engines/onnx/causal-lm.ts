/**
 * One decoder-only causal LM exported in the transformers.js / Optimum layout, run on ONNX Runtime
 * with a KV cache: `input_ids`, `attention_mask`, `position_ids`, `past_key_values.{i}.key|value`
 * [B, kv_heads, past, head_dim] -> `logits`, `present.{i}.key|value`. The same code runs on
 * onnxruntime-web (WebGPU or WASM) and onnxruntime-node: the caller passes its `ort` module, whose
 * API both share (onnxruntime-common).
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { TokenSkipError } from '../../../core/errors.ts';
import { f16BitsToF32 } from '../../../core/half-float.ts';
import { checkFiniteLogits } from '../../../core/scoring/finite-logits.ts';

/** The part of `onnxruntime-web` / `onnxruntime-node` used here. */
export interface OrtLike {
  InferenceSession: {
    create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession>;
  };
  Tensor: {
    new (type: 'int64', data: BigInt64Array, dims: readonly number[]): Tensor;
    new (type: 'float32', data: Float32Array, dims: readonly number[]): Tensor;
    new (type: 'float16', data: Uint16Array, dims: readonly number[]): Tensor;
  };
}

/** The fields of a Hugging Face `config.json` that the KV cache needs. */
export interface CausalLmConfig {
  numLayers: number;
  numKvHeads: number;
  headDim: number;
  kvDtype: 'float32' | 'float16';
}

export function parseCausalLmConfig(
  config: Record<string, unknown>,
  where: string,
): CausalLmConfig {
  const int = (key: string): number | undefined => {
    const v = config[key];
    return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
  };
  const numLayers = int('num_hidden_layers');
  const heads = int('num_attention_heads');
  const numKvHeads = int('num_key_value_heads') ?? heads;
  const hidden = int('hidden_size');
  const headDim = int('head_dim') ?? (hidden && heads ? hidden / heads : undefined);
  if (!numLayers || !numKvHeads || !headDim || !Number.isInteger(headDim)) {
    throw new TokenSkipError('MODEL_FILE_CORRUPT', { id: 'notCausalConfig', params: { where } });
  }
  const jsConfig = config['transformers.js_config'] as { kv_cache_dtype?: unknown } | undefined;
  const kvDtype = jsConfig?.kv_cache_dtype === 'float16' ? 'float16' : 'float32';
  return { numLayers, numKvHeads, headDim, kvDtype };
}

export class CausalLm {
  private past: Record<string, Tensor> = {};
  private pastLength = 0;

  private constructor(
    private readonly ort: OrtLike,
    readonly session: InferenceSession,
    readonly config: CausalLmConfig,
    private readonly name: string,
  ) {}

  /**
   * `kvCacheOnGpu` (WebGPU only): every `present.*` output stays in a GPU buffer
   * (`preferredOutputLocation: 'gpu-buffer'`, as transformers.js does in src/models/session.js) and
   * is fed back as `past_key_values.*` next step, so the cache never makes the GPU -> CPU -> GPU
   * round trip per token; the logits still come back to the CPU for argmax.
   */
  static async create(
    ort: OrtLike,
    model: Uint8Array,
    config: CausalLmConfig,
    options: InferenceSession.SessionOptions = {},
    name = 'model',
    kvCacheOnGpu = false,
  ): Promise<CausalLm> {
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(
        model,
        kvCacheOnGpu ? withGpuKvCache(options, config.numLayers) : options,
      );
    } catch (error) {
      throw new TokenSkipError(
        'MODEL_LOAD_FAILED',
        {
          id: 'onnxSessionFailed',
          params: { model: name, raw: error instanceof Error ? error.message : String(error) },
        },
        { cause: error },
      );
    }
    const needed = ['input_ids', 'attention_mask', 'past_key_values.0.key'];
    const missing = needed.filter((n) => !session.inputNames.includes(n));
    if (missing.length > 0 || !session.outputNames.includes('logits')) {
      await session.release();
      throw new TokenSkipError('MODEL_LOAD_FAILED', {
        id: 'engineNotCausalKv',
        params: {
          model: name,
          missing: missing
            .concat(session.outputNames.includes('logits') ? [] : ['logits'])
            .join(', '),
        },
      });
    }
    // The graph knows its cache type better than config.json (fp16 exports keep an fp16 cache).
    const meta = session.inputMetadata?.find((m) => m.name === 'past_key_values.0.key');
    const kvDtype = meta?.isTensor && meta.type === 'float16' ? 'float16' : config.kvDtype;
    return new CausalLm(ort, session, { ...config, kvDtype }, name);
  }

  /** Drops the KV cache (freeing its GPU buffers): the next `forward` starts a new sequence. */
  reset(): void {
    disposeAll(this.past);
    this.past = {};
    this.pastLength = 0;
  }

  /** Where the cache lives now ('gpu-buffer' on WebGPU with `kvCacheOnGpu`, else 'cpu'). */
  get kvLocation(): string | undefined {
    return Object.values(this.past)[0]?.location;
  }

  private emptyPast(): Record<string, Tensor> {
    const { numLayers, numKvHeads, headDim, kvDtype } = this.config;
    const feeds: Record<string, Tensor> = {};
    const dims = [1, numKvHeads, 0, headDim];
    for (let i = 0; i < numLayers; i++) {
      for (const kind of ['key', 'value']) {
        feeds[`past_key_values.${i}.${kind}`] =
          kvDtype === 'float16'
            ? new this.ort.Tensor('float16', new Uint16Array(0), dims)
            : new this.ort.Tensor('float32', new Float32Array(0), dims);
      }
    }
    return feeds;
  }

  /**
   * Feeds `ids` after what is already cached and returns the logits of the last position.
   * Batch size 1: the engines decode one sequence at a time (as TokenSkip's latency is measured).
   */
  async forward(ids: readonly number[]): Promise<Float32Array> {
    const total = this.pastLength + ids.length;
    const feeds: Record<string, Tensor> = {
      ...(this.pastLength === 0 ? this.emptyPast() : this.past),
      input_ids: new this.ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
      attention_mask: new this.ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
    };
    if (this.session.inputNames.includes('position_ids')) {
      const pos = BigInt64Array.from(ids, (_, j) => BigInt(this.pastLength + j));
      feeds.position_ids = new this.ort.Tensor('int64', pos, [1, ids.length]);
    }
    let out: InferenceSession.ReturnType;
    try {
      out = await this.session.run(feeds);
    } catch (error) {
      throw runError(error, this.name, total);
    }
    const logits = out.logits;
    if (!logits || logits.dims.length !== 3) {
      throw new TokenSkipError(
        'MODEL_OUTPUT_INVALID',
        logits
          ? { id: 'engineLogitsShape', params: { model: this.name, dims: logits.dims.join(', ') } }
          : { id: 'engineNoLogits', params: { model: this.name } },
      );
    }
    const next: Record<string, Tensor> = {};
    for (let i = 0; i < this.config.numLayers; i++) {
      for (const kind of ['key', 'value']) {
        const present = out[`present.${i}.${kind}`];
        if (!present) {
          throw new TokenSkipError('MODEL_OUTPUT_INVALID', {
            id: 'enginePresentMissing',
            params: { model: this.name, layer: i, kind, layers: this.config.numLayers },
          });
        }
        next[`past_key_values.${i}.${kind}`] = present;
      }
    }
    // Free the previous step's cache tensors (GPU buffers on WebGPU) once replaced.
    disposeAll(this.past);
    this.past = next;
    this.pastLength = total;
    const vocab = logits.dims[2] ?? 0;
    const start = (logits.dims[1]! - 1) * vocab;
    const row =
      logits.type === 'float16'
        ? Float32Array.from(
            (logits.data as Uint16Array).subarray(start, start + vocab),
            f16BitsToF32,
          )
        : (logits.data as Float32Array).slice(start, start + vocab);
    logits.dispose?.();
    checkFiniteLogits(row, this.name);
    return row;
  }

  async release(): Promise<void> {
    this.reset();
    await this.session.release();
  }
}

/** Disposes tensors that hold device memory (GPU buffers); CPU tensors are left to the GC. */
function disposeAll(tensors: Record<string, Tensor>): void {
  for (const t of Object.values(tensors)) {
    if (t.location === 'gpu-buffer') t.dispose();
  }
}

/** Session options that keep every `present.{i}.key|value` output on the GPU (logits stay on the CPU). */
export function withGpuKvCache(
  options: InferenceSession.SessionOptions,
  numLayers: number,
): InferenceSession.SessionOptions {
  const preferredOutputLocation: Record<string, 'gpu-buffer'> = {};
  for (let i = 0; i < numLayers; i++) {
    preferredOutputLocation[`present.${i}.key`] = 'gpu-buffer';
    preferredOutputLocation[`present.${i}.value`] = 'gpu-buffer';
  }
  return { ...options, preferredOutputLocation };
}

/**
 * A failed session run: on WebGPU a lost device or an exhausted GPU heap surfaces here as a plain
 * Error; name it, so the UI can say what happened and offer WASM.
 */
export function runError(error: unknown, name: string, tokens: number): TokenSkipError {
  const message = error instanceof Error ? error.message : String(error);
  if (
    /device (was |is )?lost|lost device|out of memory|OutOfMemory|allocat|\bOOM\b/i.test(message)
  ) {
    return new TokenSkipError(
      'BACKEND_UNAVAILABLE',
      { id: 'gpuFailedAt', params: { model: name, tokens, raw: message } },
      { cause: error },
    );
  }
  return new TokenSkipError(
    'INTERNAL',
    { id: 'ortRunFailed', params: { model: name, raw: message } },
    { cause: error },
  );
}

/** Index of the largest logit (the first on ties, like torch.argmax). */
export function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}
