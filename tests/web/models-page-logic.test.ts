/**
 * The Models page's pure parts: where a file comes from with a model host (every source kind), and
 * the device-fit verdicts against adapter limits (WebLLM's own minimums, shader-f16, the largest
 * weight file against the buffer limits).
 */
import { describe, expect, it } from 'vitest';
import { findModel } from '../../src/core/models/registry.ts';
import { fileUrl } from '../../src/runtime/hub/model-manifest.ts';
import {
  deviceFit,
  WEBLLM_MIN_BINDING,
  WEBLLM_MIN_BUFFER,
  type AdapterLimits,
} from '../../src/web/lib/device-fit.ts';
import { catalogModels } from '../../src/web/lib/model-catalog.ts';

const appBase = 'http://app.test/';
const host = 'http://192.168.1.10:8080';

describe('fileUrl with a model host', () => {
  it('serves shipped, served and hub models in the app layout; without a host, the app and the hub', () => {
    const shipped = findModel('mini-scorer');
    expect(fileUrl(shipped, 'onnx/model.onnx', { appBase, mirror: host })).toBe(
      'http://192.168.1.10:8080/models/mini/scorer/onnx/model.onnx',
    );
    expect(fileUrl(shipped, 'onnx/model.onnx', { appBase })).toBe(
      'http://app.test/models/mini/scorer/onnx/model.onnx',
    );
    const served = findModel('TokenSkip-Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    expect(fileUrl(served, 'tensor-cache.json', { appBase, mirror: `${host}/` })).toBe(
      'http://192.168.1.10:8080/models/TokenSkip-Qwen2.5-0.5B-Instruct-q4f32_1-MLC/resolve/main/tensor-cache.json',
    );
    const hub = findModel('llmlingua-2-xlm-roberta-large-meetingbank');
    expect(fileUrl(hub, 'config.json', { appBase, mirror: host })).toBe(
      'http://192.168.1.10:8080/atjsh/llmlingua-2-js-xlm-roberta-large-meetingbank/config.json',
    );
    expect(fileUrl(hub, 'config.json', { appBase })).toMatch(
      /^https:\/\/huggingface\.co\/atjsh\/llmlingua-2-js-xlm-roberta-large-meetingbank\/resolve\/[0-9a-f]{40}\/config\.json$/,
    );
  });
});

describe('deviceFit', () => {
  const models = catalogModels();
  const byId = (id: string) => models.find((m) => m.id === id)!;
  const big: AdapterLimits = {
    maxBufferSize: 4 * 2 ** 30,
    maxStorageBufferBindingSize: 4 * 2 ** 30 - 4,
    shaderF16: true,
  };

  it('flags an ONNX model whose largest weight file exceeds the buffer limits', () => {
    const xlmr = byId('llmlingua-2-xlm-roberta-large-meetingbank');
    const small = { ...big, maxStorageBufferBindingSize: 2 ** 30 };
    expect(deviceFit(xlmr, small)).toMatchObject({ verdict: 'too-big', limitBytes: 2 ** 30 });
    expect(deviceFit(xlmr, big).verdict).toBe('fits');
    expect(deviceFit(byId('mini-scorer'), small).verdict).toBe('fits');
    expect(deviceFit(byId('mini-scorer'), null).verdict).toBe('wasm-only');
  });

  it('WebLLM models: shader-f16, WebLLM’s own buffer minimums, no WebGPU', () => {
    const f16 = byId('Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
    const f32 = byId('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    expect(deviceFit(f16, { ...big, shaderF16: false }).verdict).toBe('needs-f16');
    expect(deviceFit(f32, { ...big, shaderF16: false }).verdict).toBe('fits');
    expect(
      deviceFit(f32, { ...big, maxStorageBufferBindingSize: WEBLLM_MIN_BINDING - 1 }).verdict,
    ).toBe('too-big');
    expect(deviceFit(f32, { ...big, maxBufferSize: WEBLLM_MIN_BUFFER - 1 }).verdict).toBe(
      'too-big',
    );
    expect(deviceFit(f32, null).verdict).toBe('no-webgpu');
    expect(deviceFit(f16, big).needBytes).toBeCloseTo(944.62 * 2 ** 20);
  });

  it('an fp16 ONNX graph without shader-f16 runs on WASM', () => {
    const qwen = byId('Qwen2.5-0.5B-Instruct-onnx');
    expect(deviceFit(qwen, { ...big, shaderF16: false }).verdict).toBe('wasm-only');
  });
});
