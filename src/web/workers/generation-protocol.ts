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

export interface GenerationLoadRequest {
  modelId: string;
  backend: BackendPreference;
  /** The model host (Models page): ONNX model folders are read from it. */
  mirror?: string;
}

export type WorkerGenerationOptions = Omit<GenerationOptions, 'signal'>;

export interface GenerationWorkerApi {
  load(request: GenerationLoadRequest, onProgress: (p: LoadProgress) => void): Promise<EngineInfo>;
  generate(
    requestId: number,
    prompt: string,
    options: WorkerGenerationOptions,
    onEvent: (event: GenerationEvent) => void,
  ): Promise<GenerationResult>;
  cancel(requestId: number): void;
  /** Token counts with the loaded model's own tokenizer (CoT tokens for the metrics). */
  countTokens(texts: string[]): Promise<number[]>;
  unload(): Promise<void>;
}
