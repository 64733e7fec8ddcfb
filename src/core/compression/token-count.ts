/**
 * OpenAI cl100k token counts (tiktoken `gpt-3.5-turbo`), the unit LLMLingua-2 uses for
 * `origin_tokens`, `compressed_tokens` and the per-word weights of its percentile.
 *
 * Difference from the reference: Python's tiktoken raises on text containing special-token strings
 * such as `<|endoftext|>`; here they are counted as ordinary text, so a CoT can never crash a run.
 */
import { Tiktoken } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';

let encoder: Tiktoken | undefined;

function cl100k(): Tiktoken {
  encoder ??= new Tiktoken(cl100kBase);
  return encoder;
}

export function countCl100kTokens(text: string): number {
  if (text.length === 0) return 0;
  return cl100k().encode(text, [], []).length;
}
