/** The one word split (heat-map comparisons, TinyArith roles) and the `joinCjk` clean-up. */
import { describe, expect, it } from 'vitest';
import { joinCjkText, textWords } from '../../src/core/compression/text-words.ts';

describe('textWords', () => {
  it('splits English on whitespace only, punctuation staying on its word', () => {
    const text = "First, let's see.  He has 5 + 3 = 8 apples.";
    expect(textWords(text).map((w) => w.text)).toEqual(text.split(/\s+/));
  });

  it('makes every CJK character and CJK punctuation mark a word, with its offsets', () => {
    const text = '他有5 + 3 = 8个苹果。Then';
    const words = textWords(text);
    expect(words.map((w) => w.text)).toEqual([
      '他',
      '有',
      '5',
      '+',
      '3',
      '=',
      '8',
      '个',
      '苹',
      '果',
      '。',
      'Then',
    ]);
    for (const w of words) expect(text.slice(w.start, w.end)).toBe(w.text);
  });
});

describe('joinCjkText', () => {
  it('removes the spaces BERT decoding puts around Chinese characters, nothing else', () => {
    expect(joinCjkText('小 明 有 5 个 苹 果 。 他 有 5 + 3 = 8 个')).toBe(
      '小明有5个苹果。他有5 + 3 = 8个',
    );
    const english = 'He has 5 + 3 = 8 apples .';
    expect(joinCjkText(english)).toBe(english);
  });
});
