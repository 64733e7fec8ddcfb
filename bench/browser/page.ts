/**
 * The bench harness page (served by Vite's dev server from bench/browser/server.ts, never part of
 * the app's build): exposes `window.harness`, which forwards to a module worker so ORT-web runs off
 * the main thread exactly as in the app's workers (multi-threaded WASM needs a worker to block in).
 */
import * as Comlink from 'comlink';
import type { HarnessApi } from './protocol.ts';

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const harness = Comlink.wrap<HarnessApi>(worker);
(globalThis as unknown as { harness: unknown }).harness = harness;
document.getElementById('state')!.textContent =
  `ready; crossOriginIsolated=${String(crossOriginIsolated)}`;
document.body.dataset.ready = '1';
