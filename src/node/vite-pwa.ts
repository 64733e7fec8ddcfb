/**
 * The offline app: vite-plugin-pwa builds src/web/sw.ts into `sw.js` and Workbox injects the
 * precache list (the app shell, every built asset: JS, CSS, workers, ORT's .wasm; the datasets under
 * data/; the shipped models: models/manifest.json, models/fixtures/**, models/mini/**; the web app
 * manifest and icon). After one online visit the app starts and works with the network off.
 *
 * Read in vite-plugin-pwa 2.0.0 (dist/index.js) and workbox-build 7.4.1:
 * - `BuildPlugin.closeBundle` builds the worker (vite-build: `buildSW`, a second Vite build of
 *   `srcDir/filename`) and then runs workbox-build's `injectManifest` over `outDir`. closeBundle
 *   runs after every plugin's writeBundle, where serveRepoFolders (vite-serve-folders.ts) copies
 *   models/ and data/ into `outDir`, so the globs below see them.
 * - `resolveOptions` fills `injectManifest` with `globDirectory` = outDir and `swSrc`/`swDest`;
 *   `injectManifest` (workbox-build build/inject-manifest.js) leaves sw.js itself out. Files under
 *   assets/ carry a content hash in their name and are precached without a revision
 *   (`dontCacheBustURLsMatching`, the plugin's default too); every other file gets an MD5 revision
 *   (lib/transform-manifest.js, lib/get-file-hash.js), so a new build refetches only what
 *   changed.
 * - `maximumFileSizeToCacheInBytes` defaults to 2 MiB (workbox-build lib/maximum-size-transform.js
 *   drops larger files with a warning, which vite-plugin-pwa turns into a build error); ORT's
 *   threaded .wasm is ~27 MB and the mini models ~7 MB, so the limit is raised.
 * - `manifest: false`: the web app manifest stays public/manifest.webmanifest, linked from
 *   index.html (and served in dev too); it is precached through the globs.
 * - `injectRegister: false` + `registerType: 'autoUpdate'`: src/web/main.ts registers through
 *   `virtual:pwa-register` (workbox-window), which reloads the page once when a new build's worker
 *   takes over (client/build/register.js, the `activated` listener with `isUpdate`).
 */
import type { Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/** What the service worker precaches, relative to the build folder (workbox-build glob options). */
export const precacheGlobs = {
  globPatterns: [
    'index.html',
    'manifest.webmanifest',
    'icon.svg',
    'assets/**/*',
    'data/**/*',
    'models/manifest.json',
    'models/fixtures/**/*',
    'models/mini/**/*',
  ],
  // Docs next to the models are not needed by the app.
  globIgnores: ['**/*.md', '**/*.map'],
  dontCacheBustURLsMatching: /^assets\//,
  maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
};

export function offlineApp(): Plugin[] {
  return VitePWA({
    strategies: 'injectManifest',
    srcDir: 'src/web',
    filename: 'sw.ts',
    injectRegister: false,
    registerType: 'autoUpdate',
    manifest: false,
    // A classic-script worker (no `type: 'module'` registration needed): Vite's lib build, one file.
    injectManifest: { ...precacheGlobs, rollupFormat: 'iife' },
  });
}
