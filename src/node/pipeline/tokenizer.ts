/**
 * Loads a model folder's tokenizer.json (+ tokenizer_config.json) with @huggingface/tokenizers and
 * reads its config.json, so records are tokenized with the target model's own tokenizer in TypeScript.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tokenizer } from '@huggingface/tokenizers';
import { TokenSkipError } from '../../core/errors.ts';
import { createTokenizer } from '../../core/tokenizer.ts';

export interface ModelInfo {
  dir: string;
  config: Record<string, unknown> & { model_type?: string };
  tokenizer: Tokenizer;
}

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new TokenSkipError('MODEL_FILE_MISSING', `${path} is missing: ${what}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new TokenSkipError('MODEL_FILE_CORRUPT', `${path} is not valid JSON; download it again.`);
  }
}

export async function loadModelInfo(dir: string): Promise<ModelInfo> {
  const config = await readJson(
    join(dir, 'config.json'),
    'expected an HF model folder (config.json + tokenizer.json).',
  );
  const tj = await readJson(
    join(dir, 'tokenizer.json'),
    'the target model tokenizer is needed to tokenize records.',
  );
  let tc: Record<string, unknown> = {};
  try {
    tc = await readJson(join(dir, 'tokenizer_config.json'), '');
  } catch {
    // tokenizer_config.json is optional; special tokens come from tokenizer.json's added_tokens.
  }
  const tokenizer = createTokenizer(tj, tc, join(dir, 'tokenizer.json'));
  return { dir, config, tokenizer };
}

export function encode(tok: Tokenizer, text: string): number[] {
  return tok.encode(text, { add_special_tokens: false }).ids;
}
