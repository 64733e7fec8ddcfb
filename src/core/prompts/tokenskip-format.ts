/**
 * TokenSkip training records and chat prompts, exactly as docs/method.md (steps 3 and 5).
 *
 *   const rec = tokenskipRecord({ question, cot, answer: '18', gamma: 0.6 });
 *   // rec.input === `${question}<|eot_id|>0.6<|eot_id|>`
 *   const { prompt, response } = chatPair('qwen2', rec);
 *
 * The delimiter `<|eot_id|>` is plain text for Qwen (not a special token), as in the reference.
 * Inference prompts come from src/core/prompts (one source of truth for the app and the trainer);
 * this module adds what training needs: the record, the chat pair with the response, γ draws, splits.
 */
import { seededRandom } from '../random.ts';
import {
  INSTRUCTION,
  buildPrompt,
  formatGamma as promptGamma,
  splitOutput,
  type PromptFamily,
} from './index.ts';

export { INSTRUCTION, PROMPT_FORMATS } from './index.ts';
export const GAMMAS = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5] as const;
export const DELIMITER = '<|eot_id|>';
export const QWEN_SYSTEM = 'You are a helpful assistant.';

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

/** γ as the reference prints it (Python str of 0.9 is "0.9"); training uses the six TokenSkip rates only. */
export function formatGamma(gamma: number): string {
  if (!GAMMAS.includes(gamma as (typeof GAMMAS)[number])) {
    throw new RangeError(`gamma ${gamma} is not one of ${GAMMAS.join(', ')}`);
  }
  return promptGamma(gamma);
}

const FAMILY: Record<ChatFormat, PromptFamily> = { qwen2: 'qwen2.5-instruct', llama3: 'llama-3.1' };

export function tokenskipInput(question: string, gamma: number): string {
  return gamma < 1 ? `${question}${DELIMITER}${formatGamma(gamma)}${DELIMITER}` : question;
}

export function tokenskipRecord(s: TraceSample): TokenSkipRecord {
  formatGamma(s.gamma);
  return {
    instruction: INSTRUCTION,
    input: tokenskipInput(s.question, s.gamma),
    output: `${s.cot}\n\nThe final answer is: $\\boxed{${s.answer}}$`,
  };
}

/**
 * Prompt and response text in the model's chat format (LLaMA-Factory's `qwen` / `llama3`
 * templates: user content = instruction + "\n" + input). The response carries the end-of-turn
 * token so the model learns to stop.
 */
export function chatPair(
  format: ChatFormat,
  rec: TokenSkipRecord,
): { prompt: string; response: string } {
  const user = rec.input ? `${rec.instruction}\n${rec.input}` : rec.instruction;
  if (format === 'qwen2') {
    return {
      prompt: `<|im_start|>system\n${QWEN_SYSTEM}<|im_end|>\n<|im_start|>user\n${user}<|im_end|>\n<|im_start|>assistant\n`,
      response: `${rec.output}<|im_end|>\n`,
    };
  }
  return {
    prompt: `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n${user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
    response: `${rec.output}<|eot_id|>`,
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
