/**
 * A reference model's tokenizer for the causal scorers, from its `tokenizer.json` (and
 * `tokenizer_config.json` when present) through @huggingface/tokenizers, pure JS in Node and the
 * browser. Encodes without special tokens (the scorers add the start token themselves) and decodes
 * without clean-up, so unit texts join back to the CoT.
 */
import type { CausalTokenizer } from '../../core/scoring/types.ts';
import type { CausalLmConfigJson } from './onnx-causal-lm.ts';
import { createTokenizer } from '../../core/tokenizer.ts';

function firstId(value: number | number[] | null | undefined): number | undefined {
  const id = Array.isArray(value) ? value[0] : value;
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : undefined;
}

export function createCausalTokenizer(
  tokenizerJson: object,
  tokenizerConfig: object,
  config: CausalLmConfigJson,
  model: string,
): CausalTokenizer {
  const tokenizer = createTokenizer(tokenizerJson, tokenizerConfig, {
    id: 'whereTokenizerOf',
    params: { model },
  });
  const start = firstId(config.bos_token_id) ?? firstId(config.eos_token_id);
  return {
    startIds: start === undefined ? [] : [start],
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) =>
      tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }),
  };
}
