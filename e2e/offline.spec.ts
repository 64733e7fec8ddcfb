/**
 * The app works offline after one visit: the service worker (src/web/sw.ts, built by
 * vite-plugin-pwa and Workbox) precaches the app shell, ORT's WebAssembly, the datasets and the
 * shipped models; with the network off a reload still scores on the Compress page with the default
 * model, on WASM, in a cross-origin-isolated page.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';

test.use({ serviceWorkers: 'allow' });

/** Waits until the service worker is installed (every file precached) and controls the page. */
async function untilControlled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }),
      );
    }
  });
}

test(
  'visit once, go offline, reload: the Compress page still scores with the default model',
  { tag: '@webgpu' },
  async ({ page, context }) => {
    // The Benchmark page loads no model until a run starts (Compress and Learn score on arrival).
    await page.goto('/#/benchmark');
    await expect(page.getByTestId('benchmark-page')).toBeVisible();
    await untilControlled(page);
    // Nothing was scored online: the model files can only come from the service worker's precache.
    expect(
      await page.evaluate(
        async () => (await (await caches.open('tokenskip-models-v1')).keys()).length,
      ),
    ).toBe(0);
    // Workbox stored index.html with the headers it was served with: offline it is still
    // cross-origin isolated and under the CSP.
    const headers = await page.evaluate(async () => {
      const name = (await caches.keys()).find((k) => k.startsWith('tokenskip-precache-'));
      if (!name) return null;
      const cache = await caches.open(name);
      const key = (await cache.keys()).find((r) => new URL(r.url).pathname === '/index.html');
      const hit = key && (await cache.match(key));
      if (!hit) return null;
      return [
        'cross-origin-opener-policy',
        'cross-origin-embedder-policy',
        'content-security-policy',
      ]
        .map((h) => hit.headers.get(h) ?? '')
        .map((v) => v.split(';')[0]);
    });
    expect(headers).toEqual(['same-origin', 'require-corp', "default-src 'self'"]);
    await context.setOffline(true);
    await page.goto('/#/compress?backend=wasm&example=gsm8k-test:3&rate=0.6&run=1');
    await page.reload(); // a full load of the app, offline
    await expect(page.getByTestId('compressed')).toBeVisible();
    await expect(page.getByTestId('backend')).toHaveText('WASM');
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await context.setOffline(false);
  },
);

test('installable: a web app manifest with a name, start URL and icon, served offline too', async ({
  page,
  context,
}) => {
  await page.goto('/#/learn');
  const href = await page.locator('link[rel=manifest]').getAttribute('href');
  expect(href).toBeTruthy();
  const url = new URL(href!, page.url()).href;
  const response = await page.request.get(url);
  expect(response.ok()).toBe(true);
  const manifest = (await response.json()) as {
    name: string;
    start_url: string;
    display: string;
    icons: { src: string }[];
  };
  expect(manifest.name).toBe('TokenSkip Studio');
  expect(manifest.display).toBe('standalone');
  const icon = await page.request.get(new URL(manifest.icons[0]!.src, url).href);
  expect(icon.headers()['content-type']).toContain('image/svg+xml');
  // Precached: the manifest and icon load with the network off.
  await untilControlled(page);
  await context.setOffline(true);
  const offline = await page.evaluate(async (u) => (await fetch(u)).status, url);
  expect(offline).toBe(200);
  await context.setOffline(false);
});

test('offline, a hub model that is not cached says it needs the network; the page keeps working', async ({
  page,
  context,
}) => {
  await page.goto('/#/benchmark');
  await untilControlled(page);
  await context.setOffline(true);
  await page.goto(
    '/#/compress?backend=wasm&model=llmlingua-2-js-tinybert-meetingbank&example=gsm8k-test:3&rate=0.6&run=1',
  );
  await page.reload();
  await expect(page.getByTestId('error')).toContainText('You are offline');
  await expect(page.getByTestId('error')).toContainText('needs the network');
  // Nothing broke: the shipped model still scores, offline.
  await page.goto('/#/compress?backend=wasm&example=gsm8k-test:3&rate=0.6&run=1');
  await page.reload();
  await expect(page.getByTestId('compressed')).toBeVisible();
  await context.setOffline(false);
});

test('offline, Generate and a URL-driven Benchmark run on the shipped mini model', async ({
  page,
  context,
}) => {
  await page.goto('/#/benchmark');
  await untilControlled(page);
  await context.setOffline(true);
  // A full load of the app, offline (a reload would lose `run=1`: the page rewrites its URL).
  await page.goto('about:blank');
  await page.goto(
    '/#/generate?model=mini-tokenskip&backend=wasm&gamma=0.6&max_tokens=16&example=arith-test:0&run=1',
  );
  await expect(page.getByTestId('generate-page')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('error')).toHaveCount(0);
  await expect(page.getByTestId('run-compressed').getByTestId('output')).not.toBeEmpty();
  await page.goto(
    '/#/benchmark?dataset=arith&n=1&seed=1&model=mini-tokenskip&gammas=1,0.6&max_tokens=16&backend=wasm&autostart=1',
  );
  await expect(page.locator('#benchmark')).toHaveAttribute('data-state', 'done');
  const results = await page.evaluate(() => window.__TOKENSKIP_RESULTS__);
  expect(results?.config).toMatchObject({ dataset: 'arith', modelId: 'mini-tokenskip' });
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  await context.setOffline(false);
});

test('an update: unchanged files are not fetched again; the old build and the hand-written worker leave nothing', async ({
  page,
}) => {
  // The revision Workbox gave icon.svg in this build (dist/sw.js, written by injectManifest).
  const sw = readFileSync(path.resolve(import.meta.dirname, '../dist/sw.js'), 'utf8');
  const revision = /\{"revision":"([0-9a-f]+)","url":"icon.svg"\}/.exec(sw)?.[1];
  expect(revision).toBeTruthy();
  // A document of the app's origin that registers no worker: seed what an earlier install left.
  await page.goto('/models/manifest.json');
  const origin = new URL(page.url()).origin;
  await page.evaluate(
    async ({ origin, revision }) => {
      const old = await caches.open('tokenskip-app-0123456789abcdef');
      await old.put(`${origin}/index.html`, new Response('hand-written worker'));
      const precache = await caches.open(`tokenskip-precache-v2-${origin}/`);
      await precache.put(`${origin}/assets/index-OLD.js`, new Response('old build'));
      await precache.put(
        `${origin}/icon.svg?__WB_REVISION__=${revision}`,
        new Response('<svg id="kept"/>', { headers: { 'Content-Type': 'image/svg+xml' } }),
      );
    },
    { origin, revision },
  );
  await page.goto('/#/benchmark');
  await untilControlled(page);
  const state = () =>
    page.evaluate(async () => {
      const names = await caches.keys();
      const precache = names.find((k) => k.startsWith('tokenskip-precache-v2-'));
      const keys = precache
        ? (await (await caches.open(precache)).keys()).map((r) => new URL(r.url).pathname)
        : [];
      return {
        handWritten: names.filter((k) => k.startsWith('tokenskip-app-')).length,
        oldBuild: keys.includes('/assets/index-OLD.js'),
        indexHtml: keys.includes('/index.html'),
      };
    });
  // Activation cleans up in waitUntil; the page may be claimed a moment before it ends.
  await expect.poll(state).toEqual({ handWritten: 0, oldBuild: false, indexHtml: true });
  // Same revision: served from what was cached before, not fetched again.
  expect(await page.evaluate(async () => (await fetch('/icon.svg')).text())).toBe(
    '<svg id="kept"/>',
  );
});

test('on Learn the service worker registers once the worked example is scored, not during its first load', async ({
  page,
}) => {
  await page.goto('/#/learn');
  // Sampled until the live scores are in: was a service worker registered before them?
  const samples: { registered: boolean; live: boolean }[] = [];
  await expect
    .poll(
      async () => {
        const sample = await page.evaluate(async () => ({
          registered: Boolean(await navigator.serviceWorker.getRegistration()),
          live:
            document
              .querySelector('[data-testid=learn-page]')
              ?.getAttribute('data-scores-source') === 'live',
        }));
        samples.push(sample);
        return sample.live;
      },
      { timeout: 60_000, intervals: [100] },
    )
    .toBe(true);
  expect(samples.filter((s) => !s.live).length).toBeGreaterThan(2); // the load was sampled
  expect(samples.filter((s) => s.registered && !s.live)).toEqual([]);
  // Then it registers and precaches as on every other page.
  await untilControlled(page);
});
