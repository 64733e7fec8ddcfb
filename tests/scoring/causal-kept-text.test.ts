// The causal scorers' kept units -> compressed text: a space token goes with the word after it, so
// kept words never glue together (issue 21: "he 53 8 apples", "he6 apples,," on the CTS view).
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalExample } from '../../src/core/datasets/canonical-example.ts';
import { keptText, selectCausal } from '../../src/core/scoring/causal-select.ts';
import type { CausalScoredText } from '../../src/core/scoring/types.ts';
import { loadNodeCausalScorer } from '../../src/runtime/node/causal-scorer-node.ts';

const units = (texts: string[]) => texts.map((text) => ({ text }));

describe('keptText', () => {
  it.each([
    // Qwen2 gives the space before a digit its own token: dropping it no longer glues the digit.
    [[' he', ' ', '5', ' +', ' ', '3'], [1, 0, 1, 0, 0, 1], ' he 5 3'],
    [[' he', ' ', '6', ' apples', ','], [1, 0, 1, 1, 1], ' he 6 apples,'],
    // A kept space before a dropped digit goes with it.
    [[' has', ' ', '8', ' -'], [1, 1, 0, 1], ' has -'],
    // Line breaks and runs of blank units follow the next word; a trailing blank keeps its own flag.
    [['a', '\n', ' ', 'b', '\n'], [1, 0, 0, 1, 1], 'a\n b\n'],
    [['a', '\n', 'b', '\n'], [1, 1, 0, 0], 'a'],
    // Inside a word nothing changes: "let" + "'s" as the reference decodes them.
    [['First', ',', ' let', "'s"], [1, 0, 1, 1], "First let's"],
  ])('%j kept %j -> %j', (texts, flags, expected) => {
    expect(keptText(units(texts), flags.map(Boolean))).toBe(expected);
  });

  it('keeps everything as it was at γ = 1', () => {
    const all = [' ', 'x', ' ', '\n', 'y', ' '];
    expect(
      keptText(
        units(all),
        all.map(() => true),
      ),
    ).toBe(all.join(''));
  });
});

describe('CTS on the worked example with the shipped mini base model', () => {
  let scored: CausalScoredText;
  beforeAll(async () => {
    const ex = canonicalExample('en');
    const scorer = await loadNodeCausalScorer('models/mini/base', {
      scorer: 'cts',
      options: { condition: 'both' },
      threads: 1,
    });
    scored = await scorer.score({ cot: ex.cot, question: ex.question, answer: ex.answer });
    await scorer.reference.session.release();
  });

  it('reconstructs texts with every kept word apart (the texts the Learn page links to)', () => {
    const text = (rate: number) => selectCausal(scored, rate).compressed_prompt;
    expect(text(0.5)).toBe(
      "First, let's see. Xiaoming starts with 5 apples. he buys 3 more so 5 8 apples he them which means he 6 apples, Xiaoming apples.",
    );
    expect(text(0.6)).toBe(
      "First, let's see. Xiaoming starts with 5 apples. he buys 3 more so he 5 3 8 apples that he them which means he 6 apples,, Xiaoming apples.",
    );
    for (const rate of [0.3, 0.5, 0.6, 0.8, 0.9]) {
      // No digit glued to the letter or digit before it.
      expect(text(rate)).not.toMatch(/[\p{L}\d]\d|\d[\p{L}]/u);
    }
    expect(text(1)).toBe(canonicalExample('en').cot);
  });
});
