/**
 * The external-data fixture scores exactly as the same weights in one file, and its fp16 graph to
 * fp16 precision (onnxruntime-node).
 */
import { describe, expect, it } from 'vitest';
import { loadNodeScorer } from '../../src/runtime/node/scorer-node.ts';
import { scoreLingua2 } from '../../src/core/compression/llmlingua2.ts';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import { nodeHub, openModel, repoRoot } from '../../src/runtime/hub/node/model-files.ts';
import { loadScorer } from '../../src/runtime/scorers/scorer-loader.ts';
import type { OrtLike } from '../../src/runtime/scorers/onnx-token-classifier.ts';

describe('ONNX external data', () => {
  it('tiny-lingua-mbert-extdata gives the probabilities of tiny-lingua-mbert', async () => {
    const text = 'Janet sells 16 - 3 - 4 = 9 duck eggs a day. She makes $18 every day.';
    const ext = await loadNodeScorer('tiny-lingua-mbert-extdata');
    const one = await loadNodeScorer('tiny-lingua-mbert');
    expect(ext.variant.externalData).toEqual(['onnx/model.onnx_data']);
    expect(ext.integrity).toBe('verified');
    const [a] = await scoreLingua2([text], ext.tokenizer, ext.classifier);
    const [b] = await scoreLingua2([text], one.tokenizer, one.classifier);
    const scores = (s: typeof a) => s!.chunks.flatMap((c) => c.map((w) => w.score));
    expect(scores(a).length).toBeGreaterThan(5);
    expect(scores(a)).toEqual(scores(b));
    await ext.classifier.release();
    await one.classifier.release();
  });
});

describe('the fp16 graph (WebGPU with shader-f16)', () => {
  it('tiny-lingua-mbert-extdata/onnx/model_fp16.onnx scores as its fp32 graph, to fp16 precision', async () => {
    const text = 'Janet sells 16 - 3 - 4 = 9 duck eggs a day. She makes $18 every day.';
    const folder = path.join(repoRoot, 'models/fixtures/tiny-lingua-mbert-extdata');
    const load = async (onnxFile: string) => {
      const m = await openModel({ folder }, { kind: 'scorer', onnxFile }, nodeHub());
      return loadScorer(m.id, m.readFile, m.variant, ortNode as unknown as OrtLike, {});
    };
    const half = await load('onnx/model_fp16.onnx');
    const full = await load('onnx/model.onnx');
    expect(half.variant.externalData).toEqual(['onnx/model_fp16.onnx_data']);
    const [a] = await scoreLingua2([text], half.tokenizer, half.classifier);
    const [b] = await scoreLingua2([text], full.tokenizer, full.classifier);
    const scores = (s: typeof a) => s!.chunks.flatMap((c) => c.map((w) => w.score));
    expect(scores(a).length).toBe(scores(b).length);
    const worst = Math.max(...scores(a).map((x, i) => Math.abs(x - scores(b)[i]!)));
    expect(worst).toBeGreaterThan(0); // really the fp16 graph
    expect(worst).toBeLessThan(0.01);
    await half.classifier.release();
    await full.classifier.release();
  });
});
