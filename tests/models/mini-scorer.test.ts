/**
 * The shipped mini scorer tells the story every page tells: on the worked examples it drops the
 * filler first, keeps who and what, and never drops a number or an operator; its vocabulary reads
 * every character of the examples and of TinyArith's wording, so no word comes back as [UNK].
 * (Its measured quality on held-out phrasings is models/mini/scorer-quality.json.)
 */
import { describe, expect, it } from 'vitest';
import { scoreLingua2, selectLingua2 } from '../../src/core/compression/llmlingua2.ts';
import { canonicalExample } from '../../src/core/datasets/canonical-example.ts';
import { arithProblem } from '../../src/core/datasets/arith.ts';
import { MINI_COMPRESSION } from '../../src/core/models/mini-compression.ts';
import { loadNodeScorer } from '../../src/runtime/node/scorer-node.ts';

describe('the shipped mini scorer', () => {
  it('has every character of the worked examples and of the Chinese phrase book', async () => {
    const scorer = await loadNodeScorer('mini-scorer');
    const unk = scorer.tokenizer.specials.unk;
    const texts = [canonicalExample('en'), canonicalExample('zh')].flatMap((e) => [
      e.question,
      e.cot,
    ]);
    for (let seed = 0; seed < 300; seed++) texts.push(arithProblem(seed, 'x', 'zh').cot);
    // Everyday words beyond the task's own wording.
    texts.push('接着吃掉了，一共剩下几个？');
    for (const text of texts) expect(scorer.tokenizer.tokenize(text), text).not.toContain(unk);
  });

  it.each(['en', 'zh'])('drops filler before context on the %s worked example', async (lang) => {
    const scorer = await loadNodeScorer('mini-scorer');
    const { cot } = canonicalExample(lang);
    const [scored] = await scoreLingua2([cot], scorer.tokenizer, scorer.classifier, {
      ...MINI_COMPRESSION,
    });
    const out = selectLingua2(scored!, 0.7, scorer.tokenizer).compressed_prompt;
    for (const n of ['5 + 3 = 8', '8 - 2 = 6']) expect(out).toContain(n);
    if (lang === 'en') {
      expect(out).toContain('Xiaoming');
      expect(out).not.toContain("let's see");
      expect(out).not.toContain('finally');
    } else {
      expect(out).toContain('小明');
      expect(out).not.toContain('我们来看一下');
      expect(out).not.toContain('最后');
    }
  });
});
