/**
 * What a browser scorer loader (scorer-web.ts, causal-scorer-web.ts) is asked to load and what it
 * reports: the request and reply types of the scorer worker's protocol (web/workers/
 * scorer-protocol.ts re-exports them for the pages).
 */
import type { LinguaOptions } from '../../core/compression/llmlingua2.ts';
import type { CausalScorerOptions, ScoreInput } from '../../core/scoring/types.ts';
import type { BackendPreference } from './backend.ts';
import type { IntegrityStatus } from '../hub/web/model-source.ts';

/** A model to load. The worker holds one per kind, so a page can compare kinds without reloading. */
export type ScorerModelRequest =
  | {
      kind: 'llmlingua2';
      /** A manifest scorer id. */
      modelId: string;
      backend: BackendPreference;
      /** Self-hosted mirror for hub models: `<mirror>/<repo>/<file>`. */
      mirror?: string;
    }
  | {
      kind: 'causal';
      /** Folder URL of a causal LM, absolute or relative to the app (`models/fixtures/tiny-qwen2`). */
      model: string;
      /** ONNX graph inside the folder per backend (default `onnx/model.onnx`). */
      graphs?: { webgpu: string; wasm: string };
      backend: BackendPreference;
    };

export interface LoadInfo {
  modelId: string;
  backend: 'webgpu' | 'wasm';
  reason: string;
  threads: number;
  dtype: string;
  loadMs: number;
  fromCache: boolean;
  /** How the files were checked: `verified` (manifest sha256), `recorded` (hash recorded locally). */
  integrity?: IntegrityStatus;
  /**
   * Where the load's time went, ms: `backend` (adapter query), `ortImport` (ORT's glue),
   * `tokenizer` (files read + built), `session` (graph read + session created; the first session
   * also compiles ORT's WebAssembly and starts its threads). The last two overlap.
   */
  phases?: Record<string, number>;
  /** sha256 of the ONNX graph that was loaded, where the registry records it. */
  modelSha256?: string;
  /** Causal LMs: vocabulary and layers, for the stats panel. */
  vocab?: number | undefined;
  layers?: number | undefined;
}

export type ScoreRequest =
  | { scorer: 'llmlingua2'; input: ScoreInput; options: Partial<LinguaOptions> }
  | { scorer: 'cts' | 'ppl'; input: ScoreInput; options: Partial<CausalScorerOptions> };
