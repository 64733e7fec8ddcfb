/** How a failed ONNX Runtime run is reported: GPU loss / out-of-memory get an actionable code. */
import { describe, expect, it } from 'vitest';
import { runError } from '../../src/runtime/engines/onnx/causal-lm.ts';

describe('runError', () => {
  it.each([
    ['GPUDevice was lost: device is lost', 'BACKEND_UNAVAILABLE'],
    ['Failed to allocate a buffer of size 4294967296', 'BACKEND_UNAVAILABLE'],
    ['GPUOutOfMemoryError: out of memory', 'BACKEND_UNAVAILABLE'],
    ['Non-zero status code returned while running MatMul node', 'INTERNAL'],
  ])('%s -> %s', (message, code) => {
    const e = runError(new Error(message), 'tiny-qwen2', 300);
    expect(e.code).toBe(code);
    expect(e.message).toContain('tiny-qwen2');
    if (code === 'BACKEND_UNAVAILABLE') expect(e.message).toMatch(/WASM backend/);
  });
});
