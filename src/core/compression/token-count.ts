/**
 * OpenAI cl100k token counts (tiktoken `gpt-3.5-turbo`), the unit LLMLingua-2 uses for
 * `origin_tokens`, `compressed_tokens` and the per-word weights of its percentile.
 *
 * Counted with gpt-tokenizer rather than js-tiktoken: the same counts (tests/compression/
 * token-count.test.ts compares them over the repo's datasets), but its encoder is ready in about a
 * third of the time. js-tiktoken's constructor decodes 100k base64 ranks into string-keyed maps
 * (0.65–0.8 s in Node here, 0.6–1.4 s in the page and the scorer worker on the first visit, where it
 * delayed the first live scores); gpt-tokenizer ships its ranks as string arrays (0.22 s).
 *
 * Difference from the reference: Python's tiktoken raises on text containing special-token strings
 * such as `<|endoftext|>`; here they are counted as ordinary text, so a CoT can never crash a run.
 */
import { countTokens } from 'gpt-tokenizer/encoding/cl100k_base';

// No special tokens: `<|endoftext|>` in a CoT is text, as js-tiktoken's `encode(text, [], [])` did.
const asText = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

export function countCl100kTokens(text: string): number {
  if (text.length === 0) return 0;
  return countTokens(text, asText);
}
