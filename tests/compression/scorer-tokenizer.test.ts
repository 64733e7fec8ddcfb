/**
 * `[NEWi]` placeholders are added once: a shipped tokenizer that already holds them (atjsh's
 * tinybert / mobilebert / XLM-R exports) keeps their ids, and nothing is added twice.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  PLACEHOLDER_COUNT,
  createScorerTokenizer,
  placeholder,
} from '../../src/core/compression/scorer-tokenizer.ts';
import { fixtureDir } from '../helpers/fixtures.ts';

const dir = fixtureDir('tiny-lingua-mbert');
const json = JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')) as {
  added_tokens: { id: number; content: string }[];
  model: { type?: string; vocab: Record<string, number> };
} & Record<string, unknown>;
const config = JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
const baseVocab = Object.keys(json.model.vocab).length;

/** The fixture as such exports ship it: placeholders `from..to-1` already in added_tokens. */
function withPlaceholders(from: number, to: number) {
  const extra = Array.from({ length: to - from }, (_, k) => ({
    id: baseVocab + from + k,
    content: placeholder(from + k),
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  return { ...json, added_tokens: [...json.added_tokens, ...extra] };
}

const text = 'Step 1 [NEW0] costs 16 [NEW7] dollars [NEW99].';

describe('scorer tokenizer placeholders', () => {
  const plain = createScorerTokenizer(json, config, 'wordpiece');

  it('adds all 100 to a tokenizer without them', () => {
    expect(plain.vocabSize).toBe(baseVocab + PLACEHOLDER_COUNT);
    expect(plain.tokenToId('[NEW0]')).toBe(baseVocab);
    expect(plain.tokenToId('[NEW99]')).toBe(baseVocab + 99);
  });

  it('keeps a shipped set as is: same ids, same vocabulary size, same tokens', () => {
    const shipped = createScorerTokenizer(withPlaceholders(0, 100), config, 'wordpiece');
    expect(shipped.vocabSize).toBe(plain.vocabSize);
    for (const i of [0, 7, 99]) expect(shipped.tokenToId(placeholder(i))).toBe(baseVocab + i);
    expect(shipped.tokenize(text)).toEqual(plain.tokenize(text));
    expect(shipped.tokenize(text)).toContain('[NEW7]');
  });

  it('adds only the missing ones to a partial set', () => {
    const partial = createScorerTokenizer(withPlaceholders(0, 40), config, 'wordpiece');
    expect(partial.vocabSize).toBe(plain.vocabSize);
    expect(partial.tokenToId('[NEW39]')).toBe(baseVocab + 39);
    expect(partial.tokenToId('[NEW40]')).toBe(baseVocab + 40);
    expect(partial.tokenize(text)).toEqual(plain.tokenize(text));
  });
});
