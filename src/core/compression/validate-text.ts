/**
 * The one check of a text to compress (LLMLingua-2, CTS, perplexity): a non-empty string of at
 * most MAX_TEXT_CHARS characters. Imports nothing heavy, so the web page checks a text before
 * its selection code (tokenizers, cl100k ranks) has loaded.
 */
import { TokenSkipError, type ErrorDetail } from '../errors.ts';

/** Max characters per text: about 250k tokens, far beyond any CoT; keeps a pasted book from hanging the tab. */
export const MAX_TEXT_CHARS = 1_000_000;

/** `where` names the text: as typed in a file or flag (`text #2`), or a detail the page translates. */
export function validateText(text: unknown, where: string | ErrorDetail = 'text'): string {
  if (typeof text !== 'string') {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'textNotString',
      params: { where, got: text === null ? 'null' : typeof text },
    });
  }
  if (text.trim().length === 0) {
    throw new TokenSkipError('EMPTY_INPUT', { id: 'textEmpty', params: { where } });
  }
  if (text.length > MAX_TEXT_CHARS) {
    throw new TokenSkipError('INPUT_TOO_LARGE', {
      id: 'textTooLarge',
      params: {
        where,
        length: text.length.toLocaleString('en-US'),
        limit: MAX_TEXT_CHARS.toLocaleString('en-US'),
      },
    });
  }
  return text;
}
