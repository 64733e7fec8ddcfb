/**
 * Whether a model fits this browser's GPU, from what WebGPU exposes: the adapter's buffer limits
 * and features (WebGPU tells nothing about total video memory, so the verdict is an estimate).
 *
 * - WebLLM models: `shader-f16` when the record requires it; and WebLLM's own minimums. web-llm
 *   0.2.86 (lib/index.js, the device request in `detectGPUDevice`'s caller) asks for
 *   maxBufferSize 1 GB, falls back to 256 MB, and throws below that; the same for
 *   maxStorageBufferBindingSize with 1 GB / 128 MB. VRAM need is the record's `vram_required_MB`.
 * - ONNX models on WebGPU: ORT-web puts each weight tensor in its own storage buffer, so the
 *   largest weight file (a graph or its external data) bounds the largest buffer from above; past
 *   the adapter's maxStorageBufferBindingSize / maxBufferSize the model may not load on WebGPU
 *   ("may not fit"), and WASM remains. fp16 graphs need `shader-f16` (the loader then uses WASM).
 */
import type { CatalogModel } from './model-catalog.ts';

export interface AdapterLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
  shaderF16: boolean;
}

export type FitVerdict = 'fits' | 'too-big' | 'needs-f16' | 'wasm-only' | 'no-webgpu' | 'unknown';

export interface DeviceFit {
  verdict: FitVerdict;
  /** Estimated GPU memory in bytes, when known. */
  needBytes?: number;
  /** The adapter limit the estimate was compared with. */
  limitBytes?: number;
}

const MiB = 2 ** 20;
/** web-llm's fallback minimums (lib/index.js: `1 << 28` and `1 << 27`). */
export const WEBLLM_MIN_BUFFER = 256 * MiB;
export const WEBLLM_MIN_BINDING = 128 * MiB;

type GpuAdapterLike = {
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
  features: ReadonlySet<string>;
};

export async function probeAdapter(): Promise<AdapterLimits | null> {
  const gpu = (
    globalThis.navigator as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }
  )?.gpu;
  const adapter = await gpu?.requestAdapter().catch(() => null);
  if (!adapter) return null;
  return {
    maxBufferSize: adapter.limits.maxBufferSize,
    maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    shaderF16: adapter.features.has('shader-f16'),
  };
}

export function deviceFit(model: CatalogModel, adapter: AdapterLimits | null): DeviceFit {
  if (model.engine === 'webllm') {
    const needBytes = (model.vramMB ?? 0) * MiB;
    if (!adapter) return { verdict: 'no-webgpu', needBytes };
    if (model.requiresShaderF16 && !adapter.shaderF16) return { verdict: 'needs-f16', needBytes };
    if (
      adapter.maxBufferSize < WEBLLM_MIN_BUFFER ||
      adapter.maxStorageBufferBindingSize < WEBLLM_MIN_BINDING
    ) {
      return { verdict: 'too-big', needBytes, limitBytes: adapter.maxStorageBufferBindingSize };
    }
    return { verdict: 'fits', needBytes };
  }
  const files = model.files('webgpu');
  const weights = files.filter((f) => /\.onnx(_data)?$/.test(f.path));
  const known = weights.every((f) => f.size > 0);
  const needBytes = known ? weights.reduce((a, f) => a + f.size, 0) : undefined;
  if (!adapter) return { verdict: 'wasm-only', ...(needBytes ? { needBytes } : {}) };
  if (model.requiresShaderF16 && !adapter.shaderF16)
    return { verdict: 'wasm-only', ...(needBytes ? { needBytes } : {}) };
  if (!known || needBytes === undefined) return { verdict: 'unknown' };
  const largest = weights.reduce((n, f) => Math.max(n, f.size), -Infinity);
  const limit = Math.min(adapter.maxBufferSize, adapter.maxStorageBufferBindingSize);
  if (largest > limit) return { verdict: 'too-big', needBytes, limitBytes: limit };
  return { verdict: 'fits', needBytes, limitBytes: limit };
}
