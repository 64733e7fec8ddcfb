/**
 * The offline service worker, built by vite-plugin-pwa (`strategies: 'injectManifest'`, see
 * vite.config.ts) and Workbox: after one online visit the app shell, the workers, ORT's .mjs/.wasm,
 * the datasets and the shipped models (models/manifest.json, fixtures/, mini/) load from the
 * precache, so the app starts and works with the network off.
 *
 * - workbox-build's injectManifest (build/inject-manifest.js) replaces `self.__WB_MANIFEST` with the
 *   list of files and a revision for each (a content hash; the hashed assets/ names carry their own).
 * - workbox-precaching's PrecacheController.install fetches each entry once and stores the Response
 *   as served, headers included: index.html keeps its COOP/COEP and CSP, so an offline page is still
 *   cross-origin isolated (e2e/offline.spec.ts checks the cached headers and `crossOriginIsolated`).
 *   An entry whose revision is unchanged is not fetched again (PrecacheStrategy._handle: cacheMatch
 *   on the revisioned key first), so a new build only downloads what changed; PrecacheController
 *   .activate deletes entries the new list no longer has.
 */
import { clientsClaim, setCacheNameDetails } from 'workbox-core';
import {
  cleanupOutdatedCaches,
  createHandlerBoundToURL,
  precacheAndRoute,
  type PrecacheEntry,
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare let self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<PrecacheEntry | string>;
};

// Cache names `tokenskip-precache-v2-<scope>` (workbox-core cacheNames._createCacheName).
setCacheNameDetails({ prefix: 'tokenskip' });

// A new build's worker takes over at once (vite-plugin-pwa's `registerType: 'autoUpdate'` client
// then reloads the page, so a page never mixes chunks of two builds); the first install claims the
// page that registered it, so it works offline without a second visit. (As Workbox's own
// generateSW template does with `skipWaiting: true`: workbox-build build/templates/sw-template.js.)
void self.skipWaiting();
clientsClaim();

precacheAndRoute(self.__WB_MANIFEST);
// Precaches of an older Workbox cache format (deleteOutdatedCaches: names with `-precache-`).
cleanupOutdatedCaches();

// The app routes in the URL hash, so every page is index.html; a navigation to a path that looks
// like a file (a hub model not in the precache) goes to the network instead.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/\/[^/]+\.[^/]+$/] }),
);

// The hand-written worker this one replaces kept its precache in `tokenskip-app-<hash>` caches.
self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith('tokenskip-app-')).map((k) => caches.delete(k)),
        ),
      ),
  );
});
