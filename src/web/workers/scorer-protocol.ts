/**
 * The contract between the pages and the one scorer worker (scorer.worker.ts), called through
 * Comlink by scorer-client.ts. One protocol for every scorer kind: `load` a model of a kind
 * (LLMLingua-2 / mini scorer token classifier, or a causal LM for CTS and perplexity), `score` a
 * CoT with it once. Selection at γ is not here: the page runs `selectScored` on the scores it holds.
 * Errors cross the boundary as `{name, code, message}` and are rebuilt with `fromSerialized`.
 */
import type { AnyScored } from '../../core/scoring/select.ts';
import type { FileProgress } from '../../runtime/hub/web/model-cache.ts';

export type {
  LoadInfo,
  ScoreRequest,
  ScorerModelRequest,
} from '../../runtime/web/scorer-request.ts';
import type {
  LoadInfo,
  ScoreRequest,
  ScorerModelRequest,
} from '../../runtime/web/scorer-request.ts';

export type ScorerKind = ScorerModelRequest['kind'];

export interface ScoreReply {
  scored: AnyScored;
  scoreMs: number;
}

export interface ScorerWorkerApi {
  load(request: ScorerModelRequest, onProgress: (p: FileProgress) => void): Promise<LoadInfo>;
  score(request: ScoreRequest): Promise<ScoreReply>;
  clearCache(): Promise<number>;
}
