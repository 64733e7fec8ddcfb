/**
 * Parity with the Python reference. `fixtures/llmlingua2-golden.json` holds the outputs of
 * LLMLingua v0.2.2's `compress_prompt_llmlingua2` (transcribed line by line and run with HF's
 * Rust tokenizers, tiktoken, numpy and onnxruntime on the committed fixture models, rows padded to
 * 512) for 15 GSM8K / MATH-500 texts, three option sets and several rates, on both tokenizer
 * families. Our core on onnxruntime-node must give the same tokens and the same results.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  scoreLingua2,
  selectLingua2,
  type LinguaOptions,
} from '../../src/core/compression/llmlingua2.ts';
import { loadNodeScorer } from '../../src/runtime/node/scorer-node.ts';
import type { CompressionResult } from '../../src/core/compression/types.ts';

interface GoldenResult extends CompressionResult {
  model: string;
  case: string;
  config: 'default' | 'llama' | 'first';
  gamma: number;
  tokens: string[];
}
const golden = JSON.parse(
  readFileSync(path.join(import.meta.dirname, 'fixtures/llmlingua2-golden.json'), 'utf8'),
) as {
  cases: { id: string; text: string }[];
  results: GoldenResult[];
};

const configs: Record<GoldenResult['config'], Partial<LinguaOptions>> = {
  default: {},
  llama: { forceTokens: ['Step', ':', '\n'], forceReserveDigit: true, dropConsecutive: true },
  first: { tokenToWord: 'first' },
};

describe.each(['tiny-lingua-xlmr', 'tiny-lingua-mbert'])(
  '%s against the Python reference',
  (model) => {
    const results = golden.results.filter((r) => r.model === model);

    it('tokenizes every text exactly as HF tokenizers (Rust) does', async () => {
      const scorer = await loadNodeScorer(model);
      for (const c of golden.cases) {
        const expected = results.find((r) => r.case === c.id)!.tokens;
        expect(scorer.tokenizer.tokenize(c.text), c.id).toEqual(expected);
      }
    });

    it.each(Object.keys(configs) as GoldenResult['config'][])(
      'matches every result with the %s options',
      async (config) => {
        const scorer = await loadNodeScorer(model);
        const texts = golden.cases.map((c) => c.text);
        const scored = await scoreLingua2(
          texts,
          scorer.tokenizer,
          scorer.classifier,
          configs[config],
        );
        let checked = 0;
        for (const expected of results.filter((r) => r.config === config)) {
          const i = golden.cases.findIndex((c) => c.id === expected.case);
          const actual = selectLingua2(scored[i]!, expected.gamma, scorer.tokenizer);
          const where = `${expected.case} at γ=${expected.gamma}`;
          expect(actual.compressed_prompt, where).toBe(expected.compressed_prompt);
          expect(actual.word_labels, where).toEqual(expected.word_labels);
          expect(
            [actual.origin_tokens, actual.compressed_tokens, actual.ratio, actual.rate],
            where,
          ).toEqual([
            expected.origin_tokens,
            expected.compressed_tokens,
            expected.ratio,
            expected.rate,
          ]);
          checked++;
        }
        expect(checked).toBeGreaterThanOrEqual(15);
      },
    );
  },
);
