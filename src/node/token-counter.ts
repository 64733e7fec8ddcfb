/**
 * Token counters for CLI reports: cl100k_base (core/compression/token-count.ts) or a Hugging Face
 * `tokenizer.json` (the target model's tokenizer, through @huggingface/tokenizers, pure JS).
 *
 *   const { count, label } = await loadTokenCounter('models/qwen2.5/tokenizer.json');
 *   count('Janet sells 16 - 3 - 4 = 9 duck eggs a day.');
 *
 * A `tokenizer.json` counter adds the tokenizer's special tokens (e.g. LLaMA's BOS) the way the
 * reference's `tokenizer(cot)` does.
 */
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TokenSkipError } from '../core/errors.ts';
import type { TokenCounter } from '../core/eval/index.ts';

export interface LoadedCounter {
  count: TokenCounter;
  /** What the report says it counted with. */
  label: string;
}

async function readJson(path: string): Promise<object> {
  return JSON.parse(await readFile(path, 'utf8')) as object;
}

/** `cl100k` | a tokenizer.json file | a folder holding tokenizer.json (and tokenizer_config.json). */
export async function loadTokenCounter(spec: string): Promise<LoadedCounter> {
  if (spec === 'cl100k' || spec === 'cl100k_base') {
    // Special-token text in a completion counts as ordinary text rather than throwing.
    const { countCl100kTokens } = await import('../core/compression/token-count.ts');
    return { count: countCl100kTokens, label: 'cl100k_base' };
  }
  let file = spec;
  try {
    if ((await stat(spec)).isDirectory()) file = join(spec, 'tokenizer.json');
    const tokenizerJson = await readJson(file);
    const configPath = join(dirname(file), 'tokenizer_config.json');
    const config = await readJson(configPath).catch(() => ({}));
    const { createTokenizer } = await import('../core/tokenizer.ts');
    const tokenizer = createTokenizer(tokenizerJson, config, file);
    return { count: (text) => tokenizer.encode(text).ids.length, label: file };
  } catch (error) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `Cannot load tokenizer '${spec}': ${(error as Error).message}. Pass cl100k, a tokenizer.json file, or a folder holding one.`,
      { cause: error },
    );
  }
}
