/**
 * The Learn page paints its first heat map from data/reference/learn-mini.json: it must be what the
 * shipped mini scorer computes for the worked example with the page's options, recorded against
 * the model file that computed it, and shown only for exactly that model, text and options.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scoreLingua2, selectLingua2 } from '../../src/core/compression/llmlingua2.ts';
import {
  referenceScoresFor,
  type ScoresReference,
} from '../../src/core/compression/scores-reference.ts';
import { canonicalExample } from '../../src/core/datasets/canonical-example.ts';
import { LEARN_SCORE_OPTIONS } from '../../src/core/models/mini-compression.ts';
import { DEFAULT_MODELS, findScorer } from '../../src/core/models/registry.ts';
import { pickVariant } from '../../src/runtime/hub/model-manifest.ts';
import { loadNodeScorer } from '../../src/runtime/node/scorer-node.ts';
import { createTokenDecoder } from '../../src/core/compression/scorer-tokenizer.ts';

const reference = JSON.parse(
  readFileSync('data/reference/learn-mini.json', 'utf8'),
) as ScoresReference;

describe('the Learn reference scores', () => {
  it('name the default scorer, its ONNX file and the page options', () => {
    const entry = findScorer(DEFAULT_MODELS.scorer);
    expect(reference.model).toBe(entry.id);
    const file = pickVariant(entry, 'wasm').file;
    expect(reference.modelSha256).toBe(entry.files.find((f) => f.path === file)?.sha256);
    expect(reference.options).toEqual({
      ...LEARN_SCORE_OPTIONS,
      forceTokens: [...LEARN_SCORE_OPTIONS.forceTokens],
    });
    for (const language of ['en', 'zh'] as const)
      expect(reference.languages[language].cot).toBe(canonicalExample(language).cot);
  });

  it('are what the shipped mini scorer computes, word for word', async () => {
    const scorer = await loadNodeScorer(reference.model, { threads: 1 });
    try {
      for (const language of ['en', 'zh'] as const) {
        const { cot, scored } = reference.languages[language];
        const [live] = await scoreLingua2(
          [cot],
          scorer.tokenizer,
          scorer.classifier,
          reference.options,
          reference.model,
        );
        const words = (s: typeof scored) => s.chunks.flat();
        expect(words(scored).map((w) => w.text)).toEqual(words(live!).map((w) => w.text));
        words(live!).forEach((w, i) => {
          expect(words(scored)[i]!.score, `${language} word ${i} "${w.text}"`).toBeCloseTo(
            w.score,
            5,
          );
          expect(words(scored)[i]!.forced).toBe(w.forced);
        });
        // The same words are kept at every γ the slider offers.
        for (let gamma = 0.1; gamma <= 1; gamma += 0.05) {
          const at = (s: typeof scored) =>
            selectLingua2(s, gamma, createTokenDecoder(s.decoder)).compressed_prompt;
          expect(at(scored), `${language} at γ ${gamma}`).toBe(at(live!));
        }
      }
    } finally {
      await scorer.classifier.release();
    }
  }, 60_000);

  it('are offered only for their model file, text and options', () => {
    const wanted = {
      modelId: reference.model,
      modelSha256: reference.modelSha256,
      cot: canonicalExample('zh').cot,
      options: { ...reference.options },
    };
    expect(referenceScoresFor(reference, wanted)).toBe(reference.languages.zh.scored);
    // Key order does not matter; values do.
    const reordered = Object.fromEntries(Object.entries(wanted.options).reverse());
    expect(referenceScoresFor(reference, { ...wanted, options: reordered })).toBeDefined();
    expect(referenceScoresFor(reference, { ...wanted, cot: wanted.cot + ' ' })).toBeUndefined();
    expect(
      referenceScoresFor(reference, { ...wanted, modelId: 'tiny-lingua-bert' }),
    ).toBeUndefined();
    expect(
      referenceScoresFor(reference, { ...wanted, modelSha256: '0'.repeat(64) }),
    ).toBeUndefined();
    expect(
      referenceScoresFor(reference, {
        ...wanted,
        options: { ...wanted.options, forceReserveDigit: false },
      }),
    ).toBeUndefined();
  });
});
