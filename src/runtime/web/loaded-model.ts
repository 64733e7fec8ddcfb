/** What the scorer worker holds per scorer kind once a model is loaded. */
import type { AnyScored } from '../../core/scoring/select.ts';
import type { Scorer } from '../../core/scoring/types.ts';
import type { LoadInfo, ScoreRequest } from './scorer-request.ts';

export interface LoadedModel {
  info: LoadInfo;
  /** The scorer for a request with its options, or undefined when the model is of another kind. */
  scorer(request: ScoreRequest): Scorer<AnyScored> | undefined;
  release(): Promise<void>;
}
