/**
 * The incremental detokeniser (src/runtime/engines/onnx/text-stream.ts): its deltas add up to
 * exactly `decode(all ids)` on a byte-level BPE tokenizer (tiny-qwen2: CJK and emoji split into
 * partial UTF-8 bytes), on Metaspace (XLM-R) and WordPiece (mBERT, with clean-up of spaces), no
 * delta ever carries a U+FFFD of a half character, and the work per token is bounded (it decodes a
 * small window, not every id so far).
 */
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { TextStream } from '../../src/runtime/engines/onnx/text-stream.ts';

function load(dir: string): Tokenizer {
  const json = JSON.parse(readFileSync(`${dir}/tokenizer.json`, 'utf8')) as Record<string, unknown>;
  const config = JSON.parse(readFileSync(`${dir}/tokenizer_config.json`, 'utf8')) as Record<
    string,
    unknown
  >;
  return new Tokenizer(json, config);
}

const qwen = load('models/fixtures/tiny-qwen2');
const xlmr = load('models/fixtures/tiny-lingua-xlmr');
const mbert = load('models/fixtures/tiny-lingua-mbert');

const TEXTS = [
  'Janet sells 16 - 3 - 4 = 9 duck eggs a day. She makes 9 * 2 = $18.',
  '小明有3个苹果，又买了5个，一共有8个苹果。答案是 8。',
  '日本語のテキスト：東京タワーは333メートルです。한국어도 있습니다.',
  'Emoji: 🎉👍🏽 family 👨‍👩‍👧‍👦 flag 🇯🇵 and math 𝑥² + 𝑦² = 𝑧² ✓',
  'Mixed: café naïve Ωmega — “quotes” … and a tab\tand\nnew lines\n\n',
];

function streamAll(tok: Tokenizer, ids: number[]) {
  const stream = new TextStream(tok);
  const deltas: string[] = [];
  for (const id of ids) {
    const d = stream.push(id);
    if (d) deltas.push(d);
    expect(stream.current.endsWith('\uFFFD')).toBe(false);
  }
  return { stream, deltas };
}

describe('TextStream', () => {
  for (const [name, tok] of [
    ['byte-level BPE (tiny-qwen2)', qwen],
    ['Metaspace (tiny-lingua-xlmr)', xlmr],
    ['WordPiece (tiny-lingua-mbert)', mbert],
  ] as const) {
    it.each(TEXTS.map((t, i) => ({ t, i })))(
      `${name}: deltas add up to decode(all), text $i`,
      ({ t }) => {
        const ids = tok.encode(t, { add_special_tokens: false }).ids;
        const full = tok.decode(ids, { skip_special_tokens: true });
        const { stream, deltas } = streamAll(tok, ids);
        expect(stream.finish()).toBe(full);
        for (const d of deltas) expect(d).not.toContain('\uFFFD');
        if (tok === qwen) {
          expect(deltas.join('')).toBe(full);
        } else {
          // Clean-up tokenizers hold a trailing space back until the next token says whether it stays.
          expect(full.startsWith(deltas.join(''))).toBe(true);
          expect(full.slice(deltas.join('').length).trim()).toBe('');
        }
      },
    );
  }

  it('byte-level: CJK and emoji really are split into partial UTF-8 tokens, and are held back', () => {
    const text = '答案是🎉';
    const ids = qwen.encode(text, { add_special_tokens: false }).ids;
    // More tokens than characters: some tokens are fragments of a character.
    expect(ids.length).toBeGreaterThan([...text].length);
    const stream = new TextStream(qwen);
    const out = ids.map((id) => stream.push(id));
    expect(out.filter((d) => d === '').length).toBeGreaterThan(0);
    expect(out.join('')).toBe(text);
    expect(qwen.decode(ids, { skip_special_tokens: true })).toBe(text);
  });

  it('byte-level: the round trip is exact (decode(encode(t)) = t) for the test texts', () => {
    for (const t of TEXTS) {
      expect(qwen.decode(qwen.encode(t, { add_special_tokens: false }).ids)).toBe(t);
    }
  });

  it('skips special tokens in the middle of the stream', () => {
    const a = qwen.encode('Hello 世界', { add_special_tokens: false }).ids;
    const b = qwen.encode(' and 🎉 again', { add_special_tokens: false }).ids;
    const ids = [...a, 767, ...b];
    const { deltas, stream } = streamAll(qwen, ids);
    expect(deltas.join('')).toBe('Hello 世界 and 🎉 again');
    expect(stream.finish()).toBe('Hello 世界 and 🎉 again');
  });

  it('a stream that ends inside a character keeps the partial character only in finish()', () => {
    const ids = qwen.encode('ok 🎉', { add_special_tokens: false }).ids;
    const { deltas, stream } = streamAll(qwen, ids.slice(0, -1));
    expect(deltas.join('')).toBe('ok ');
    expect(stream.finish()).toBe(qwen.decode(ids.slice(0, -1), { skip_special_tokens: true }));
  });

  it('decodes a bounded window per token: linear work in the stream length', () => {
    const text = TEXTS.join(' ').repeat(20);
    const ids = qwen.encode(text, { add_special_tokens: false }).ids;
    expect(ids.length).toBeGreaterThan(2000);
    const { deltas, stream } = streamAll(qwen, ids);
    expect(deltas.join('')).toBe(text);
    // The old stream decoded n(n+1)/2 tokens (> 2 million here); the window keeps it to a few per token.
    expect(stream.decodedTokens).toBeLessThan(ids.length * 8);
  });
});
