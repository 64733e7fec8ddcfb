/** Which ONNX graph a backend runs: the fp16 one only on WebGPU with `shader-f16`, where it exists. */
import { describe, expect, it } from 'vitest';
import {
  findScorer,
  type OnnxVariant,
  type ScorerManifestEntry,
} from '../../src/core/models/registry.ts';
import { pickVariant } from '../../src/runtime/hub/model-manifest.ts';

const fp32: OnnxVariant = {
  file: 'onnx/model.onnx',
  dtype: 'fp32',
  externalData: ['onnx/model.onnx_data'],
};
const fp16: OnnxVariant = {
  file: 'onnx/model_fp16.onnx',
  dtype: 'fp16',
  externalData: ['onnx/model_fp16.onnx_data'],
};
const entry: ScorerManifestEntry = {
  ...findScorer('tiny-lingua-mbert-extdata'),
  onnx: { webgpu: { ...fp32, fp16 }, wasm: fp32, node: fp32 },
};

describe('pickVariant', () => {
  it('runs the fp16 graph on WebGPU only where the adapter has shader-f16', () => {
    expect(pickVariant(entry, 'webgpu', true)).toEqual(fp16);
    expect(pickVariant(entry, 'webgpu', false).file).toBe('onnx/model.onnx');
    expect(pickVariant(entry, 'webgpu').file).toBe('onnx/model.onnx');
  });

  it('never gives WASM or Node the fp16 graph', () => {
    expect(pickVariant(entry, 'wasm', true)).toEqual(fp32);
    expect(pickVariant(entry, 'node', true)).toEqual(fp32);
  });

  it('keeps the one graph of an entry without an fp16 alternative', () => {
    const plain = findScorer('tiny-lingua-xlmr');
    expect(pickVariant(plain, 'webgpu', true)).toBe(plain.onnx.webgpu);
  });
});
