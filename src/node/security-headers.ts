/**
 * HTTP headers the app is served with (Vite dev and preview, and the e2e harness servers):
 * cross-origin isolation for multi-threaded WASM, and a Content-Security-Policy the app passes.
 *
 * - script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval': ORT-web and WebLLM compile WebAssembly;
 *   no inline script. 'unsafe-eval' is there because ORT-web 1.30's external-data path (a model
 *   whose weights are in model.onnx_data, as the XLM-R large export) stops loading without it
 *   (measured in e2e/external-data.spec.ts; the exact eval site in ORT's glue is not yet found).
 *   Drop it once that is found or ORT stops needing it.
 * - worker-src 'self' blob:: the scorer / generation workers are same-origin modules; ORT-web's
 *   threaded WASM may start its helpers from blob: URLs.
 * - connect-src: the app itself, blob: (cached external data handed to ORT as a blob: URL), any
 *   https host (the hub and its CDN, WebLLM's prebuilt libraries, a self-hosted mirror the user
 *   types in) and loopback http (a mirror on this machine); `ws:` in dev for Vite's HMR.
 * - style-src 'unsafe-inline': Svelte and Vite's dev client inject <style>; scripts stay strict.
 */
export type ServeMode = 'dev' | 'preview';

export function contentSecurityPolicy(mode: ServeMode): string {
  const connect = [
    "'self'",
    'blob:',
    'data:',
    'https:',
    'http://127.0.0.1:*',
    'http://localhost:*',
    ...(mode === 'dev' ? ['ws:'] : []),
  ];
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'",
    "worker-src 'self' blob:",
    `connect-src ${connect.join(' ')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(mode: ServeMode): Record<string, string> {
  return {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Content-Security-Policy': contentSecurityPolicy(mode),
    'X-Content-Type-Options': 'nosniff',
  };
}
