/**
 * Builds the TokenSkip prompt for a question at a given γ, and splits a model's output into its
 * CoT and its answer line.
 *
 *   buildPrompt('qwen2.5-instruct', 'What is 2+3?', 0.6)
 *   // "<|im_start|>system\n...\nWhat is 2+3?<|eot_id|>0.6<|eot_id|><|im_end|>\n<|im_start|>assistant\n"
 */
import { TokenSkipError } from '../errors.ts';
import { ANSWER_MARKER, PROMPT_FORMATS, type PromptFamily, type PromptFormat } from './formats.ts';
import { formatGamma, validateGamma } from './gamma.ts';

export function promptFormat(family: string): PromptFormat {
  const format = (PROMPT_FORMATS as Record<string, PromptFormat | undefined>)[family];
  if (!format) {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'unknownPromptFamily',
      params: { family, known: Object.keys(PROMPT_FORMATS).join(', ') },
    });
  }
  return format;
}

/**
 * Fills a template of the prompt table in one pass: `{name}` becomes `values[name]`, verbatim (a `$`
 * or a `{cot}` inside a value stays as written).
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

export function buildPrompt(
  family: PromptFamily | string,
  question: string,
  gamma: number,
): string {
  promptFormat(family);
  validateGamma(gamma);
  // The question goes in verbatim (the reference does not strip it), but an empty one is a mistake.
  if (question.trim() === '') {
    throw new TokenSkipError('EMPTY_INPUT', { id: 'questionEmpty' });
  }
  return promptText(family, question, gamma);
}

/**
 * The prompt text for any question, an empty one included: what `buildPrompt` returns, and the
 * training prompt of `chatPair` (tokenskip-format.ts), so the two cannot differ.
 */
export function promptText(family: PromptFamily | string, question: string, gamma: number): string {
  const format = promptFormat(family);
  validateGamma(gamma);
  const marker = gamma === 1 ? '' : fillTemplate(format.gammaMarker, { gamma: formatGamma(gamma) });
  return `${format.head}${question}${format.afterQuestion}${marker}${format.tail}`;
}

export interface SplitOutput {
  /** Everything before `\n\nThe final answer is:` (the whole output when the marker is missing). */
  cot: string;
  /** The marker and what follows it, or '' when the model never wrote it. */
  answer: string;
}

/** Splits a generated output into the CoT (counted for the token metrics) and the answer line. */
export function splitOutput(output: string): SplitOutput {
  const at = output.indexOf(ANSWER_MARKER);
  if (at < 0) return { cot: output, answer: '' };
  return { cot: output.slice(0, at), answer: output.slice(at) };
}
