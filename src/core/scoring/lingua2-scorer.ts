/**
 * LLMLingua-2 behind the common `Scorer` interface, so the Compress page, the CLI and the trainer
 * can swap it for CTS or perplexity. The model work is `scoreLingua2` (src/core/compression); this
 * only adapts its shape. Question and answer are ignored: LLMLingua-2 scores the CoT alone.
 */
import {
  scoreLingua2,
  selectLingua2,
  type LinguaOptions,
  type LinguaScored,
  type TokenClassifier,
} from '../compression/llmlingua2.ts';
import type { ScorerTokenizer } from '../compression/scorer-tokenizer.ts';
import type { Scorer } from './types.ts';

export function createLingua2Scorer(
  tokenizer: ScorerTokenizer,
  classifier: TokenClassifier,
  model: string,
  options: Partial<LinguaOptions> = {},
): Scorer<LinguaScored> {
  return {
    name: 'llmlingua2',
    model,
    async score(input, scoreOptions = {}) {
      scoreOptions.onprogress?.(0, 1);
      const [scored] = await scoreLingua2([input.cot], tokenizer, classifier, options, model);
      scoreOptions.onprogress?.(1, 1);
      return scored as LinguaScored;
    },
    select: (scored, rate) => selectLingua2(scored, rate, tokenizer),
  };
}
