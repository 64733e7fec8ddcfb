/**
 * Picks the ONNX Runtime backend in the browser: WebGPU when an adapter exists, else WASM
 * (multi-threaded when the page is cross-origin isolated), and says why, so the UI can show it.
 */
export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

export interface BackendChoice {
  backend: 'webgpu' | 'wasm';
  reason: string;
  /** WASM threads (1 when not cross-origin isolated). */
  threads: number;
  /** GPU adapter description, when WebGPU was chosen. */
  adapter?: string;
  /** The adapter offers `shader-f16`, so fp16 graphs can run on it (WebGPU only). */
  shaderF16?: boolean;
}

interface GpuLike {
  requestAdapter(): Promise<{
    info?: { vendor?: string; architecture?: string; description?: string };
    features?: ReadonlySet<string>;
  } | null>;
}

function wasmThreads(): number {
  if (!globalThis.crossOriginIsolated) return 1;
  return Math.max(1, Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 1));
}

function wasmChoice(reason: string): BackendChoice {
  const threads = wasmThreads();
  const how =
    threads > 1 ? `${threads} threads` : 'single thread (page is not cross-origin isolated)';
  return { backend: 'wasm', reason: `${reason}; WASM, ${how}`, threads };
}

export async function chooseBackend(preference: BackendPreference): Promise<BackendChoice> {
  if (preference === 'wasm') return wasmChoice('WASM chosen');
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu)
    return wasmChoice(
      preference === 'webgpu'
        ? 'WebGPU requested but this browser has no WebGPU'
        : 'No WebGPU in this browser',
    );
  let adapter: Awaited<ReturnType<GpuLike['requestAdapter']>> = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    adapter = null;
  }
  if (!adapter) return wasmChoice('WebGPU is present but no GPU adapter is available');
  const info = adapter.info;
  const name =
    [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') ||
    'unknown adapter';
  return {
    backend: 'webgpu',
    reason: `WebGPU adapter found (${name})`,
    threads: wasmThreads(),
    adapter: name,
    shaderF16: adapter.features?.has('shader-f16') ?? false,
  };
}
