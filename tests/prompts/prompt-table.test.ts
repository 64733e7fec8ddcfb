import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MINI_TOKENIZER,
  PROMPT_FORMATS,
  buildPrompt,
  type PromptFamily,
} from '../../src/core/prompts/index.ts';
import {
  GAMMAS,
  chatFormatFor,
  chatPair,
  familyOf,
  inferencePrompt,
  tokenskipRecord,
  type ChatFormat,
} from '../../src/core/prompts/tokenskip-format.ts';
import { PROMPT_TABLE_JSON, promptTableJson } from '../../src/core/prompts/table-json.ts';
import { encode, loadModelInfo } from '../../src/node/pipeline/tokenizer.ts';

const root = join(import.meta.dirname, '../..');
const QWEN_HEAD =
  '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nPlease reason step by step, and put your final answer within \\boxed{}.\n';
const LLAMA_HEAD =
  '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nPlease reason step by step, and put your final answer within \\boxed{}.\n';
const sample = (gamma: number, question = 'Q?') => ({ question, cot: 'c', answer: '18', gamma });

describe('one prompt table (issue 22)', () => {
  it("keeps today's Qwen2.5 training and inference strings byte for byte (models/mini was trained on them)", () => {
    // The strings chatPair('qwen2', …) and PROMPT_FORMATS wrote before the table existed.
    const at06 = chatPair('qwen2', sample(0.6));
    expect(at06.prompt).toBe(
      `${QWEN_HEAD}Q?<|eot_id|>0.6<|eot_id|><|im_end|>\n<|im_start|>assistant\n`,
    );
    expect(at06.response).toBe('c\n\nThe final answer is: $\\boxed{18}$<|im_end|>\n');
    expect(inferencePrompt('qwen2', 'Q?', 0.6)).toBe(at06.prompt);
    const at1 = chatPair('qwen2', sample(1));
    expect(at1.prompt).toBe(`${QWEN_HEAD}Q?<|im_end|>\n<|im_start|>assistant\n`);
    expect(at1.response).toBe('c\n\nThe final answer is: $\\boxed{18}$<|im_end|>\n');
    expect(inferencePrompt('qwen2', 'Q?', 1)).toBe(at1.prompt);
  });

  it('trains Llama-3.1 on the prompt TokenSkip evaluates it with (evaluation.py lines 52, 54)', () => {
    // `Q?\n<|eot_id|>`: the newline and eos after the question, at γ < 1 and at γ = 1.
    expect(chatPair('llama3', sample(0.7))).toEqual({
      prompt: `${LLAMA_HEAD}Q?\n<|eot_id|>0.7<|eot_id|><|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
      response: 'c\n\nThe final answer is: $\\boxed{18}$<|eot_id|>',
    });
    expect(chatPair('llama3', sample(1)).prompt).toBe(
      `${LLAMA_HEAD}Q?\n<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
    );
    // The alpaca record stays as get_llamafactory_input.py writes it, whatever the family.
    expect(tokenskipRecord(sample(0.7)).input).toBe('Q?<|eot_id|>0.7<|eot_id|>');
  });

  for (const format of ['qwen2', 'llama3'] as ChatFormat[]) {
    it(`${format}: the inference prompt is a prefix of training prompt + response, every γ`, () => {
      for (const gamma of GAMMAS) {
        for (const question of ['Q?', 'What is 2+3?\n', '  {cot} $& \\boxed{}  ']) {
          const { prompt, response } = chatPair(format, { question, cot: 'c', answer: '5', gamma });
          const asked = inferencePrompt(format, question, gamma);
          expect((prompt + response).startsWith(asked), `${format} γ ${gamma}`).toBe(true);
          expect(prompt).toBe(asked);
          // The response ends the turn with what the engines stop on.
          const f = PROMPT_FORMATS[familyOf(format)];
          expect(response.endsWith(f.endOfTurn)).toBe(true);
          expect(f.stop.some((s) => f.endOfTurn.startsWith(s))).toBe(true);
        }
      }
    });
  }

  it('mini: its tokenizer holds the table’s special tokens, and the prompt tokens prefix the training tokens', async () => {
    expect(chatFormatFor('qwen2')).toBe('qwen2');
    const family: PromptFamily = MINI_TOKENIZER.family;
    const info = await loadModelInfo(join(root, 'models/mini/tokenskip'));
    const tj = JSON.parse(
      readFileSync(join(root, 'models/mini/tokenskip/tokenizer.json'), 'utf8'),
    ) as {
      added_tokens: { content: string; special: boolean }[];
    };
    expect(tj.added_tokens.map((t) => t.content)).toEqual(MINI_TOKENIZER.specialTokens);
    const tc = JSON.parse(
      readFileSync(join(root, 'models/mini/tokenskip/tokenizer_config.json'), 'utf8'),
    ) as { eos_token: string; pad_token: string };
    expect([tc.eos_token, tc.pad_token]).toEqual([MINI_TOKENIZER.eos, MINI_TOKENIZER.pad]);
    for (const s of MINI_TOKENIZER.specialTokens) expect(encode(info.tokenizer, s)).toHaveLength(1);

    const rows = readFileSync(join(root, 'data/arith/train.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .slice(0, 12)
      .map((l) => JSON.parse(l) as { question: string; cot: string; answer: string });
    for (const [i, r] of rows.entries()) {
      const gamma = GAMMAS[i % GAMMAS.length] as number;
      const { prompt, response } = chatPair('qwen2', { ...r, gamma });
      const asked = buildPrompt(family, r.question, gamma);
      expect((prompt + response).startsWith(asked)).toBe(true);
      // What `tokenskip build` trains on (prompt and response encoded apart) starts with the tokens
      // the engines feed at inference, and so does the joined text the tokenizer's corpus holds.
      const trained = [...encode(info.tokenizer, prompt), ...encode(info.tokenizer, response)];
      const askedIds = encode(info.tokenizer, asked);
      expect(trained.slice(0, askedIds.length)).toEqual(askedIds);
      expect(encode(info.tokenizer, prompt + response).slice(0, askedIds.length)).toEqual(askedIds);
    }
  });

  it('lists every control token a format writes among its special tokens', () => {
    for (const f of Object.values(PROMPT_FORMATS)) {
      const text = [f.head, f.afterQuestion, f.tail, f.endOfTurn, ...f.stop].join('');
      for (const t of text.match(/<\|[a-z_]+\|>/g) ?? []) expect(f.specialTokens).toContain(t);
    }
    // Qwen's γ marker `<|eot_id|>` is plain text (TokenSkip's delimiter), not a Qwen special token.
    expect(PROMPT_FORMATS['qwen2.5-instruct'].specialTokens).not.toContain('<|eot_id|>');
  });

  it(`${PROMPT_TABLE_JSON} (read by the mini tokenizer) equals the table; regenerate with npm run gen:prompts`, () => {
    const file = JSON.parse(readFileSync(join(root, PROMPT_TABLE_JSON), 'utf8')) as unknown;
    expect(file).toEqual(promptTableJson());
  });
});
