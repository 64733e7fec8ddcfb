/** The external-data fixture scores exactly as the same weights in one file (onnxruntime-node). */
import { describe, expect, it } from 'vitest';
import { loadNodeScorer } from '../../src/runtime/node/scorer-node.ts';
import { scoreLingua2 } from '../../src/core/compression/llmlingua2.ts';

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
