/**
 * The shipped mini models read Chinese: the worked example in 中文 is in the scorer's and the
 * generator's vocabularies, and the default compression of it keeps Chinese words (the first
 * release mapped every Chinese character to [UNK] and kept only digits: ratio 0.12 at γ = 0.5).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalExample } from '../../src/core/datasets/canonical-example.ts';
import { createTokenizer } from '../../src/core/tokenizer.ts';
import { repoRoot } from '../helpers/fixtures.ts';

const zh = canonicalExample('zh');

function tokenizerOf(folder: string) {
  const dir = path.join(repoRoot, 'models/mini', folder);
  const read = (f: string) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as object;
  return createTokenizer(read('tokenizer.json'), read('tokenizer_config.json'), dir);
}

describe('mini models in Chinese', () => {
  it('the scorer has every character of the Chinese worked example (no [UNK])', () => {
    const tokenizer = tokenizerOf('scorer');
    const unk = tokenizer.token_to_id('[UNK]');
    for (const text of [zh.question, zh.cot]) {
      const ids = tokenizer.encode(text, { add_special_tokens: false }).ids;
      expect(ids).not.toContain(unk);
    }
  });

  it('the generator models encode and decode the Chinese example exactly', () => {
    for (const folder of ['base', 'tokenskip']) {
      const tokenizer = tokenizerOf(folder);
      const ids = tokenizer.encode(zh.cot, { add_special_tokens: false }).ids;
      expect(tokenizer.decode(ids)).toBe(zh.cot);
      // Merged: far fewer tokens than the 3 UTF-8 bytes per character.
      expect(ids.length).toBeLessThan(zh.cot.length);
    }
  });

  it('compress keeps Chinese words at γ = 0.5, whole, and with --join-cjk without spaces', () => {
    const r = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, 'bin/tokenskip.mjs'),
        'compress',
        '--rate',
        '0.5',
        '--force-reserve-digit',
        '--join-cjk',
        '--chinese-words',
        '--json',
      ],
      { input: zh.cot, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      compressed_prompt: string;
      word_labels: [string, number][];
    };
    const keptChinese = out.word_labels.filter(([w, k]) => k === 1 && /\p{Script=Han}/u.test(w));
    expect(keptChinese.length).toBeGreaterThan(5);
    // --chinese-words: some kept words are several characters long ('我们', '所以').
    expect(keptChinese.some(([w]) => [...w].length > 1)).toBe(true);
    expect(out.compressed_prompt).not.toMatch(/\p{Script=Han} +\p{Script=Han}/u);
    // What is kept is the original's characters, in order.
    let at = 0;
    for (const ch of out.compressed_prompt.replace(/\s/g, '')) {
      at = zh.cot.indexOf(ch, at);
      expect(at, `'${ch}' in order`).toBeGreaterThanOrEqual(0);
      at++;
    }
    // γ = 1 returns the decoded text: with --join-cjk it is the CoT exactly as written.
    const whole = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'bin/tokenskip.mjs'), 'compress', '--rate', '1', '--join-cjk', '--text'],
      { input: zh.cot, encoding: 'utf8', timeout: 120_000 },
    );
    expect(whole.stdout.trim()).toBe(zh.cot);
    const kept = out.word_labels.filter(([, k]) => k === 1).length / out.word_labels.length;
    expect(kept).toBeGreaterThan(0.4);
    expect(kept).toBeLessThan(0.7);
  });
});
