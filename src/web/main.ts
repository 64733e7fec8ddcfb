import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { registerSW } from 'virtual:pwa-register';
import { parseHash } from './lib/route.ts';
import { findPage } from './pages/index.ts';
import { scorerClient } from './lib/scorer-client.ts';
import { firstWorkDone } from './lib/first-work.ts';

// Page-clock marks that `npm run bench:first-visit` prints: when the entry chunk ran, and when the
// first page was mounted.
performance.mark('tokenskip:app-start');
// The Learn page loads its scorer as it mounts: the worker starts first, so its script is fetched
// and compiled on its own thread while the app mounts (0.2–0.3 s here) instead of after it.
// (An unknown route opens Learn too.)
const onLearn = (findPage(parseHash(location.hash).path)?.path ?? 'learn') === 'learn';
if (onLearn) scorerClient().start();
const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
// The build's prerendered Learn page (src/node/vite-prerender.ts) is a picture of the app: the app
// replaces it in this same task, so the visitor never sees an empty page in between.
target.replaceChildren();
export default mount(App, { target });
performance.mark('tokenskip:app-mounted');

// Offline: the build's service worker (src/web/sw.ts, built by vite-plugin-pwa and Workbox)
// precaches the app, datasets and shipped models; the dev server has none. `virtual:pwa-register`
// registers it through workbox-window and reloads once when a new build's worker takes over.
// On Learn, only once its worked example is scored (or after 10 s): the precache's downloads and
// Cache Storage writes would otherwise compete with the scorer's own load (lib/first-work.ts).
if (import.meta.env.PROD) {
  void (onLearn ? firstWorkDone(10_000) : Promise.resolve()).then(() =>
    registerSW({ immediate: true }),
  );
}
