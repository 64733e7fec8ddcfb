// CTS and perplexity on the tiny Qwen2-style fixture through onnxruntime-node: the log-prob runner
// against a longhand softmax over the model's own logits, the scorers against the passes they are
// made of, windows, selection, and the bad inputs a user can hit.
import { copyFile, mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenSkipError } from '../../src/core/errors.ts';
import { selectCausal } from '../../src/core/scoring/causal-select.ts';
import { createCausalScorer } from '../../src/core/scoring/causal-scorer.ts';
import type { ReferenceModel } from '../../src/runtime/scorers/causal-scorer-loader.ts';
import { loadNodeReferenceModel } from '../../src/runtime/node/causal-scorer-node.ts';

const fixture = 'models/fixtures/tiny-qwen2';
const question =
  'Josh buys a house for $80,000 and puts in $50,000 in repairs. This increased the value of the house by 150%. How much profit did he make?';
const answer = '70000';
const cot =
  'The cost of the house and repairs came out to 80,000+50,000=$130,000\n' +
  'He increased the value of the house by 80,000*1.5=120,000\n' +
  'So the new value of the house is 120,000+80,000=$200,000\n' +
  'So he made a profit of 200,000-130,000=$70,000';

let ref: ReferenceModel;
let temp: string;

beforeAll(async () => {
  ref = await loadNodeReferenceModel(fixture, { threads: 1 });
  temp = await mkdtemp(path.join(tmpdir(), 'tokenskip-cts-'));
});
afterAll(async () => {
  await ref?.session.release();
  if (temp) await rm(temp, { recursive: true, force: true });
});

async function rawLogits(ids: number[]): Promise<{ data: Float32Array; vocab: number }> {
  const { session, config } = ref;
  const heads = config.num_attention_heads as number;
  const kvHeads = config.num_key_value_heads ?? heads;
  const headDim = config.head_dim ?? (config.hidden_size as number) / heads;
  const int64 = (v: number[]): ort.Tensor =>
    new ort.Tensor('int64', BigInt64Array.from(v.map(BigInt)), [1, v.length]);
  const feeds: Record<string, ort.Tensor> = {
    input_ids: int64(ids),
    attention_mask: int64(ids.map(() => 1)),
    position_ids: int64(ids.map((_, i) => i)),
  };
  for (const name of session.inputNames.filter((n) => n.startsWith('past_key_values.'))) {
    feeds[name] = new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
  }
  const out = await session.run(feeds);
  const logits = out.logits as ort.Tensor;
  return { data: logits.data as Float32Array, vocab: logits.dims[2] as number };
}

describe('ONNX causal-LM log-probs', () => {
  it('equal a longhand float64 softmax of the logits at the next token', async () => {
    const ids = [...ref.tokenizer.startIds, ...ref.tokenizer.encode(cot.slice(0, 120))];
    const { data, vocab } = await rawLogits(ids);
    const lp = await ref.lm.logProbs(ids);
    expect(lp.length).toBe(ids.length - 1);
    for (let t = 0; t < ids.length - 1; t++) {
      let z = 0;
      for (let v = 0; v < vocab; v++) z += Math.exp(data[t * vocab + v] as number);
      const expected = Math.log(Math.exp(data[t * vocab + (ids[t + 1] as number)] as number) / z);
      expect(lp[t]).toBeCloseTo(expected, 4);
    }
  });

  it('give the same log-probs when run in KV-cached pieces', async () => {
    const ids = [...ref.tokenizer.startIds, ...ref.tokenizer.encode(cot)];
    const whole = await ref.lm.logProbs(ids);
    const pieces = await loadNodeReferenceModel(fixture, {
      threads: 1,
      maxLogitsFloats: (ref.config.vocab_size as number) * 7,
    });
    const pieced = await pieces.lm.logProbs(ids);
    await pieces.session.release();
    expect(pieced.length).toBe(whole.length);
    for (let t = 0; t < whole.length; t++) expect(pieced[t]).toBeCloseTo(whole[t] as number, 4);
  });
});

describe('CTS and perplexity scorers', () => {
  it('CTS score = log p(x|c, x<) - log p(x|x<), each from its own full pass', async () => {
    const { tokenizer, lm } = ref;
    const scorer = createCausalScorer('cts', lm, tokenizer, fixture, { condition: 'both' });
    const scored = await scorer.score({ cot, question, answer });
    const start = tokenizer.startIds;
    const condition = tokenizer.encode(`${question}\n\n${answer}\n\n`);
    const ids = tokenizer.encode(cot);
    const plain = (await lm.logProbs([...start, ...ids])).slice(start.length - 1);
    const conditional = (await lm.logProbs([...start, ...condition, ...ids])).slice(
      start.length + condition.length - 1,
    );
    const units = scored.chunks.flat();
    expect(scored.chunks).toHaveLength(1);
    expect(units.flatMap((u) => u.ids)).toEqual(ids);
    expect(units.map((u) => u.text).join('')).toBe(cot);
    let t = 0;
    for (const unit of units) {
      expect(unit.ids).toHaveLength(1); // ASCII: one token per unit
      expect(unit.score).toBeCloseTo((conditional[t] as number) - (plain[t] as number), 4);
      t++;
    }
    // The condition matters: the two passes differ somewhere.
    expect(units.some((u) => Math.abs(u.score) > 1e-3)).toBe(true);
  });

  it('perplexity score = -log p(x|x<)', async () => {
    const scorer = createCausalScorer('ppl', ref.lm, ref.tokenizer, fixture);
    const scored = await scorer.score({ cot });
    const ids = ref.tokenizer.encode(cot);
    const plain = (await ref.lm.logProbs([...ref.tokenizer.startIds, ...ids])).slice(0);
    scored.chunks.flat().forEach((u, t) => expect(u.score).toBeCloseTo(-(plain[t] as number), 4));
    expect(scored.conditionalLogProbs).toBeUndefined();
  });

  it('windows: one window equals one pass; small windows score each window on its own', async () => {
    const ids = ref.tokenizer.encode(cot);
    const one = await createCausalScorer('cts', ref.lm, ref.tokenizer, fixture, {
      windowSize: ids.length,
    }).score({ cot, question });
    const big = await createCausalScorer('cts', ref.lm, ref.tokenizer, fixture).score({
      cot,
      question,
    });
    expect(one.chunks).toHaveLength(1);
    expect(one.chunks[0]?.map((u) => u.score)).toEqual(big.chunks[0]?.map((u) => u.score));

    const windowed = await createCausalScorer('cts', ref.lm, ref.tokenizer, fixture, {
      windowSize: 16,
      condition: 'answer',
    }).score({ cot, answer });
    expect(windowed.chunks.length).toBe(Math.ceil(ids.length / 16));
    expect(windowed.chunks.flat().flatMap((u) => u.ids)).toEqual(ids);
    const second = windowed.chunks[1]!.flatMap((u) => u.ids);
    const solo = await createCausalScorer('cts', ref.lm, ref.tokenizer, fixture, {
      condition: 'answer',
    }).score({ cot: ref.tokenizer.decode(second), answer });
    expect(solo.chunks[0]!.flatMap((u) => u.ids)).toEqual(second);
    solo.chunks[0]!.forEach((u, i) =>
      expect(u.score).toBeCloseTo(windowed.chunks[1]![i]!.score, 4),
    );
  });

  it('truncates at maxTokens and reports what it dropped', async () => {
    const ids = ref.tokenizer.encode(cot);
    const scored = await createCausalScorer('ppl', ref.lm, ref.tokenizer, fixture, {
      maxTokens: 20,
    }).score({ cot });
    expect(scored.chunks.flat().flatMap((u) => u.ids)).toEqual(ids.slice(0, 20));
    expect(scored.truncatedTokens).toBe(ids.length - 20);
  });

  it("shortens windows to the model's positions (the fixture has 512)", async () => {
    const long = Array.from({ length: 6 }, () => cot).join('\n');
    const scored = await createCausalScorer('cts', ref.lm, ref.tokenizer, fixture, {
      condition: 'answer',
    }).score({ cot: long, answer });
    const condition = ref.tokenizer.encode(`${answer}\n\n`).length;
    expect(scored.windowTokens).toBe(512 - ref.tokenizer.startIds.length - condition);
    expect(scored.chunks.length).toBeGreaterThan(1);
    expect(
      scored.chunks
        .flat()
        .map((u) => u.text)
        .join(''),
    ).toBe(long);
  });

  it('selection reaches the requested ratio on real scores', async () => {
    const scored = await createCausalScorer('cts', ref.lm, ref.tokenizer, fixture, {
      windowSize: 40,
      condition: 'answer',
    }).score({ cot, answer });
    for (const ratio of [0.9, 0.7, 0.5]) {
      const exact = selectCausal(scored, ratio, 'exact');
      const reference = selectCausal(scored, ratio);
      scored.chunks.forEach((chunk, w) => {
        const n = chunk.length;
        expect(exact.kept[w]!.filter(Boolean).length).toBe(Math.round(n * ratio));
        const kept = reference.kept[w]!.filter(Boolean).length;
        // floor(N*ratio) - 1 when nothing ties with the threshold, never more.
        expect(kept).toBeLessThanOrEqual(Math.max(0, Math.floor(n * ratio) - 1));
        const distinct = new Set(chunk.map((u) => u.score)).size === n;
        if (distinct) expect(kept).toBe(Math.max(0, Math.floor(n * ratio) - 1));
      });
      expect(exact.compressed_tokens).toBeLessThan(exact.origin_tokens);
      expect(reference.word_labels.length).toBeGreaterThan(0);
    }
    expect(selectCausal(scored, 1).compressed_prompt).toBe(cot);
  });
});

describe('bad input', () => {
  const code = async (run: () => Promise<unknown>): Promise<string> => {
    try {
      await run();
    } catch (error) {
      expect(error).toBeInstanceOf(TokenSkipError);
      return `${(error as TokenSkipError).code}: ${(error as Error).message}`;
    }
    return 'no error';
  };

  it('a condition longer than the window', async () => {
    const scorer = createCausalScorer('cts', ref.lm, ref.tokenizer, fixture, { windowSize: 8 });
    expect(await code(() => scorer.score({ cot, question }))).toMatch(
      /^INPUT_TOO_LARGE: The CTS condition \(question\) is \d+ tokens, not shorter than the 8-token window/,
    );
  });

  it('a CoT over 1,000,000 characters, as for LLMLingua-2', async () => {
    for (const name of ['cts', 'ppl'] as const) {
      const scorer = createCausalScorer(name, ref.lm, ref.tokenizer, fixture);
      const long = { cot: 'a '.repeat(500_001), question };
      expect(() => scorer.check(long)).toThrow(/1,000,002 characters; the limit is 1,000,000/);
      expect(await code(() => scorer.score(long))).toMatch(/^INPUT_TOO_LARGE: /);
    }
  });

  it('an empty CoT, and a condition that is missing', async () => {
    const scorer = createCausalScorer('cts', ref.lm, ref.tokenizer, fixture);
    expect(await code(() => scorer.score({ cot: ' \n ', question }))).toMatch(
      /^EMPTY_INPUT: .*empty/,
    );
    expect(await code(() => scorer.score({ cot, question }))).toBe('no error');
    const both = createCausalScorer('cts', ref.lm, ref.tokenizer, fixture, { condition: 'both' });
    expect(await code(() => both.score({ cot, question }))).toMatch(
      /^EMPTY_INPUT: .*needs the answer/,
    );
  });

  it('a reference model whose tokenizer is missing', async () => {
    const dir = path.join(temp, 'no-tokenizer');
    await mkdir(path.join(dir, 'onnx'), { recursive: true });
    await copyFile(path.join(fixture, 'config.json'), path.join(dir, 'config.json'));
    await copyFile(path.join(fixture, 'onnx/model.onnx'), path.join(dir, 'onnx/model.onnx'));
    expect(await code(() => loadNodeReferenceModel(dir))).toMatch(
      /^MODEL_FILE_MISSING: Reference model no-tokenizer has no tokenizer\.json/,
    );
  });

  it('a model without a logits output', async () => {
    const dir = path.join(temp, 'no-logits');
    await mkdir(path.join(dir, 'onnx'), { recursive: true });
    const bad = 'models/fixtures/no-logits-lm';
    await copyFile(path.join(bad, 'config.json'), path.join(dir, 'config.json'));
    await copyFile(path.join(bad, 'onnx/model.onnx'), path.join(dir, 'onnx/model.onnx'));
    await copyFile(path.join(fixture, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
    expect(await code(() => loadNodeReferenceModel(dir))).toMatch(
      /^MODEL_OUTPUT_INVALID: .*has no 'logits' output \(its outputs: hidden_states\)/,
    );
  });

  it('a folder that does not exist', async () => {
    expect(await code(() => loadNodeReferenceModel(path.join(temp, 'nope')))).toMatch(
      /^MODEL_NOT_FOUND/,
    );
  });
});
