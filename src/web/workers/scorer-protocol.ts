/**
 * The contract between the pages and the one scorer worker (scorer.worker.ts), called through
 * Comlink by scorer-client.ts. One protocol for every scorer kind: `load` a model of a kind
 * (LLMLingua-2 / mini scorer token classifier, or a causal LM for CTS and perplexity), `score` a
 * CoT with it once. Selection at γ is not here: the page runs `selectScored` on the scores it holds.
 * Errors cross the boundary as `{name, code, message}` and are rebuilt with `fromSerialized`.
 */
import type { LinguaOptions } from '../../core/compression/llmlingua2.ts';
import type { AnyScored } from '../../core/scoring/select.ts';
import type { CausalScorerOptions, ScoreInput } from '../../core/scoring/types.ts';
import type { BackendPreference } from '../../runtime/web/backend.ts';
import type { FileProgress } from '../../runtime/hub/web/model-cache.ts';
import type { IntegrityStatus } from '../../runtime/hub/file-integrity.ts';

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

export type ScorerKind = ScorerModelRequest['kind'];

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
  /** Causal LMs: vocabulary and layers, for the stats panel. */
  vocab?: number | undefined;
  layers?: number | undefined;
}

export type ScoreRequest =
  | { scorer: 'llmlingua2'; input: ScoreInput; options: Partial<LinguaOptions> }
  | { scorer: 'cts' | 'ppl'; input: ScoreInput; options: Partial<CausalScorerOptions> };

export interface ScoreReply {
  scored: AnyScored;
  scoreMs: number;
}

export interface ScorerWorkerApi {
  load(request: ScorerModelRequest, onProgress: (p: FileProgress) => void): Promise<LoadInfo>;
  score(request: ScoreRequest): Promise<ScoreReply>;
  clearCache(): Promise<number>;
}
