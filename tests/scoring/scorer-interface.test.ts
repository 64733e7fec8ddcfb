// The three scorers behind the one `Scorer` contract, on the same CoT with real models
// (onnxruntime-node): score once, select at any γ with the pure `selectScored`, and project onto
// the CoT's words for comparison.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectLingua2, type LinguaScored } from '../../src/core/compression/llmlingua2.ts';
import { createCausalScorer } from '../../src/core/scoring/causal-scorer.ts';
import {
  compareWords,
  cotWords,
  keptUnits,
  projectToWords,
  unitsOf,
} from '../../src/core/scoring/compare.ts';
import { createLingua2Scorer } from '../../src/core/scoring/lingua2-scorer.ts';
import { selectScored, type AnyScored } from '../../src/core/scoring/select.ts';
import type { Scorer } from '../../src/core/scoring/types.ts';
import type { LoadedScorer } from '../../src/runtime/scorers/scorer-loader.ts';
import type { ReferenceModel } from '../../src/runtime/scorers/causal-scorer-loader.ts';
import { loadNodeReferenceModel } from '../../src/runtime/node/causal-scorer-node.ts';
import { loadNodeScorer } from '../../src/runtime/node/scorer-node.ts';

const input = {
  question: 'A robe takes 2 bolts of blue fiber and half that much white fiber. How many bolts?',
  answer: '3',
  cot: 'It takes 2/2=1 bolt of white fiber\nSo the total amount of fabric is 2+1=3 bolts of fabric',
};

let lingua: LoadedScorer;
let reference: ReferenceModel;
let scorers: Scorer<AnyScored>[];

beforeAll(async () => {
  lingua = await loadNodeScorer('tiny-lingua-xlmr', { threads: 1 });
  reference = await loadNodeReferenceModel('models/fixtures/tiny-qwen2', { threads: 1 });
  const { lm, tokenizer } = reference;
  scorers = [
    createLingua2Scorer(lingua.tokenizer, lingua.classifier, lingua.modelId),
    createCausalScorer('cts', lm, tokenizer, 'tiny-qwen2', { condition: 'both' }),
    createCausalScorer('ppl', lm, tokenizer, 'tiny-qwen2'),
  ];
});
afterAll(async () => {
  await lingua?.classifier.release();
  await reference?.session.release();
});

describe('Scorer interface', () => {
  it('scores once and selects at any γ for all three scorers', async () => {
    for (const scorer of scorers) {
      const scored = await scorer.score(input);
      expect(scored.scorer).toBe(scorer.name);
      let previous = -1;
      for (const rate of [0.3, 0.6, 0.9]) {
        const result = selectScored(scored, rate);
        expect(result.compressed_tokens).toBeLessThan(result.origin_tokens);
        expect(result.compressed_tokens).toBeGreaterThanOrEqual(previous);
        previous = result.compressed_tokens;
      }
      const all = selectScored(scored, 1);
      // γ = 1: the causal scorers keep the CoT as is; LLMLingua-2 returns its tokenizer's round
      // trip, which loses the line break as the reference does.
      if (scorer.name === 'llmlingua2')
        expect(all.compressed_prompt).toBe(input.cot.replace('\n', ' '));
      else expect(all.compressed_prompt).toBe(input.cot);
    }
  });

  it('selects the same after a structured clone (the worker boundary) as with the tokenizer', async () => {
    const other = { ...input, cot: `${input.cot}\nSo the answer is 3.` };
    for (const scorer of scorers) {
      const many = await scorer.scoreMany([input, other]);
      expect(many).toHaveLength(2);
      for (const [i, one] of [input, other].entries()) {
        const single = await scorer.score(one);
        const cloned = structuredClone(many[i]!);
        for (const rate of [0.2, 0.5, 0.77, 1]) {
          expect(selectScored(cloned, rate)).toEqual(selectScored(single, rate));
          if (scorer.name === 'llmlingua2') {
            // The decoder rebuilt from the scored text's spec gives the tokenizer's own text.
            const { words: _words, ...result } = selectScored(cloned, rate);
            expect(result).toEqual(selectLingua2(single as LinguaScored, rate, lingua.tokenizer));
          }
        }
      }
    }
  });

  it('checks input without the model', () => {
    for (const scorer of scorers) expect(() => scorer.check({ cot: '  ' })).toThrow(/empty/);
  });

  it('projects every scorer onto the same words and compares any two', async () => {
    const cells = [];
    for (const scorer of scorers) {
      const scored = await scorer.score(input);
      const result = selectScored(scored, 0.5);
      const projected = projectToWords(input.cot, unitsOf(scored), keptUnits(scored, result));
      expect(projected.map((c) => c.text)).toEqual(cotWords(input.cot).map((w) => w.text));
      // Every word received a score from every scorer.
      expect(projected.filter((c) => Number.isNaN(c.score))).toEqual([]);
      cells.push(projected);
    }
    const [lingua2, cts, ppl] = cells;
    for (const [a, b] of [
      [lingua2!, cts!],
      [cts!, ppl!],
    ] as const) {
      const stats = compareWords(a, b);
      expect(stats.both + stats.onlyA.length).toBe(stats.keptA);
      expect(stats.both + stats.onlyB.length).toBe(stats.keptB);
      expect(stats.spearman).toBeGreaterThanOrEqual(-1);
      expect(stats.spearman).toBeLessThanOrEqual(1);
    }
  });
});
