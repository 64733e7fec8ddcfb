/** What the browser bench harness worker offers (bench/browser/worker.ts). */
export interface GenerateRequest {
  /** URL of a transformers.js-layout model folder, ending in '/'. */
  base: string;
  backend: 'webgpu' | 'wasm';
  threads: number;
  /** Keep the KV cache on the GPU (WebGPU only); the app does. */
  kvCacheOnGpu: boolean;
  prompts: string[];
  maxNewTokens: number;
  ignoreEos: boolean;
  stop?: string[];
  /** Untimed runs of the first prompt before the timed ones. */
  warmup: number;
  repeats: number;
}

export interface GenerateRun {
  prompt: number;
  tokenIds: number[];
  text: string;
  completionTokens: number;
  timeToFirstTokenMs: number;
  decodeTokensPerSecond: number;
  e2eLatencyMs: number;
}

export interface GenerateReport {
  detail: string;
  device: string;
  loadMs: number;
  runs: GenerateRun[];
}

export interface ClassifyRequest {
  url: string;
  threads: number;
  seqLen: number;
  /** Token ids are drawn in [5, vocabSize): the compute does not depend on which. */
  vocabSize: number;
  warmup: number;
  repeats: number;
}

export interface ClassifyReport {
  threads: number;
  crossOriginIsolated: boolean;
  inputNames: string[];
  ms: number[];
}

export interface HarnessApi {
  /** Where the KV cache lives after each of three forward steps on WebGPU. */
  kvLocation(base: string, kvCacheOnGpu: boolean): Promise<string[]>;
  generate(request: GenerateRequest): Promise<GenerateReport>;
  classify(request: ClassifyRequest): Promise<ClassifyReport>;
}
