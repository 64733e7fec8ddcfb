/**
 * CTS (Conditional Token Selection) and perplexity scorers over any causal LM.
 *
 * CTS: s_i = log p(x_i | c, x_<i) - log p(x_i | x_<i), the condition c (question, answer or both)
 * placed before the CoT. Perplexity (LLMLingua-1 style, CTS's unconditional ablation):
 * s_i = -log p(x_i | x_<i). Higher scores are kept.
 *
 * The CoT is tokenized once, truncated to `maxTokens` (the text after it is dropped, as the reference
 * does) and scored in windows of `windowSize` tokens. Each window is scored on its own:
 *   plain pass:        start ++ window            -> log p(x_i | x_<i)
 *   conditional pass:  start ++ condition ++ window -> log p(x_i | c, x_<i)
 * where `start` is the model's BOS (else EOS) so the first token is predicted from something. The
 * CoT token ids are identical in both passes (the condition is tokenized separately and
 * concatenated), so the two log-probs line up token for token. Windows do not see earlier windows;
 * the reference (LLMLingua's iterative compression) instead carries the already-compressed earlier
 * windows as context, which this module does not reproduce. A unit's score is the mean of its
 * tokens' scores (one token, except characters split over byte tokens).
 *
 *   const scorer = createCausalScorer('cts', lm, tokenizer, 'tiny-qwen2', { condition: 'both' });
 *   const scored = await scorer.score({ cot, question, answer });
 *   const result = selectScored(scored, 0.6);   // select.ts: any γ, no model
 */
import { TokenSkipError } from '../errors.ts';
import { countCl100kTokens as countCl100k } from '../compression/token-count.ts';
import { MAX_TEXT_CHARS } from '../compression/llmlingua2.ts';
import { packWindows, tokenUnits } from './token-units.ts';
import {
  defaultCausalScorerOptions,
  type CausalLogProbs,
  type CausalScoredText,
  type CausalScorerOptions,
  type CausalTokenizer,
  type Condition,
  type ScoreInput,
  type Scorer,
  type TokenUnit,
} from './types.ts';

export type CausalScorerName = 'cts' | 'ppl';

export interface CausalScorer extends Scorer<CausalScoredText> {
  readonly name: CausalScorerName;
}

export function validateCausalOptions(
  partial: Partial<CausalScorerOptions> = {},
): CausalScorerOptions {
  const options = { ...defaultCausalScorerOptions, ...partial };
  for (const field of ['windowSize', 'maxTokens'] as const) {
    const value = options[field];
    if (!Number.isInteger(value) || value < 1) {
      throw new TokenSkipError('INVALID_ARGUMENT', {
        id: 'ctsPositiveTokens',
        params: { field, got: String(value) },
      });
    }
  }
  if (!['question', 'answer', 'both'].includes(options.condition)) {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'ctsCondition',
      params: { got: String(options.condition) },
    });
  }
  return options;
}

/**
 * The text placed before the CoT in the conditional pass. Parts end with a blank line, as LLMLingua
 * joins its question prefix and the context with "\n\n".
 */
export function conditionText(input: ScoreInput, condition: Condition): string {
  const question = input.question?.trim() ?? '';
  const answer = input.answer?.trim() ?? '';
  const need = (what: 'question' | 'answer', value: string): string => {
    if (!value) {
      throw new TokenSkipError('EMPTY_INPUT', {
        id: what === 'question' ? 'ctsNeedsQuestion' : 'ctsNeedsAnswer',
        params: { condition },
      });
    }
    return value;
  };
  if (condition === 'question') return `${need('question', question)}\n\n`;
  if (condition === 'answer') return `${need('answer', answer)}\n\n`;
  return `${need('question', question)}\n\n${need('answer', answer)}\n\n`;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TokenSkipError('CANCELLED', { id: 'scoringCancelled' });
}

export function createCausalScorer(
  name: CausalScorerName,
  lm: CausalLogProbs,
  tokenizer: CausalTokenizer,
  model: string,
  partialOptions: Partial<CausalScorerOptions> = {},
): CausalScorer {
  const options = validateCausalOptions(partialOptions);
  const start = tokenizer.startIds;
  if (start.length === 0) {
    throw new TokenSkipError('MODEL_FILE_CORRUPT', {
      id: 'referenceNoStartToken',
      params: { model },
    });
  }

  async function passLogProbs(
    prefix: number[],
    window: number[],
    signal: AbortSignal | undefined,
  ): Promise<Float32Array> {
    const ids = [...start, ...prefix, ...window];
    if (lm.maxPositions !== undefined && ids.length > lm.maxPositions) {
      throw new TokenSkipError('INPUT_TOO_LARGE', {
        id: 'ctsPassTooLong',
        params: { scorer: name, tokens: ids.length, model, positions: lm.maxPositions },
      });
    }
    throwIfAborted(signal);
    const all = await lm.logProbs(ids, signal);
    const from = start.length + prefix.length - 1;
    if (all.length !== ids.length - 1) {
      throw new TokenSkipError('MODEL_OUTPUT_INVALID', {
        id: 'logProbCount',
        params: { values: all.length, tokens: ids.length, expected: ids.length - 1 },
      });
    }
    return all.slice(from, from + window.length);
  }

  /** Checks an input and tokenizes its condition: everything that can fail before the model runs. */
  function prepare(input: ScoreInput): { condition: number[]; windowTokens: number } {
    if (!input.cot.trim()) {
      throw new TokenSkipError('EMPTY_INPUT', { id: 'ctsCotEmpty', params: { scorer: name } });
    }
    // The same limit as every other scorer (LLMLingua-2's validateText), checked before tokenizing.
    if (input.cot.length > MAX_TEXT_CHARS) {
      throw new TokenSkipError('INPUT_TOO_LARGE', {
        id: 'ctsCotTooLarge',
        params: {
          scorer: name,
          length: input.cot.length.toLocaleString('en-US'),
          limit: MAX_TEXT_CHARS.toLocaleString('en-US'),
        },
      });
    }
    let condition: number[] = [];
    if (name === 'cts') {
      condition = tokenizer.encode(conditionText(input, options.condition));
      if (condition.length >= options.windowSize) {
        throw new TokenSkipError('INPUT_TOO_LARGE', {
          id: 'ctsConditionOverWindow',
          params: {
            condition: options.condition,
            tokens: condition.length,
            window: options.windowSize,
          },
        });
      }
    }
    // A model with fewer positions than start ++ condition ++ window gets shorter windows.
    const windowTokens = Math.min(
      options.windowSize,
      (lm.maxPositions ?? Infinity) - start.length - condition.length,
    );
    if (windowTokens < 1) {
      throw new TokenSkipError('INPUT_TOO_LARGE', {
        id: 'ctsConditionOverModel',
        params: {
          condition: options.condition,
          tokens: condition.length,
          positions: String(lm.maxPositions),
          model,
        },
      });
    }
    return { condition, windowTokens };
  }

  const scorer: CausalScorer = {
    name,
    model,
    check: (input) => void prepare(input),
    // Windows run one after another: each is one or two full forward passes already.
    async scoreMany(inputs, scoreOptions = {}) {
      const out: CausalScoredText[] = [];
      for (const input of inputs) out.push(await scorer.score(input, scoreOptions));
      return out;
    },
    async score(input, scoreOptions = {}) {
      const { signal, onprogress } = scoreOptions;
      const { condition, windowTokens } = prepare(input);
      const allIds = tokenizer.encode(input.cot);
      const ids = allIds.slice(0, options.maxTokens);
      const units = tokenUnits(ids, (part) => tokenizer.decode(part));
      const windows = packWindows(units, windowTokens);
      const chunks: TokenUnit[][] = [];
      const plainLogProbs: Float32Array[] = [];
      const conditionalLogProbs: Float32Array[] = [];
      onprogress?.(0, windows.length);
      for (const [w, window] of windows.entries()) {
        const windowIds = window.flatMap((u) => u.ids);
        const plain = await passLogProbs([], windowIds, signal);
        plainLogProbs.push(plain);
        let tokenScores: Float32Array;
        if (name === 'cts') {
          const conditional = await passLogProbs(condition, windowIds, signal);
          conditionalLogProbs.push(conditional);
          tokenScores = conditional.map((c, i) => c - (plain[i] as number));
        } else {
          tokenScores = plain.map((p) => -p);
        }
        let t = 0;
        chunks.push(
          window.map((unit) => {
            let sum = 0;
            for (let k = 0; k < unit.ids.length; k++) sum += tokenScores[t + k] as number;
            t += unit.ids.length;
            return {
              ...unit,
              display: unit.text,
              score: sum / unit.ids.length,
              forced: false,
              weight: countCl100k(unit.text),
            };
          }),
        );
        onprogress?.(w + 1, windows.length);
      }
      const text = units.map((u) => u.text).join('');
      return {
        scorer: name,
        model,
        chunks,
        originTokens: countCl100k(text),
        truncatedTokens: allIds.length - ids.length,
        windowTokens,
        plainLogProbs,
        ...(name === 'cts' ? { condition: options.condition, conditionalLogProbs } : {}),
      };
    },
  };
  return scorer;
}
