/** The one tokenizer loader: a real model folder loads; broken files give one clear error. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTokenizer, type TokenizerFiles } from '../../src/core/tokenizer.ts';

const FIXTURE = 'models/fixtures/tiny-qwen2';

function memoryFiles(files: Record<string, string>): TokenizerFiles {
  return {
    location: 'mem',
    readBytes: async (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`${path}: not found`);
      return new TextEncoder().encode(text);
    },
  };
}

describe('readTokenizer', () => {
  it('loads a real folder, tokenizer_config.json optional', async () => {
    const json = readFileSync(`${FIXTURE}/tokenizer.json`, 'utf8');
    const withConfig = await readTokenizer(
      memoryFiles({
        'tokenizer.json': json,
        'tokenizer_config.json': readFileSync(`${FIXTURE}/tokenizer_config.json`, 'utf8'),
      }),
    );
    const without = await readTokenizer(memoryFiles({ 'tokenizer.json': json }));
    const ids = withConfig.encode('She has 5 apples.', { add_special_tokens: false }).ids;
    expect(ids.length).toBeGreaterThan(3);
    expect(without.encode('She has 5 apples.', { add_special_tokens: false }).ids).toEqual(ids);
  });

  it.each([
    ['{}', /mem\/tokenizer.json could not be loaded: .*Re-download/],
    ['[1, 2]', /mem\/tokenizer.json is not valid JSON \(not a JSON object\)/],
    ['{"model": ', /mem\/tokenizer.json is not valid JSON/],
  ])('refuses tokenizer.json %s with a clear message', async (text, message) => {
    await expect(readTokenizer(memoryFiles({ 'tokenizer.json': text }))).rejects.toThrow(message);
  });

  it('names the missing tokenizer.json', async () => {
    await expect(readTokenizer(memoryFiles({}))).rejects.toThrow(/tokenizer.json: not found/);
  });
});
