/**
 * How this project launches Debian's Chromium (Playwright cannot download its own browser here;
 * REFERENCE.md section 7): the e2e projects (playwright.config.ts) and the browser benches
 * (bench/browser/) use the same flags.
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const baseArgs = [
  '--no-sandbox',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** WebGPU on SwiftShader (a CPU rasteriser): the WebGPU path runs for real, slowly. */
export const webgpuArgs = [
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--use-webgpu-adapter=swiftshader',
];

/** Chromium flags for a page with WebGPU on SwiftShader, or with WebGPU unavailable. */
export function chromiumArgs(kind: 'webgpu' | 'wasm'): string[] {
  return [...baseArgs, ...(kind === 'webgpu' ? webgpuArgs : ['--disable-webgpu'])];
}
