/**
 * The tiny-qwen2 fixture is a real transformers.js model: @huggingface/transformers loads it from
 * its folder (config, tokenizer, onnx/model.onnx with the KV-cache inputs) and its own greedy
 * generate() reproduces PyTorch's golden ids. This pins the layout other tools rely on.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';

const golden = JSON.parse(readFileSync('models/fixtures/tiny-qwen2/golden.json', 'utf8')) as {
  prompt: string;
  prompt_ids: number[];
  output_ids: number[];
  max_new_tokens: number;
}[];

describe('tiny-qwen2 in the transformers.js layout', () => {
  it('loads with transformers.js and its greedy generate matches the golden ids', async () => {
    env.allowRemoteModels = false;
    env.localModelPath = path.resolve('models/fixtures') + path.sep;
    const tokenizer = await AutoTokenizer.from_pretrained('tiny-qwen2');
    const model = await AutoModelForCausalLM.from_pretrained('tiny-qwen2', { dtype: 'fp32' });
    for (const g of golden.slice(0, 2)) {
      const inputs = tokenizer(g.prompt, { add_special_tokens: false });
      expect(Array.from(inputs.input_ids.data as BigInt64Array, Number)).toEqual(g.prompt_ids);
      const out = await model.generate({
        ...inputs,
        max_new_tokens: g.max_new_tokens,
        do_sample: false,
      });
      const ids = Array.from((out as { data: BigInt64Array }).data, Number).slice(
        g.prompt_ids.length,
      );
      expect(ids).toEqual(g.output_ids);
    }
    await model.dispose();
  });
});
