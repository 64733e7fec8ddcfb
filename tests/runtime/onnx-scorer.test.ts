/**
 * The real LLMLingua-2 pipeline on onnxruntime-node with the committed fixture models: loading,
 * batching, padding, and what happens with missing or corrupt model files.
 */
import { cpSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import {
  scoreLingua2,
  selectLingua2,
  type LinguaScored,
} from '../../src/core/compression/llmlingua2.ts';
import { loadNodeScorer } from '../../src/runtime/node/scorer-node.ts';
import { createOnnxTokenClassifier } from '../../src/runtime/scorers/onnx-token-classifier.ts';
import { fixtureDir } from '../helpers/fixtures.ts';
import { readFileSync } from 'node:fs';

const cots = [
  'Janet sells 16 - 3 - 4 = 9 duck eggs a day.\nShe makes 9 * 2 = $18 every day at the farmer’s market.',
  'It takes 2/2=1 bolt of white fiber\nSo the total amount of fabric is 2+1=3 bolts of fabric',
  'The cost of the house and repairs came out to 80,000+50,000=$130,000. He increased the value of the house by 80,000*1.5=120,000.',
];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-onnx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(['tiny-lingua-xlmr', 'tiny-lingua-mbert'])('%s on onnxruntime-node', (id) => {
  it('scores every word with a probability and compresses towards γ', async () => {
    const scorer = await loadNodeScorer(id);
    const [scored] = await scoreLingua2([cots[0]!], scorer.tokenizer, scorer.classifier, {}, id);
    const words = scored!.chunks.flat();
    expect(words.length).toBeGreaterThan(15);
    for (const w of words) {
      expect(w.score).toBeGreaterThan(0);
      expect(w.score).toBeLessThan(1);
    }
    const tokens = [0.3, 0.5, 0.7, 1].map(
      (rate) => selectLingua2(scored!, rate, scorer.tokenizer).compressed_tokens,
    );
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b)); // more γ never keeps less
    expect(tokens[0]).toBeLessThan(tokens[3]!);
  });

  it('gives the same scores batched or one by one, padded to the longest row or to 512', async () => {
    const scorer = await loadNodeScorer(id);
    const batched = await scoreLingua2(cots, scorer.tokenizer, scorer.classifier, {
      batchSize: 50,
    });
    const single: LinguaScored[] = [];
    for (const cot of cots)
      single.push(...(await scoreLingua2([cot], scorer.tokenizer, scorer.classifier)));
    const model = readFileSync(path.join(fixtureDir(id), 'onnx/model.onnx'));
    const padded = await createOnnxTokenClassifier(ort, model, {
      padTo: 'max',
    });
    const fixed = await scoreLingua2(cots, scorer.tokenizer, padded);
    batched.forEach((b, i) => {
      const a = b.chunks.flat().map((w) => w.score);
      single[i]!.chunks.flat().forEach((w, j) => expect(w.score).toBeCloseTo(a[j]!, 5));
      fixed[i]!.chunks.flat().forEach((w, j) => expect(w.score).toBeCloseTo(a[j]!, 5));
      for (const rate of [0.4, 0.6]) {
        expect(selectLingua2(single[i]!, rate, scorer.tokenizer).word_labels).toEqual(
          selectLingua2(b, rate, scorer.tokenizer).word_labels,
        );
      }
    });
  });
});

describe('bad model files', () => {
  function copyFixture(name: string): string {
    const dir = path.join(tmp, name);
    cpSync(fixtureDir('tiny-lingua-xlmr'), dir, { recursive: true });
    return dir;
  }

  it('names a missing tokenizer file', async () => {
    const dir = copyFixture('no-tokenizer');
    rmSync(path.join(dir, 'tokenizer.json'));
    await expect(loadNodeScorer(dir)).rejects.toMatchObject({
      code: 'MODEL_FILE_MISSING',
      message: expect.stringContaining('tokenizer.json'),
    });
  });

  it('reports a truncated ONNX graph as corrupt', async () => {
    const dir = copyFixture('truncated');
    truncateSync(path.join(dir, 'onnx/model.onnx'), 1000);
    await expect(loadNodeScorer(dir)).rejects.toMatchObject({ code: 'MODEL_FILE_CORRUPT' });
  });

  it('reports invalid JSON in config.json', async () => {
    const dir = copyFixture('bad-config');
    writeFileSync(path.join(dir, 'config.json'), '{ not json');
    await expect(loadNodeScorer(dir)).rejects.toMatchObject({
      code: 'MODEL_FILE_CORRUPT',
      message: expect.stringContaining('config.json'),
    });
  });

  it('refuses a model whose vocabulary has no room for the [NEWi] placeholders', async () => {
    const dir = copyFixture('small-vocab');
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, vocab_size: 100 }));
    await expect(loadNodeScorer(dir)).rejects.toThrow(/placeholders/);
  });

  it('rejects a classifier that returns fewer rows than it was given', async () => {
    const scorer = await loadNodeScorer('tiny-lingua-xlmr');
    await expect(
      scoreLingua2(['x y z'], scorer.tokenizer, { classify: async () => [] }),
    ).rejects.toMatchObject({
      code: 'MODEL_OUTPUT_INVALID',
    });
  });

  it('names an unknown model id and lists the known ones', async () => {
    await expect(loadNodeScorer('no-such-model')).rejects.toThrow(
      /Unknown scorer model 'no-such-model'.*tiny-lingua-xlmr/,
    );
  });
});
