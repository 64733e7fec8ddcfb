/**
 * The one TokenSkip prompt table (docs/method.md#tokenskip-pipeline). Everything that writes a chat
 * prompt reads it: the inference prompt (`build-prompt.ts`: the app, `collect`, `eval`), the
 * training record and chat pair (`tokenskip-format.ts`: `tokenskip build`), and, through the JSON
 * file generated from it (`table-json.ts`, trainer/tokenskip_trainer/prompt_table.json), the mini
 * tokenizer's special tokens and corpus (trainer/tokenskip_trainer/prompt_table.py). The prompt is
 * sent as a raw completion, so no chat template can drift from the one the adapter was trained
 * with. Keep this table free of logic.
 *
 * Which side of TokenSkip it follows. TokenSkip's own code (github.com/hemingkx/TokenSkip at commit
 * ef02f53b8c0f1be1922add79dfc06d74bda22d97) writes the prompt twice:
 *   - training: get_llamafactory_input.py lines 47 and 53-55 make the alpaca record
 *     (input = `{question}<|eot_id|>{ratio}<|eot_id|>`), which LLaMA-Factory's `qwen` / `llama3`
 *     templates wrap as `{instruction}\n{input}` + end of user turn;
 *   - inference: evaluation.py lines 50-59 build the prompt by hand.
 * For Qwen2.5 both give the same text. For Llama-3 they differ: evaluation.py lines 52 and 54 put
 * `\n` + eos (`<|eot_id|>`) after the question, so inference reads `Q?\n<|eot_id|>0.7<|eot_id|><|eot_id|>`
 * where the LLaMA-Factory record trains on `Q?<|eot_id|>0.7<|eot_id|><|eot_id|>`. This table follows
 * evaluation.py for both sides (training = inference, byte for byte): it is the prompt behind
 * TokenSkip's published Llama-3 numbers, so released adapters are run as they were measured, and an
 * adapter trained here by `tokenskip build` is trained on exactly the prompt it is later asked with.
 * The alpaca record `tokenskip build` also writes (TOKENSKIP_RECORD) stays as get_llamafactory_input.py
 * makes it.
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
  /** What follows the output in a training response: the model learns to end its turn. */
  endOfTurn: string;
  /** The chat's control tokens, each a single special token of the model's vocabulary. */
  specialTokens: string[];
}

export const INSTRUCTION =
  'Please reason step by step, and put your final answer within \\boxed{}.';

/** What the trained model writes between its CoT and its answer; the CoT is what precedes it. */
export const ANSWER_MARKER = '\n\nThe final answer is:';

/** TokenSkip's γ delimiter in the training record (plain text for Qwen, not a special token). */
export const DELIMITER = '<|eot_id|>';

export const QWEN_SYSTEM = 'You are a helpful assistant.';

/**
 * The alpaca-style training record of get_llamafactory_input.py (commit above, lines 43-55); the
 * same for every family. `{gamma}` is `formatGamma(γ)`, `{cot}` and `{answer}` the sample's.
 */
export const TOKENSKIP_RECORD = {
  instruction: INSTRUCTION,
  /** Appended to the question for γ < 1 (line 47). */
  gammaMarker: `${DELIMITER}{gamma}${DELIMITER}`,
  /** The output (lines 43 and 50). */
  output: `{cot}${ANSWER_MARKER} $\\boxed{{answer}}$`,
} as const;

export const PROMPT_FORMATS: Record<PromptFamily, PromptFormat> = {
  'qwen2.5-instruct': {
    family: 'qwen2.5-instruct',
    head: `<|im_start|>system\n${QWEN_SYSTEM}<|im_end|>\n<|im_start|>user\n${INSTRUCTION}\n`,
    afterQuestion: '',
    // `<|eot_id|>` is plain text for Qwen (not one of its special tokens); kept as trained.
    gammaMarker: `${DELIMITER}{gamma}${DELIMITER}`,
    tail: '<|im_end|>\n<|im_start|>assistant\n',
    stop: ['<|im_end|>', '<|endoftext|>'],
    endOfTurn: '<|im_end|>\n',
    // In the id order the mini tokenizer gives them (after the byte tokens and merges).
    specialTokens: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'],
  },
  'llama-3.1': {
    family: 'llama-3.1',
    head: `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n${INSTRUCTION}\n`,
    afterQuestion: '\n<|eot_id|>',
    gammaMarker: '{gamma}<|eot_id|><|eot_id|>',
    tail: '<|start_header_id|>assistant<|end_header_id|>\n\n',
    stop: ['<|eot_id|>', '<|end_of_text|>'],
    endOfTurn: '<|eot_id|>',
    specialTokens: [
      '<|begin_of_text|>',
      '<|end_of_text|>',
      '<|start_header_id|>',
      '<|end_header_id|>',
      '<|eot_id|>',
    ],
  },
};

/**
 * The mini model (models/mini): the Qwen2.5-Instruct format with its own byte-level BPE tokenizer
 * (trainer/tokenskip_trainer/bpe.py), whose special tokens, eos and pad come from here.
 */
export const MINI_TOKENIZER = {
  family: 'qwen2.5-instruct',
  specialTokens: PROMPT_FORMATS['qwen2.5-instruct'].specialTokens,
  eos: '<|im_end|>',
  pad: '<|endoftext|>',
} as const satisfies {
  family: PromptFamily;
  specialTokens: string[];
  eos: string;
  pad: string;
};
