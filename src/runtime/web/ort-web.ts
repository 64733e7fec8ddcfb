/**
 * Which onnxruntime-web build a browser loader runs on, chosen per backend and imported on first
 * use, so that a visitor without WebGPU never downloads or compiles the WebGPU build's WebAssembly.
 *
 * onnxruntime-web 1.30 ships one WebAssembly binary per build, and each build's glue picks its own
 * file at build time (node_modules/onnxruntime-web/dist/ort.wasm.mjs line ~1499 and ~3341, and the
 * same lines of ort.webgpu.mjs: `wasmModuleFilename` and `new URL("ort-wasm-simd-threaded….wasm",
 * import.meta.url)`):
 * - `onnxruntime-web/wasm` (ort.wasm.bundle.min.mjs): the CPU-only `ort-wasm-simd-threaded.wasm`,
 *   14.2 MB;
 * - `onnxruntime-web/webgpu` (ort.webgpu.bundle.min.mjs): `ort-wasm-simd-threaded.asyncify.wasm`,
 *   26.8 MB, whose every function is Asyncify-instrumented so WebGPU calls can suspend it; its CPU
 *   kernels run slower for it, and it takes about twice as long to compile.
 * Vite emits the file each build names next to its chunk (the `new URL(…, import.meta.url)` form),
 * so `env.wasm.wasmPaths` stays unset.
 */
import type { BackendChoice } from './backend.ts';

export type OrtWeb = typeof import('onnxruntime-web/webgpu');

let wasmBuild: Promise<OrtWeb> | undefined;
let webgpuBuild: Promise<OrtWeb> | undefined;

/**
 * The ORT build for this backend, its WASM threads set from the choice. Both builds share
 * onnxruntime-common's API (the `wasm` one lacks only the WebGPU execution provider).
 */
export async function ortFor(choice: Pick<BackendChoice, 'backend' | 'threads'>): Promise<OrtWeb> {
  const build =
    choice.backend === 'webgpu'
      ? (webgpuBuild ??= import('onnxruntime-web/webgpu'))
      : (wasmBuild ??= import('onnxruntime-web/wasm'));
  const ort = await build;
  // Read once, when the build initialises its WebAssembly (the first session it creates).
  ort.env.wasm.numThreads = choice.threads;
  return ort;
}
