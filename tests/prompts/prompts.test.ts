/**
 * Golden tests: TokenSkip prompts byte for byte against docs/method.md#tokenskip-pipeline (the expected strings
 * are written out literally here, not rebuilt from the format table), plus γ parsing and formatting.
 */
import { describe, expect, it } from 'vitest';
import {
  buildPrompt,
  formatGamma,
  parseGamma,
  parseGammaList,
  splitOutput,
  validateGamma,
} from '../../src/core/prompts/index.ts';
import { TokenSkipError } from '../../src/core/errors.ts';

const Q = 'Natalia sold clips to 48 of her friends in April. How many clips did she sell?';

const cases: { name: string; family: string; gamma: number; expected: string }[] = [
  {
    name: 'Qwen2.5-Instruct, γ = 1',
    family: 'qwen2.5-instruct',
    gamma: 1,
    expected:
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n' +
      'Please reason step by step, and put your final answer within \\boxed{}.\n' +
      `${Q}<|im_end|>\n<|im_start|>assistant\n`,
  },
  {
    name: 'Qwen2.5-Instruct, γ = 0.6',
    family: 'qwen2.5-instruct',
    gamma: 0.6,
    expected:
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n' +
      'Please reason step by step, and put your final answer within \\boxed{}.\n' +
      `${Q}<|eot_id|>0.6<|eot_id|><|im_end|>\n<|im_start|>assistant\n`,
  },
  {
    name: 'Qwen2.5-Instruct, γ = 0.5',
    family: 'qwen2.5-instruct',
    gamma: 0.5,
    expected:
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n' +
      'Please reason step by step, and put your final answer within \\boxed{}.\n' +
      `${Q}<|eot_id|>0.5<|eot_id|><|im_end|>\n<|im_start|>assistant\n`,
  },
  {
    name: 'LLaMA-3.1, γ = 1',
    family: 'llama-3.1',
    gamma: 1,
    expected:
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n' +
      'Please reason step by step, and put your final answer within \\boxed{}.\n' +
      `${Q}\n<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
  },
  {
    name: 'LLaMA-3.1, γ = 0.7',
    family: 'llama-3.1',
    gamma: 0.7,
    expected:
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n' +
      'Please reason step by step, and put your final answer within \\boxed{}.\n' +
      `${Q}\n<|eot_id|>0.7<|eot_id|><|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
  },
];

describe('buildPrompt', () => {
  it.each(cases)('$name', ({ family, gamma, expected }) => {
    expect(buildPrompt(family, Q, gamma)).toBe(expected);
  });

  it('keeps the question verbatim (no trimming), as the reference does', () => {
    expect(buildPrompt('qwen2.5-instruct', ' 2+3?\n', 1)).toContain(
      '\\boxed{}.\n 2+3?\n<|im_end|>',
    );
  });

  it.each([
    ['empty question', 'qwen2.5-instruct', '', 0.6, 'EMPTY_INPUT'],
    ['blank question', 'llama-3.1', ' \n\t', 1, 'EMPTY_INPUT'],
    ['γ = 0', 'qwen2.5-instruct', Q, 0, 'INVALID_ARGUMENT'],
    ['γ > 1', 'qwen2.5-instruct', Q, 1.2, 'INVALID_ARGUMENT'],
    ['γ NaN', 'qwen2.5-instruct', Q, Number.NaN, 'INVALID_ARGUMENT'],
    ['unknown family', 'mistral', Q, 1, 'INVALID_ARGUMENT'],
  ])('rejects %s', (_name, family, question, gamma, code) => {
    const call = () => buildPrompt(family, question, gamma);
    expect(call).toThrow(TokenSkipError);
    try {
      call();
    } catch (e) {
      expect((e as TokenSkipError).code).toBe(code);
    }
  });
});

describe('γ', () => {
  it.each([
    [0.6, '0.6'],
    [0.5, '0.5'],
    [0.55, '0.55'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1, '1.0'],
    [0.0001, '0.0001'],
    [0.00005, '5e-05'],
    [1.5e-7, '1.5e-07'],
  ])('formats %s like Python repr: %s', (gamma, text) => {
    expect(formatGamma(gamma)).toBe(text);
  });

  it.each(['0.6', ' 0.6 ', '.5', '1', '1.0', '6e-1'])('parses %j', (text) => {
    expect(parseGamma(text)).toBeCloseTo(Number(text.trim()), 12);
  });

  it.each(['', 'abc', '0', '-0.5', '1.01', '0x1', 'Infinity', '0.6.1'])('rejects %j', (text) => {
    expect(() => parseGamma(text)).toThrow(/gamma must be a number in \(0, 1\]/);
  });

  it('names the offending field', () => {
    expect(() => validateGamma('0.6', 'options.gamma')).toThrow(/options\.gamma must be a number/);
    expect(() => parseGammaList('1,0.6,2')).toThrow(/gammas\[2\] must be a number/);
  });

  it('parses γ lists, keeping order and refusing duplicates', () => {
    expect(parseGammaList('1, 0.8,0.6')).toEqual([1, 0.8, 0.6]);
    expect(() => parseGammaList('')).toThrow(/empty/);
    expect(() => parseGammaList('0.6,0.60')).toThrow(/twice/);
  });
});

describe('splitOutput', () => {
  it('splits the CoT from the answer line', () => {
    const out = 'Step 1: 2+3=5\n\nThe final answer is: $\\boxed{5}$';
    expect(splitOutput(out)).toEqual({
      cot: 'Step 1: 2+3=5',
      answer: '\n\nThe final answer is: $\\boxed{5}$',
    });
  });
  it('keeps the whole output as CoT when the marker is missing', () => {
    expect(splitOutput('no answer yet')).toEqual({ cot: 'no answer yet', answer: '' });
  });
});
