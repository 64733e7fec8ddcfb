/**
 * `keepUnknown`: a word the scorer's vocabulary cannot spell keeps its own characters in the
 * compressed text; it is kept or dropped whole, and "[UNK]" never appears. Runs the shipped mini
 * scorer on onnxruntime-node (龘 and 😀 are in no vocabulary of ours).
 */
import { describe, expect, it } from 'vitest';
import { scoreLingua2, selectLingua2 } from '../../src/core/compression/llmlingua2.ts';
import { restoreUnknown } from '../../src/core/compression/llmlingua2-words.ts';
import { MINI_COMPRESSION } from '../../src/core/models/mini-compression.ts';
import { loadNodeScorer } from '../../src/runtime/node/scorer-node.ts';

const COTS = [
  '小明有5个苹果。他接着龘了2个，所以现在他有5 - 2 = 3个苹果。',
  'Xiaoming has 5 apples😀 and 龘 then eats 2, so now he has 5 - 2 = 3 apples.',
];

describe('keepUnknown with the mini scorer', () => {
  it('the tokenizer really lacks the characters (else the test proves nothing)', async () => {
    const scorer = await loadNodeScorer('mini-scorer');
    expect(scorer.tokenizer.tokenize('他龘了')).toContain(scorer.tokenizer.specials.unk);
    expect(restoreUnknown(scorer.tokenizer, scorer.tokenizer.tokenize('他龘了'), '他龘了')).toEqual(
      ['他', '龘', '了'],
    );
  });

  it.each(COTS)('kept words keep their characters at every γ: %s', async (cot) => {
    const scorer = await loadNodeScorer('mini-scorer');
    const options = { ...MINI_COMPRESSION };
    const [scored] = await scoreLingua2([cot], scorer.tokenizer, scorer.classifier, options);
    const words = scored!.chunks.flat();
    // Every character of the text is in some scored word: nothing was deleted.
    const joined = words.map((w) => w.text).join('');
    for (const ch of cot.replace(/\s/g, '')) expect(joined).toContain(ch);
    for (const rate of [1, 0.9, 0.7, 0.5, 0.3]) {
      const out = selectLingua2(scored!, rate, scorer.tokenizer).compressed_prompt;
      expect(out).not.toContain('[UNK]');
      // A kept word appears whole: every output character is a character of the input.
      for (const ch of out.replace(/\s/g, '')) expect(cot).toContain(ch);
    }
    expect(selectLingua2(scored!, 1, scorer.tokenizer).compressed_prompt.replace(/\s/g, '')).toBe(
      cot.replace(/\s/g, ''),
    );
  });

  it('without the option the reference behaviour stays: the unknown word is left out', async () => {
    const scorer = await loadNodeScorer('mini-scorer');
    const [scored] = await scoreLingua2([COTS[0]!], scorer.tokenizer, scorer.classifier, {});
    expect(scored!.chunks.flat().some((w) => w.text.includes('龘'))).toBe(false);
  });
});
