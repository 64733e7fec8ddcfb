import { describe, expect, it } from 'vitest';
import {
  chatPair,
  drawGammas,
  inferencePrompt,
  tokenskipRecord,
  validationIndices,
} from '../../src/core/prompts/tokenskip-format.ts';

describe('TokenSkip records (docs/method.md#tokenskip-pipeline)', () => {
  it('formats γ < 1 and γ = 1 records exactly', () => {
    const r = tokenskipRecord({ question: 'What is 2+2?', cot: '2+2=4.', answer: '4', gamma: 0.6 });
    expect(r).toEqual({
      instruction: 'Please reason step by step, and put your final answer within \\boxed{}.',
      input: 'What is 2+2?<|eot_id|>0.6<|eot_id|>',
      output: '2+2=4.\n\nThe final answer is: $\\boxed{4}$',
    });
    expect(tokenskipRecord({ question: 'Q', cot: 'c', answer: '1', gamma: 1 }).input).toBe('Q');
    expect(() => tokenskipRecord({ question: 'Q', cot: 'c', answer: '1', gamma: 0.65 })).toThrow(
      /not one of/,
    );
  });

  it('builds the Qwen2.5 inference prompt literally', () => {
    expect(inferencePrompt('qwen2', 'Q?', 0.5)).toBe(
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nPlease reason step by step, and put your final answer within \\boxed{}.\nQ?<|eot_id|>0.5<|eot_id|><|im_end|>\n<|im_start|>assistant\n',
    );
    expect(inferencePrompt('qwen2', 'Q?', 1)).toBe(
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nPlease reason step by step, and put your final answer within \\boxed{}.\nQ?<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(inferencePrompt('llama3', 'Q?', 0.7)).toBe(
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nPlease reason step by step, and put your final answer within \\boxed{}.\nQ?\n<|eot_id|>0.7<|eot_id|><|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
  });

  it('training prompt equals the inference prompt, response ends the turn', () => {
    // chatPair takes the sample the record is made from (the prompt comes from the prompt table).
    const { prompt, response } = chatPair('qwen2', {
      question: 'Q?',
      cot: 'c',
      answer: '1',
      gamma: 0.5,
    });
    expect(prompt).toBe(inferencePrompt('qwen2', 'Q?', 0.5));
    expect(response).toBe('c\n\nThe final answer is: $\\boxed{1}$<|im_end|>\n');
  });

  it('draws γ uniformly with a seed and splits reproducibly', () => {
    const g = drawGammas(6000, 42);
    expect(drawGammas(6000, 42)).toEqual(g);
    for (const v of [1, 0.9, 0.8, 0.7, 0.6, 0.5]) {
      const share = g.filter((x) => x === v).length / g.length;
      expect(share).toBeGreaterThan(0.14);
      expect(share).toBeLessThan(0.19);
    }
    const held = validationIndices(100, 0.1, 42);
    expect(held.size).toBe(10);
    expect([...validationIndices(100, 0.1, 42)]).toEqual([...held]);
    expect([...validationIndices(100, 0.1, 43)]).not.toEqual([...held]);
  });
});
