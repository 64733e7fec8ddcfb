/**
 * The contract between the Compress page and the scorer worker (called through Comlink).
 * Errors cross the boundary as `{name, code, message}` and are rebuilt with `fromSerialized`.
 */
import type { CompressionResult } from '../../core/compression/types.ts';
import type { LinguaOptions, LinguaScored } from '../../core/compression/llmlingua2.ts';
import type { BackendPreference } from '../../runtime/web/backend.ts';
import type { FileProgress } from '../../runtime/web/model-cache.ts';
import type { ProxyMarked } from 'comlink';
import type { CausalWorkerApi } from './causal-scorer-protocol.ts';
import type { IntegrityStatus } from '../../runtime/models/file-integrity.ts';

export interface LoadRequest {
  modelId: string;
  backend: BackendPreference;
  /** Self-hosted mirror for hub models: `<mirror>/<repo>/<file>`. */
  mirror?: string;
}

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
}

export interface ScoreReply {
  scored: LinguaScored;
  scoreMs: number;
}

export interface ScorerWorkerApi {
  load(request: LoadRequest, onProgress: (p: FileProgress) => void): Promise<LoadInfo>;
  score(text: string, options: Partial<LinguaOptions>): Promise<ScoreReply>;
  /** Re-thresholds the last scored text at γ; no model call. */
  select(rate: number): Promise<CompressionResult>;
  clearCache(): Promise<number>;
}

/** What scorer.worker.ts exposes: both scorers, each a Comlink proxy of its own API. */
export interface ScorersWorkerApi {
  lingua: ScorerWorkerApi & ProxyMarked;
  causal: CausalWorkerApi & ProxyMarked;
}
