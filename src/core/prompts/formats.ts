/**
 * TokenSkip inference prompts, per model family, exactly as the reference builds them
 * (docs/method.md#tokenskip-pipeline). The prompt is sent as a raw completion, so no chat template can drift
 * from the one the adapter was trained with. Keep this table free of logic: `build-prompt.ts` uses it.
 */

export type PromptFamily = 'qwen2.5-instruct' | 'llama-3.1';

export interface PromptFormat {
  family: PromptFamily;
  /** Text before the question. */
  head: string;
  /** Between the question and the γ marker (LLaMA puts a newline and an end-of-turn there). */
  afterQuestion: string;
  /** The γ marker for γ < 1; `{gamma}` is replaced by `formatGamma(γ)`. Empty for γ = 1. */
  gammaMarker: string;
  /** Text after the question (and marker): closes the user turn and opens the assistant's. */
  tail: string;
  /** Strings that end the assistant's turn; engines stop on the matching special tokens. */
  stop: string[];
}

export const INSTRUCTION =
  'Please reason step by step, and put your final answer within \\boxed{}.';

/** What the trained model writes between its CoT and its answer; the CoT is what precedes it. */
export const ANSWER_MARKER = '\n\nThe final answer is:';

export const PROMPT_FORMATS: Record<PromptFamily, PromptFormat> = {
  'qwen2.5-instruct': {
    family: 'qwen2.5-instruct',
    head: `<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n${INSTRUCTION}\n`,
    afterQuestion: '',
    // `<|eot_id|>` is plain text for Qwen (not one of its special tokens); kept as trained.
    gammaMarker: '<|eot_id|>{gamma}<|eot_id|>',
    tail: '<|im_end|>\n<|im_start|>assistant\n',
    stop: ['<|im_end|>', '<|endoftext|>'],
  },
  'llama-3.1': {
    family: 'llama-3.1',
    head: `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n${INSTRUCTION}\n`,
    afterQuestion: '\n<|eot_id|>',
    gammaMarker: '{gamma}<|eot_id|><|eot_id|>',
    tail: '<|start_header_id|>assistant<|end_header_id|>\n\n',
    stop: ['<|eot_id|>', '<|end_of_text|>'],
  },
};
