/** Loads the committed fixture tokenizers and a table-driven classifier for hand-checked vectors. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  createScorerTokenizer,
  type ScorerTokenizer,
  type TokenizerFamily,
} from '../../src/core/compression/scorer-tokenizer.ts';
import type { TokenClassifier } from '../../src/core/compression/llmlingua2.ts';
import type { ModelInput } from '../../src/core/compression/llmlingua2-words.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const fixtureDir = (name: string): string => path.join(repoRoot, 'models/fixtures', name);

export function fixtureTokenizer(family: TokenizerFamily): ScorerTokenizer {
  const dir = fixtureDir(family === 'xlmr' ? 'tiny-lingua-xlmr' : 'tiny-lingua-mbert');
  const json = JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const config = JSON.parse(
    readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'),
  ) as Record<string, unknown>;
  return createScorerTokenizer(json, config, family);
}

/**
 * A classifier whose keep-probability is a function of the token string: the algorithm's input is
 * chosen by the test, so expected outputs can be worked out by hand. Records every batch it gets.
 */
export function tableClassifier(
  tokenizer: ScorerTokenizer,
  probOf: (token: string, position: number) => number,
): TokenClassifier & { batches: ModelInput[][] } {
  const batches: ModelInput[][] = [];
  return {
    batches,
    async classify(rows) {
      batches.push(rows);
      return rows.map((row) =>
        Float32Array.from(row.ids, (id, t) => probOf(tokenizer.idToToken(id), t)),
      );
    },
  };
}
