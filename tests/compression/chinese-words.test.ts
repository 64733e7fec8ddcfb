/** `chineseWords`: one-character Han words grouped into Intl.Segmenter's words before selection. */
import { describe, expect, it } from 'vitest';
import { groupChineseWords, type MergedWord } from '../../src/core/compression/llmlingua2-words.ts';

const word = (w: string, p: number, forced = false): MergedWord => ({
  word: w,
  tokenProbs: [p],
  forced,
});

describe('groupChineseWords', () => {
  it('groups runs of Han characters into dictionary words, keeping every token probability', () => {
    const chars = [...'所以现在'].map((c, i) => word(c, i / 10));
    const out = groupChineseWords([word('5', 1, true), ...chars, word('+', 1, true)]);
    expect(out.map((w) => w.word)).toEqual(['5', '所以', '现在', '+']);
    expect(out[1]!.tokenProbs).toEqual([0, 0.1]);
    expect(out[2]!.tokenProbs).toEqual([0.2, 0.3]);
    // Every token probability is still there, in order.
    expect(out.flatMap((w) => w.tokenProbs)).toEqual([1, 0, 0.1, 0.2, 0.3, 1]);
  });

  it('leaves non-Chinese words and forced characters alone', () => {
    const english = ['He', 'has', '5', 'apples'].map((w) => word(w, 0.5));
    expect(groupChineseWords(english)).toEqual(english);
    const forcedChar = [word('所', 1, true), word('以', 0.2)];
    expect(groupChineseWords(forcedChar).map((w) => w.word)).toEqual(['所', '以']);
  });
});
