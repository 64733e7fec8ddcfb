/**
 * The contract between the Compress page and the causal-scorer worker (CTS and perplexity over a
 * reference causal LM), called through Comlink. A separate worker from LLMLingua-2's so the page can
 * hold both models at once and compare scorers on the same CoT without reloading either.
 */
import type { CausalSelection } from '../../core/scoring/causal-select.ts';
import type {
  CausalScoredText,
  CausalScorerOptions,
  ScoreInput,
  SelectionMode,
} from '../../core/scoring/types.ts';
import type { BackendPreference } from '../../runtime/web/backend.ts';
import type { FileProgress } from '../../runtime/web/model-cache.ts';
import type { LoadInfo } from './scorer-protocol.ts';

export interface CausalLoadRequest {
  /** Folder URL of the model, absolute or relative to the app (`models/fixtures/tiny-qwen2`). */
  model: string;
  /** ONNX graph inside the folder per backend (default `onnx/model.onnx`). */
  graphs?: { webgpu: string; wasm: string };
  backend: BackendPreference;
}

/** Shaped like LLMLingua-2's `LoadInfo`, so the page's stats panel shows either. */
export interface CausalLoadInfo extends LoadInfo {
  vocab: number | undefined;
  layers: number | undefined;
}

export interface CausalScoreRequest {
  scorer: 'cts' | 'ppl';
  input: ScoreInput;
  options: Partial<CausalScorerOptions>;
}

export interface CausalScoreReply {
  scored: CausalScoredText;
  scoreMs: number;
}

export interface CausalWorkerApi {
  load(request: CausalLoadRequest, onProgress: (p: FileProgress) => void): Promise<CausalLoadInfo>;
  score(request: CausalScoreRequest): Promise<CausalScoreReply>;
  /** Thresholds a scored text at γ; no model call. */
  select(scored: CausalScoredText, rate: number, mode: SelectionMode): Promise<CausalSelection>;
}
