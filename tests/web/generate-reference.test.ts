/**
 * The Generate page opens on data/reference/generate-mini.json: it must be what the shipped
 * TokenSkip-mini writes for the worked example (greedy, so the same text every time), with figures
 * that agree with each other, and it is shown only for the settings it was made with.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalExample } from '../../src/core/datasets/canonical-example.ts';
import {
  GENERATE_REFERENCE_SETTINGS,
  referenceRunsFor,
  type GenerateReference,
} from '../../src/core/generation/reference-run.ts';
import { buildPrompt, promptFormat, splitOutput } from '../../src/core/prompts/index.ts';
import { loadTokenCounter } from '../../src/node/token-counter.ts';
import { createNodeOnnxEngine } from '../../src/runtime/node/onnx-engine-node.ts';
import { DEFAULT_MODELS } from '../../src/core/models/registry.ts';

const reference = JSON.parse(
  readFileSync('data/reference/generate-mini.json', 'utf8'),
) as GenerateReference;

describe('the Generate reference run', () => {
  it('was made with the page defaults: the registry default model, the worked example', () => {
    expect(reference).toMatchObject(GENERATE_REFERENCE_SETTINGS);
    expect(reference.model).toBe(DEFAULT_MODELS.generation);
    for (const language of ['en', 'zh'] as const) {
      expect(reference.languages[language].question).toBe(canonicalExample(language).question);
      const runs = reference.languages[language].runs;
      expect(runs.map((r) => r.gamma)).toEqual([1, reference.gamma]);
      for (const r of runs) {
        // The chart's line ends at the run's own totals.
        expect(r.timeline.at(-1)).toEqual({
          ms: r.usage.e2eLatencyMs,
          tokens: r.usage.completionTokens,
        });
      }
    }
  });

  it('is what TokenSkip-mini writes (greedy) and counts its CoT with its tokenizer', async () => {
    const engine = createNodeOnnxEngine('models/mini/tokenskip');
    await engine.load();
    const { count } = await loadTokenCounter('models/mini/tokenskip');
    try {
      for (const language of ['en', 'zh'] as const) {
        const { question, runs } = reference.languages[language];
        for (const run of runs) {
          const r = await engine.generate(buildPrompt('qwen2.5-instruct', question, run.gamma), {
            maxNewTokens: reference.maxNewTokens,
            stop: promptFormat('qwen2.5-instruct').stop,
          });
          expect(r.text).toBe(run.text);
          expect(r.usage.completionTokens).toBe(run.usage.completionTokens);
          expect(count(splitOutput(r.text).cot)).toBe(run.cotTokens);
        }
        // The compressed CoT is shorter: the page's token saving is real.
        expect(runs[1]!.cotTokens).toBeLessThan(runs[0]!.cotTokens);
      }
    } finally {
      await engine.unload();
    }
  }, 120_000);

  it('is shown only for the settings it was made with', () => {
    const settings = {
      model: reference.model,
      question: canonicalExample('zh').question,
      gamma: reference.gamma,
      maxNewTokens: reference.maxNewTokens,
      sideBySide: true,
    };
    expect(referenceRunsFor(reference, settings)).toBe(reference.languages.zh.runs);
    expect(referenceRunsFor(reference, { ...settings, question: 'Another question?' })).toBe(
      undefined,
    );
    expect(referenceRunsFor(reference, { ...settings, gamma: 0.5 })).toBeUndefined();
    expect(referenceRunsFor(reference, { ...settings, model: 'tiny-qwen2' })).toBeUndefined();
    expect(referenceRunsFor(reference, { ...settings, maxNewTokens: 64 })).toBeUndefined();
    expect(referenceRunsFor(reference, { ...settings, sideBySide: false })).toBeUndefined();
  });
});
