/** What the Generate page offers when a model fails to load: the same model on the other engine first. */
import { describe, expect, it } from 'vitest';
import { alternativesFor } from '../../src/core/generation/alternatives.ts';
import { findGenerationModel } from '../../src/core/models/registry.ts';

describe('alternativesFor', () => {
  it('offers the ONNX export of the same model before other models', () => {
    const alts = alternativesFor(findGenerationModel('Qwen2.5-0.5B-Instruct-q4f32_1-MLC'));
    expect(alts[0]!.id).toBe('Qwen2.5-0.5B-Instruct-onnx');
    expect(alts.every((m) => m.engine === 'onnx')).toBe(true);
  });

  it('then prefers the same kind: a TokenSkip model gets TokenSkip models first', () => {
    const alts = alternativesFor(findGenerationModel('mini-tokenskip'));
    expect(alts.length).toBeGreaterThan(0);
    expect(alts.every((m) => m.engine === 'webllm')).toBe(true);
    expect(alts[0]!.tokenskip).toBe(true);
  });
});
