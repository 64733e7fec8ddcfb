/**
 * cl100k_base token counts (tiktoken's gpt-3.5-turbo encoding), the unit the reference reports
 * `origin_tokens` / `compressed_tokens` in. The ranks ship inside js-tiktoken, so this works offline;
 * the encoder is built on first use because the ranks take a moment to parse.
 */
import { Tiktoken } from 'js-tiktoken/lite';
import cl100kBase from 'js-tiktoken/ranks/cl100k_base';

let encoder: Tiktoken | undefined;

export function countCl100k(text: string): number {
  encoder ??= new Tiktoken(cl100kBase);
  return encoder.encode(text).length;
}
