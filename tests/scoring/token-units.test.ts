// Token ids -> units -> windows -> words, on a byte-level "tokenizer" (one id per UTF-8 byte), the
// worst case for multi-byte characters.
import { describe, expect, it } from 'vitest';
import { packWindows, tokenUnits, wordSpans } from '../../src/core/scoring/token-units.ts';

const bytes = (text: string): number[] => Array.from(new TextEncoder().encode(text));
const decodeBytes = (ids: number[]): string => new TextDecoder().decode(Uint8Array.from(ids));

describe('tokenUnits', () => {
  it('merges the byte tokens of one character and joins back to the text', () => {
    const text = 'Café → 3€ and 🙂 done.';
    const units = tokenUnits(bytes(text), decodeBytes);
    expect(units.map((u) => u.text).join('')).toBe(text);
    expect(units.map((u) => u.text)).toContain('é');
    expect(units.find((u) => u.text === '🙂')?.ids).toHaveLength(4);
    expect(units.every((u) => !u.text.includes('\uFFFD'))).toBe(true);
    expect(units.length).toBe(Array.from(text).length);
  });

  it('gives each unit its own leading space when the decoder strips one at the start', () => {
    // A Metaspace-like decoder: '▁' -> ' ', and the first space of the sequence is dropped.
    const vocab = ['▁The', '▁cat', 's', '▁sat', '.'];
    const decode = (ids: number[]): string =>
      ids
        .map((i) => vocab[i] as string)
        .join('')
        .replaceAll('▁', ' ')
        .replace(/^ /, '');
    const units = tokenUnits([0, 1, 2, 3, 4], decode);
    expect(units.map((u) => u.text)).toEqual(['The', ' cat', 's', ' sat', '.']);
  });
});

describe('packWindows', () => {
  it('never splits a unit and keeps windows within the size', () => {
    const units = tokenUnits(bytes('aé🙂bcd'), decodeBytes); // 1, 2, 4, 1, 1, 1 tokens
    const windows = packWindows(units, 4);
    expect(windows.map((w) => w.map((u) => u.text).join(''))).toEqual(['aé', '🙂', 'bcd']);
    for (const w of windows) expect(w.flatMap((u) => u.ids).length).toBeLessThanOrEqual(4);
  });
});

describe('wordSpans', () => {
  it('splits on whitespace, keeps punctuation with its word, isolates line breaks', () => {
    const units = ['Janet', "'s", ' ducks', ' lay', ' 16', '.', '\n', 'She', ' eats', ' 3'].map(
      (text) => ({ text }),
    );
    const words = wordSpans(units).map(([a, b]) =>
      units
        .slice(a, b)
        .map((u) => u.text)
        .join(''),
    );
    expect(words).toEqual(["Janet's", ' ducks', ' lay', ' 16.', '\n', 'She', ' eats', ' 3']);
  });
});
