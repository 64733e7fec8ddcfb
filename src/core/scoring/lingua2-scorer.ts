/**
 * LLMLingua-2 (and the mini scorer, an LLMLingua-2 token classifier) behind the common `Scorer`
 * contract, so the page, the CLI and the trainer swap it for CTS or perplexity. The model work is
 * `scoreLingua2` (src/core/compression), which batches the chunks of many texts through shared
 * model calls; selection is `selectScored` (select.ts). Question and answer are ignored:
 * LLMLingua-2 scores the CoT alone.
 */
import {
  resolveLinguaOptions,
  scoreLingua2,
  validateText,
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
  partial: Partial<LinguaOptions> = {},
): Scorer<LinguaScored> {
  const options = resolveLinguaOptions(partial);
  const scoreMany: Scorer<LinguaScored>['scoreMany'] = async (inputs, scoreOptions = {}) => {
    scoreOptions.onprogress?.(0, 1);
    const scored = await scoreLingua2(
      inputs.map((input) => input.cot),
      tokenizer,
      classifier,
      options,
      model,
    );
    scoreOptions.onprogress?.(1, 1);
    return scored;
  };
  return {
    name: 'llmlingua2',
    model,
    scoreMany,
    score: async (input, scoreOptions) => (await scoreMany([input], scoreOptions))[0]!,
    check: (input) => void validateText(input.cot, 'text'),
  };
}
