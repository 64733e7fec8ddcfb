/**
 * The mini tokenizer's BPE is trained in Python with a transcription of Qwen2's pre-tokenizer
 * regex (Python's `re` has no \p{L}); the app runs the real regex in @huggingface/tokenizers. On
 * English and Chinese text the two must give the same ids, or the mini models would read one
 * thing in training and another in the browser.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { afterAll, describe, expect, it } from 'vitest';
import { arithProblem } from '../../src/core/datasets/arith.ts';
import { findPython, trainerEnv } from '../../src/node/pipeline/python.ts';

const dir = mkdtempSync(join(tmpdir(), 'bpe-unicode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `
import json, sys
from tokenskip_trainer.bpe import Tokenizer, train_bpe, write_tokenizer
d = json.load(open(sys.argv[1], encoding="utf-8"))
merges = train_bpe(d["corpus"], 400, max_cjk_chars=int(sys.argv[3]) if len(sys.argv) > 3 else 0)
write_tokenizer(sys.argv[2], merges)
tok = Tokenizer(merges)
print(json.dumps([tok.encode(t) for t in d["probe"]]))
`;

describe('mini BPE on Chinese', () => {
  it('encodes English and Chinese exactly as the real Qwen2 pre-tokenizer in @huggingface/tokenizers', async () => {
    const py = await findPython();
    const corpus: string[] = [];
    for (let seed = 1; seed <= 300; seed++) {
      const p = arithProblem(seed, 'x', seed % 2 ? 'zh' : 'en');
      corpus.push(`${p.question}\n${p.cot}`);
    }
    const probe = [
      corpus[0]!,
      corpus[1]!,
      '小明有5个苹果。他又买了3个，所以现在他有5 + 3 = 8个苹果！ “引号” (括号) 12:30',
      "It's 15 o'clock...  twice\n\nand\tthen",
    ];
    writeFileSync(join(dir, 'in.json'), JSON.stringify({ corpus, probe }));
    const r = spawnSync(py.executable, ['-c', SCRIPT, join(dir, 'in.json'), join(dir, 'tok')], {
      encoding: 'utf8',
      env: trainerEnv(),
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const pythonIds = JSON.parse(r.stdout) as number[][];
    const tokenizer = new Tokenizer(
      JSON.parse(readFileSync(join(dir, 'tok', 'tokenizer.json'), 'utf8')),
      JSON.parse(readFileSync(join(dir, 'tok', 'tokenizer_config.json'), 'utf8')),
    );
    probe.forEach((text, i) => {
      const ids = tokenizer.encode(text, { add_special_tokens: false }).ids;
      expect(ids, text).toEqual(pythonIds[i]);
      expect(tokenizer.decode(ids)).toBe(text);
    });
    // Chinese is merged, not left as three bytes per character.
    expect(pythonIds[1]!.length).toBeLessThan(corpus[1]!.length);
  });

  it('with max_cjk_chars, no token holds more Chinese characters than that, and ids still match the real regex', async () => {
    const py = await findPython();
    const corpus: string[] = [];
    for (let seed = 1; seed <= 300; seed++) corpus.push(arithProblem(seed, 'x', 'zh').cot);
    writeFileSync(join(dir, 'zh.json'), JSON.stringify({ corpus, probe: corpus.slice(0, 3) }));
    const longest: Record<string, number> = {};
    for (const cap of ['0', '2']) {
      const out = join(dir, `zh-${cap}`);
      const r = spawnSync(py.executable, ['-c', SCRIPT, join(dir, 'zh.json'), out, cap], {
        encoding: 'utf8',
        env: trainerEnv(),
        timeout: 120_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const json = JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8')) as {
        model: { vocab: Record<string, number> };
      };
      const tokenizer = new Tokenizer(
        json,
        JSON.parse(readFileSync(join(out, 'tokenizer_config.json'), 'utf8')),
      );
      const pythonIds = JSON.parse(r.stdout) as number[][];
      corpus.slice(0, 3).forEach((text, i) => {
        expect(tokenizer.encode(text, { add_special_tokens: false }).ids).toEqual(pythonIds[i]);
      });
      const han = (id: number) =>
        [...tokenizer.decode([id])].filter((c) => /\p{Script=Han}/u.test(c));
      longest[cap] = Math.max(...Object.values(json.model.vocab).map((id) => han(id).length));
    }
    // Unlimited, templated Chinese merges into clause-long tokens; capped, at most two characters.
    expect(longest['0']).toBeGreaterThan(2);
    expect(longest['2']).toBeLessThanOrEqual(2);
  });

  it('refuses characters its regex transcription cannot split like Qwen2 (combining marks)', async () => {
    const py = await findPython();
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({ corpus: ['e\u0301\u0301 x'], probe: [] }),
    );
    const r = spawnSync(py.executable, ['-c', SCRIPT, join(dir, 'bad.json'), join(dir, 'bad')], {
      encoding: 'utf8',
      env: trainerEnv(),
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/cannot split .* exactly as Qwen2's regex/);
  });
});
