import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { registerSW } from 'virtual:pwa-register';
import { scorerClient } from './lib/scorer-client.ts';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
export default mount(App, { target });

// Offline: the build's service worker (src/web/sw.ts, built by vite-plugin-pwa and Workbox)
// precaches the app, datasets and shipped models; the dev server has none. `virtual:pwa-register`
// registers it through workbox-window and reloads once when a new build's worker takes over.
//
// Registered after the page has loaded and the scorer's first model load (the Learn page's live
// heat map) has finished, at most 30 s later: the precache (~90 MB, both ORT WebAssembly builds,
// WebLLM, the shipped models) otherwise downloads alongside the scorer worker and its model and
// delays the live scores by seconds on a cold visit (bench:first-visit's page marks).
if (import.meta.env.PROD) {
  void (async () => {
    if (document.readyState !== 'complete')
      await new Promise((resolve) => addEventListener('load', resolve, { once: true }));
    await Promise.race([
      scorerClient().loadsSettled(),
      new Promise((resolve) => setTimeout(resolve, 30_000)),
    ]);
    registerSW({ immediate: true });
  })();
}
