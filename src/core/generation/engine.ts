/**
 * The generation engine contract: one interface for every back-end (ONNX Runtime in the browser or
 * Node, WebLLM on WebGPU, OpenAI-compatible endpoints), so the Generate page, the Benchmark page,
 * `collect`, `eval` and the tests never care which one ran. Decoding is greedy everywhere (TokenSkip evaluates greedily).
 *
 *   const engine = createOnnxEngine({ ... });          // or createWebLlmEngine(...)
 *   await engine.load((p) => console.log(p.text));
 *   const result = await engine.generate(prompt, { maxNewTokens: 512, stop }, (e) => {
 *     if (e.type === 'token') process.stdout.write(e.text);
 *   });
 *   result.usage.decodeTokensPerSecond;
 *
 * Event order for one call: zero or more `token`, then exactly one of
 *   - `usage` followed by `done` (finished, hit the length limit, or cancelled), or
 *   - `error` (the promise then rejects with the same TokenSkipError).
 * Cancelling through `options.signal` is not an error: the call resolves with
 * `finishReason: 'cancelled'` and the text generated so far.
 */
import { TokenSkipError, type SerializedError } from '../errors.ts';

export type EngineKind = 'onnx' | 'webllm' | 'openai';

export interface LoadProgress {
  /** 0..1 over the whole load (download + compile). */
  progress: number;
  /** What is happening, for the UI ("Fetching onnx/model.onnx (512 kB / 1 MB)"). */
  text: string;
}

export interface EngineInfo {
  kind: EngineKind;
  modelId: string;
  /** Where it runs: 'webgpu' | 'wasm' | 'cpu' (onnxruntime-node) | 'remote' (endpoints). */
  device: string;
  /** Human-readable detail: adapter, threads, quantisation. */
  detail: string;
  loadMs: number;
}

export interface GenerationOptions {
  /** Upper bound on generated tokens (TokenSkip: 512 for GSM8K, 1024 for MATH). */
  maxNewTokens: number;
  /** End-of-turn strings (the prompt family's `stop`); generation stops on the matching token. */
  stop?: string[];
  /** Keep going past end-of-turn tokens up to maxNewTokens (benchmarks of fixed output length). */
  ignoreEos?: boolean;
  /** Only reported and passed where the engine takes one; greedy decoding needs no randomness. */
  seed?: number;
  signal?: AbortSignal;
}

export interface GenerationUsage {
  promptTokens: number;
  completionTokens: number;
  /** From the call until the first generated token is known (includes prefill). */
  timeToFirstTokenMs: number;
  prefillTokensPerSecond: number;
  /** Generated tokens after the first, per second of decoding. */
  decodeTokensPerSecond: number;
  /** From the call until the last token. */
  e2eLatencyMs: number;
}

export type FinishReason = 'stop' | 'length' | 'cancelled';

export interface GenerationResult {
  text: string;
  finishReason: FinishReason;
  usage: GenerationUsage;
  /** Generated token ids, where the engine exposes them (ONNX does; WebLLM does not). */
  tokenIds?: number[];
}

export type GenerationEvent =
  | { type: 'token'; text: string; tokenId?: number }
  | { type: 'usage'; usage: GenerationUsage }
  | { type: 'done'; result: GenerationResult }
  | { type: 'error'; error: SerializedError };

export type GenerationListener = (event: GenerationEvent) => void;

export interface GenerationEngine {
  readonly kind: EngineKind;
  /** How many `generate` calls can usefully run at once (endpoints); absent: one at a time. */
  readonly slots?: number;
  /** Loads (downloads, compiles) the model; safe to call again after a failure. */
  load(onProgress?: (progress: LoadProgress) => void): Promise<EngineInfo>;
  generate(
    prompt: string,
    options: GenerationOptions,
    onEvent?: GenerationListener,
  ): Promise<GenerationResult>;
  /** Frees the session / GPU memory. The engine can be loaded again afterwards. */
  unload(): Promise<void>;
}

/** Builds the usage record the same way for every engine that measures its own timings. */
export function usageFromTimings(t: {
  promptTokens: number;
  completionTokens: number;
  startMs: number;
  firstTokenMs: number;
  endMs: number;
}): GenerationUsage {
  const ttft = Math.max(0, t.firstTokenMs - t.startMs);
  const decodeMs = Math.max(0, t.endMs - t.firstTokenMs);
  const decoded = Math.max(0, t.completionTokens - 1);
  return {
    promptTokens: t.promptTokens,
    completionTokens: t.completionTokens,
    timeToFirstTokenMs: ttft,
    prefillTokensPerSecond: ttft > 0 ? (t.promptTokens / ttft) * 1000 : 0,
    decodeTokensPerSecond: decodeMs > 0 ? (decoded / decodeMs) * 1000 : 0,
    e2eLatencyMs: Math.max(0, t.endMs - t.startMs),
  };
}

/**
 * Refuses a generation budget the model cannot hold: prompt and new tokens share its
 * `maxPositions` (config.json `max_position_embeddings`, WebLLM's context window), so a budget of
 * `maxPositions` or more can never be reached; past the limit a model either fails mid-run or
 * silently produces garbage. `what` names the setting in the message (`--max-tokens`, …).
 */
export function checkMaxNewTokens(
  maxNewTokens: number,
  maxPositions: number | undefined,
  model: string,
  what = 'maxNewTokens',
): void {
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'maxTokensPositive',
      params: { field: what, got: String(maxNewTokens) },
    });
  }
  if (maxPositions === undefined || !Number.isFinite(maxPositions)) return;
  if (maxNewTokens >= maxPositions) {
    throw new TokenSkipError('INPUT_TOO_LARGE', {
      id: 'maxTokensTooMany',
      params: {
        field: what,
        got: maxNewTokens,
        model,
        positions: maxPositions,
        max: maxPositions - 1,
      },
    });
  }
}
