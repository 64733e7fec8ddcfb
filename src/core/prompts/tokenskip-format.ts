/**
 * TokenSkip training records and chat pairs, from the one prompt table (./formats.ts; docs/method.md
 * steps 3 and 5).
 *
 *   const sample = { question, cot, answer: '18', gamma: 0.6 };
 *   const rec = tokenskipRecord(sample);
 *   // rec.input === `${question}<|eot_id|>0.6<|eot_id|>`
 *   const { prompt, response } = chatPair('qwen2', sample);
 *   // prompt === inferencePrompt('qwen2', question, 0.6)
 *
 * The delimiter `<|eot_id|>` is plain text for Qwen (not a special token), as in the reference.
 * Inference prompts come from src/core/prompts (one source of truth for the app and the trainer);
 * this module adds what training needs: the record, the chat pair with the response, γ draws, splits.
 */
import { seededRandom } from '../random.ts';
import {
  PROMPT_FORMATS,
  TOKENSKIP_RECORD,
  buildPrompt,
  fillTemplate,
  promptText,
  formatGamma,
  splitOutput,
  type PromptFamily,
} from './index.ts';

export { DELIMITER, INSTRUCTION, PROMPT_FORMATS, QWEN_SYSTEM } from './index.ts';
export const GAMMAS = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5] as const;

export type ChatFormat = 'qwen2' | 'llama3';

/** An alpaca-style record, the shape LLaMA-Factory reads. */
export interface TokenSkipRecord {
  instruction: string;
  input: string;
  output: string;
}

export interface TraceSample {
  question: string;
  /** The (compressed) chain of thought, without the final-answer sentence. */
  cot: string;
  answer: string;
  gamma: number;
}

/** Training uses the six TokenSkip γ only; any other is a RangeError. */
function checkTrainingGamma(gamma: number): number {
  if (!GAMMAS.includes(gamma as (typeof GAMMAS)[number])) {
    throw new RangeError(`gamma ${gamma} is not one of ${GAMMAS.join(', ')}`);
  }
  return gamma;
}

const FAMILY: Record<ChatFormat, PromptFamily> = { qwen2: 'qwen2.5-instruct', llama3: 'llama-3.1' };

export function tokenskipInput(question: string, gamma: number): string {
  return gamma < 1
    ? question +
        fillTemplate(TOKENSKIP_RECORD.gammaMarker, {
          gamma: formatGamma(checkTrainingGamma(gamma)),
        })
    : question;
}

export function tokenskipRecord(s: TraceSample): TokenSkipRecord {
  checkTrainingGamma(s.gamma);
  return {
    instruction: TOKENSKIP_RECORD.instruction,
    input: tokenskipInput(s.question, s.gamma),
    output: fillTemplate(TOKENSKIP_RECORD.output, { cot: s.cot, answer: s.answer }),
  };
}

/**
 * Prompt and response text of one training sample in the model's chat format, both from the prompt
 * table: the prompt is the inference prompt for the same question and γ (formats.ts says which of
 * TokenSkip's two Llama-3 prompts that is, and why), the response the record's output followed by
 * the end-of-turn so the model learns to stop. Only the six training γ are accepted.
 */
export function chatPair(
  format: ChatFormat,
  sample: TraceSample,
): { prompt: string; response: string } {
  const { output } = tokenskipRecord(sample);
  return {
    prompt: promptText(FAMILY[format], sample.question, sample.gamma),
    response: output + PROMPT_FORMATS[FAMILY[format]].endOfTurn,
  };
}

/** The inference prompt of docs/method.md step 5 (src/core/prompts), used by collect (γ = 1) and eval. */
export function inferencePrompt(format: ChatFormat, question: string, gamma = 1): string {
  return buildPrompt(FAMILY[format], question, gamma);
}

export function familyOf(format: ChatFormat): PromptFamily {
  return FAMILY[format];
}

/** Chat format from an HF config.json's model_type. */
export function chatFormatFor(modelType: string): ChatFormat {
  if (modelType === 'qwen2') return 'qwen2';
  if (modelType === 'llama') return 'llama3';
  throw new RangeError(`model_type '${modelType}' has no TokenSkip chat format (qwen2 or llama)`);
}

export { seededRandom };

/** One γ per sample, uniformly from `pool` (all of GAMMAS in the TokenSkip recipe). */
export function drawGammas(n: number, seed: number, pool: readonly number[] = GAMMAS): number[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => pool[Math.floor(rand() * pool.length)] as number);
}

/** Seeded split: returns the indices held out for validation (round(n * fraction), at least 1 when n > 1). */
export function validationIndices(n: number, fraction: number, seed: number): Set<number> {
  const rand = seededRandom(seed ^ 0x5eed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const k = n > 1 ? Math.max(1, Math.round(n * fraction)) : 0;
  return new Set(order.slice(0, k));
}

/** The CoT of a model output: what comes before the final-answer sentence (src/core/prompts). */
export function splitCot(output: string): string {
  return splitOutput(output).cot;
}
