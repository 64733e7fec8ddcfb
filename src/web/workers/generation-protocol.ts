/**
 * The contract between the pages and the generation worker (called through Comlink). Callbacks
 * are Comlink proxies; an AbortSignal cannot cross a worker boundary, so each generation carries
 * a request id and `cancel(id)` aborts it inside the worker. Errors cross as `{name, code,
 * message}` and are rebuilt with `fromSerialized`.
 */
import type {
  EngineInfo,
  GenerationEvent,
  GenerationOptions,
  GenerationResult,
  LoadProgress,
} from '../../core/generation/engine.ts';
import type { BackendPreference } from '../../runtime/web/backend.ts';
import type { AppConfig } from '@mlc-ai/web-llm';
import type { WebLlmLibInfo } from '../../core/generation/webllm-urls.ts';

export interface GenerationLoadRequest {
  modelId: string;
  backend: BackendPreference;
  /** The model host (Models page): ONNX model folders are read from it. */
  mirror?: string;
}

export type WorkerGenerationOptions = Omit<GenerationOptions, 'signal'>;

export type { TimelinePoint } from '../../core/generation/timeline.ts';
import type { TimelinePoint } from '../../core/generation/timeline.ts';

/**
 * A generation's result with its timeline, measured inside the worker. The page cannot build it
 * from the streamed events: Comlink delivers callback calls and the reply on different channels,
 * so token events can arrive after the reply (and are dropped), and a fast stream's events arrive
 * in bursts whose arrival times say nothing about when the tokens were generated.
 */
export interface TimedGenerationResult extends GenerationResult {
  timeline: TimelinePoint[];
}

export interface GenerationWorkerApi {
  load(request: GenerationLoadRequest, onProgress: (p: LoadProgress) => void): Promise<EngineInfo>;
  generate(
    requestId: number,
    prompt: string,
    options: WorkerGenerationOptions,
    onEvent: (event: GenerationEvent) => void,
  ): Promise<TimedGenerationResult>;
  cancel(requestId: number): void;
  /** Token counts with the loaded model's own tokenizer (CoT tokens for the metrics). */
  countTokens(texts: string[]): Promise<number[]>;
  unload(): Promise<void>;
  /**
   * WebLLM's cache, for the Models page. WebLLM is loaded here, in the worker, and nowhere on the
   * page, so the build holds it once (two copies were two 6 MB chunks, both precached).
   */
  webllmLibInfo(): Promise<WebLlmLibInfo>;
  webllmHasModelInCache(modelId: string, appConfig: AppConfig): Promise<boolean>;
  webllmClearCache(modelId: string, appConfig: AppConfig): Promise<void>;
}
