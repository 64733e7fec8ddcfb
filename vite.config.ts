/**
 * Vite config for the TokenSkip Studio SPA.
 *
 * - COOP/COEP headers make the page `crossOriginIsolated`, so ORT-web can run multi-threaded WASM;
 *   a Content-Security-Policy and `X-Content-Type-Options: nosniff` (src/node/security-headers.ts).
 * - `/models/*` and `/data/*` are served from the repo's own `models/` and `data/` folders (dev and
 *   preview) and copied into `dist/` on build, so the app works offline with the shipped fixtures and
 *   datasets; nothing is fetched from a CDN at run time.
 * - The build writes `sw.js` with vite-plugin-pwa and Workbox (src/node/vite-pwa.ts, src/web/sw.ts):
 *   after one visit the app, its datasets and the shipped models work offline.
 * - The build prerenders the Learn page into index.html (src/node/vite-prerender.ts): the worked
 *   example's heat map is on the first paint.
 * - The cl100k ranks reach the browser as JSON in a string (src/node/vite-cl100k-ranks.ts): fast to
 *   parse, in the page and in the scorer worker.
 */
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { serveRepoFolders } from './src/node/vite-serve-folders.ts';
import { securityHeaders } from './src/node/security-headers.ts';
import { offlineApp } from './src/node/vite-pwa.ts';
import { prerenderLearn } from './src/node/vite-prerender.ts';
import { cl100kRanksAsJson } from './src/node/vite-cl100k-ranks.ts';

export default defineConfig({
  plugins: [
    svelte(),
    cl100kRanksAsJson(),
    serveRepoFolders(['models', 'data']),
    prerenderLearn(),
    offlineApp(),
  ],
  server: { headers: securityHeaders('dev'), port: 5173, strictPort: false },
  preview: { headers: securityHeaders('preview'), port: 4173 },
  // The scorer worker counts cl100k tokens too (config.plugins reach workers only in dev).
  worker: { format: 'es', plugins: () => [cl100kRanksAsJson()] },
  // ORT-web locates its .wasm next to its .mjs through import.meta.url; pre-bundling breaks that.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
