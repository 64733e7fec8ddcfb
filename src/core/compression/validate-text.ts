/**
 * The one check of a text to compress (LLMLingua-2, CTS, perplexity): a non-empty string of at
 * most MAX_TEXT_CHARS characters. Imports nothing heavy, so the web page checks a text before
 * its selection code (tokenizers, cl100k ranks) has loaded.
 */
import { TokenSkipError } from '../errors.ts';

/** Max characters per text: about 250k tokens, far beyond any CoT; keeps a pasted book from hanging the tab. */
export const MAX_TEXT_CHARS = 1_000_000;

export function validateText(text: unknown, where = 'text'): string {
  if (typeof text !== 'string') {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `${where} must be a string, got ${text === null ? 'null' : typeof text}.`,
    );
  }
  if (text.trim().length === 0) {
    throw new TokenSkipError(
      'EMPTY_INPUT',
      `${where} is empty or whitespace only: give a chain of thought to compress.`,
    );
  }
  if (text.length > MAX_TEXT_CHARS) {
    throw new TokenSkipError(
      'INPUT_TOO_LARGE',
      `${where} has ${text.length.toLocaleString('en-US')} characters; the limit is ${MAX_TEXT_CHARS.toLocaleString('en-US')}. Split it into several records.`,
    );
  }
  return text;
}
