/** What the browser bench harness worker offers (bench/browser/worker.ts). */
import type { PeerRunReport, PeerRunRequest } from '../peer/sides.ts';

export interface GenerateRequest {
  /** URL of a transformers.js-layout model folder, ending in '/'. */
  base: string;
  backend: 'webgpu' | 'wasm';
  /**
   * Which onnxruntime-web build runs it; default the app's choice for the backend
   * (src/runtime/web/ort-web.ts). 'webgpu' with the WASM backend runs the WebGPU build's
   * Asyncify-instrumented binary on the CPU, what the app's generation worker used until it chose
   * per backend: bench:generate --browser prints both.
   */
  ortBuild?: 'webgpu' | 'wasm';
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

export interface LargeRequest {
  /** URL path of the model folder on the harness (a `/bench-mount/<name>` mount), no trailing '/'. */
  base: string;
  backend: 'webgpu' | 'wasm';
  /** Offer the folder's fp16 graph to WebGPU (chosen only where the adapter has `shader-f16`). */
  offerFp16: boolean;
  text: string;
  rate: number;
}

export interface LargeReport {
  backend: 'webgpu' | 'wasm';
  reason: string;
  dtype: string;
  graph: string;
  shaderF16: boolean;
  fromCache: boolean;
  integrity?: string;
  loadMs: number;
  scoreMs: number;
  /** 512-token chunks the scorer ran (1 for a text that fits one). */
  chunks: number;
  words: number;
  kept: string[];
  /** 1 = kept, per word, in order. */
  labels: number[];
  compressed: string;
}

export interface PeerBrowserRequest extends PeerRunRequest {
  backend: 'wasm' | 'webgpu';
  threads: number;
  /** URL of the folder holding the model folder (transformers.js `env.localModelPath`), ending in '/'. */
  modelsBase: string;
  modelName: string;
  /** URL of the peer's own onnxruntime-web dist/ (transformers.js pins its own build), ending in '/'. */
  peerOrtBase: string;
}

export interface PeerBrowserReport extends PeerRunReport {
  crossOriginIsolated: boolean;
  /** Our onnxruntime-web version; whether the peer ran on that same ORT instance or its own. */
  ortVersions: { ours: string; peer: 'shared' | 'own' };
  loadMs: { ours: number; peer: number };
  latencyTokens: number;
}

export interface HarnessApi {
  /** Loads a generated model folder through the app's own scorer path and scores `text` once. */
  large(request: LargeRequest): Promise<LargeReport>;
  /** bench:peer: our scorer and @atjsh/llmlingua-2 in this one worker, on one backend. */
  peer(request: PeerBrowserRequest): Promise<PeerBrowserReport>;
  /** Where the KV cache lives after each of three forward steps on WebGPU. */
  kvLocation(base: string, kvCacheOnGpu: boolean): Promise<string[]>;
  generate(request: GenerateRequest): Promise<GenerateReport>;
  classify(request: ClassifyRequest): Promise<ClassifyReport>;
}
