/**
 * The cl100k counts (core/compression/token-count.ts, gpt-tokenizer) against js-tiktoken's, the
 * encoder the app used before and the peer (@atjsh/llmlingua-2) is given: the same count for every
 * line of the worked examples and a slice of each dataset (English, Chinese, LaTeX), and for text
 * holding special-token strings, emoji and long runs.
 */
import { readFileSync } from 'node:fs';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100kRanks from 'js-tiktoken/ranks/cl100k_base';
import { describe, expect, it } from 'vitest';
import { countCl100kTokens } from '../../src/core/compression/token-count.ts';

const jsTiktoken = new Tiktoken(cl100kRanks);
const reference = (text: string) => jsTiktoken.encode(text, [], []).length;

/** Every string value in the first `limit` records of a JSONL file. */
function strings(file: string, limit: number): string[] {
  const out: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(0, limit))
    collect(JSON.parse(line));
  return out;
}

describe('countCl100kTokens', () => {
  it('counts as js-tiktoken does over the datasets and the worked examples', () => {
    const texts = [
      ...strings('data/arith/worked.jsonl', 1000),
      ...strings('data/gsm8k/test.jsonl', 150),
      ...strings('data/math-500/test.jsonl', 150),
      ...strings('data/arith/train.jsonl', 100),
    ];
    // The worked examples include the Chinese one; the datasets, LaTeX.
    expect(texts.some((t) => /[\u4e00-\u9fff]/.test(t))).toBe(true);
    expect(texts.some((t) => t.includes('\\frac'))).toBe(true);
    const differ = texts.filter((t) => countCl100kTokens(t) !== reference(t));
    expect(differ).toEqual([]);
    expect(texts.length).toBeGreaterThan(400);
  });

  it('counts special-token strings as text, and emoji, accents and long runs as js-tiktoken does', () => {
    for (const text of [
      '<|endoftext|> then <|fim_prefix|><|im_start|>',
      '小明有 5 个苹果，吃了 2 个，还剩 3 个。',
      '🙂👍🏽 café naïve ﬁ',
      'a'.repeat(3000),
      ' '.repeat(257),
      '12345678901234567890',
    ])
      expect(countCl100kTokens(text), text.slice(0, 30)).toBe(reference(text));
    expect(countCl100kTokens('<|endoftext|>')).toBeGreaterThan(1);
    expect(countCl100kTokens('')).toBe(0);
  });
});
