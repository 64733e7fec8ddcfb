/**
 * `npm run bench:first-visit`: how long a visitor waits for the Learn page's heat map (the worked
 * example scored by the real mini scorer in the browser: the first `[data-testid=learn-scores]
 * .word`, the state e2e/learn.spec.ts waits on), from a cold and from a warm load of the built app.
 *
 * - build: `vite build` (the repo's config) into a temporary folder, served by `vite preview` on
 *   loopback with the app's headers (COOP/COEP/CSP);
 * - cold: Debian's Chromium, headless, a fresh profile (no HTTP cache, no service worker, no Cache
 *   Storage), the app picks its backend (no WebGPU flags: where Chromium offers no adapter, WASM);
 * - warm: the same profile after the cold load's service worker finished precaching, the browser
 *   closed and started again (the second visit of the day);
 * - the time is the page's own clock: `performance.now()` (from navigation start) when the first
 *   heat-map word is attached, read by a MutationObserver installed before the app runs.
 *
 * Median of `--runs` (default 3) cold/warm pairs; targets ≤ 2 s cold and ≤ 0.5 s warm (issue #21).
 * The machine's load average is printed: run it with the cores free.
 *
 *   npm run bench:first-visit
 *   npm run bench:first-visit -- --runs 5
 *   npm run bench:first-visit -- --dist dist     # serve an existing build (`npm run build`) instead
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type BrowserContext } from '@playwright/test';
import { preview } from 'vite';
import { baseArgs, chromiumPath } from '../e2e/harness/chromium.ts';
import { buildApp } from './bundle-measure.ts';

const COLD_TARGET_S = 2;
const WARM_TARGET_S = 0.5;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    port: { type: 'string', default: process.env.BENCH_PORT ?? '4873' },
    // An existing build (the tests share one: tests/helpers/app-build.ts), served as it is.
    dist: { type: 'string' },
  },
});
if (values.dist && !existsSync(path.join(values.dist, 'index.html'))) {
  console.error(`--dist ${values.dist}: no index.html there; build it with \`npm run build\`.`);
  process.exit(2);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs must be a whole number ≥ 1, got "${values.runs}".`);
  process.exit(2);
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const loadBefore = load();
const outDir = values.dist ?? mkdtempSync(path.join(tmpdir(), 'tokenskip-first-visit-'));
const profiles: string[] = [];
const buildS = values.dist ? undefined : await buildApp(outDir, { publicDir: true });
const server = await preview({
  configFile: path.resolve('vite.config.ts'),
  logLevel: 'error',
  build: { outDir },
  preview: { host: '127.0.0.1', port: Number(values.port), strictPort: false },
});
const url = server.resolvedUrls?.local[0];
if (!url) throw new Error('vite preview did not report its address');

// Before any app code: note when the first heat-map word is attached (page clock, ms since
// navigation start).
// A string, not a function: tsx would wrap a function's inner functions in its `__name` helper,
// which the page does not have.
const observe = `(() => {
  const check = () => {
    if (window.__heatMapAt === undefined && document.querySelector('[data-testid=learn-scores] .word'))
      window.__heatMapAt = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
})();`;

interface Visit {
  ms: number;
  backend: string;
  loadMs: string;
  scoreMs: string;
}

async function visit(profile: string, waitForPrecache: boolean): Promise<Visit> {
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    args: baseArgs,
    headless: true,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addInitScript(observe);
    page.on('pageerror', (e) => console.error(`  page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') console.error(`  console: ${m.text()}`);
    });
    await page.goto(url!);
    await page
      .waitForFunction(
        () => (window as unknown as { __heatMapAt?: number }).__heatMapAt !== undefined,
        undefined,
        { timeout: 120_000, polling: 50 },
      )
      .catch(async (error: unknown) => {
        const text = await page
          .locator('main')
          .innerText()
          .catch(() => '?');
        throw new Error(`No heat map in 120 s; the page shows: ${text.slice(0, 600)}`, {
          cause: error,
        });
      });
    const article = page.getByTestId('learn-page');
    await article.and(page.locator('[data-status=ready]')).waitFor({ timeout: 60_000 });
    const ms = await page.evaluate(
      () => (window as unknown as { __heatMapAt: number }).__heatMapAt,
    );
    const attr = async (name: string) => (await article.getAttribute(name)) ?? '?';
    const result = {
      ms,
      backend: await attr('data-backend'),
      loadMs: await attr('data-load-ms'),
      scoreMs: await attr('data-score-ms'),
    };
    if (waitForPrecache) {
      // The service worker is active once its install (the whole precache) has finished.
      const started = performance.now();
      await page.waitForFunction(
        async () => Boolean((await navigator.serviceWorker.getRegistration())?.active),
        undefined,
        { timeout: 300_000, polling: 500 },
      );
      precacheS.push((performance.now() - started) / 1000);
    }
    return result;
  } finally {
    await context.close();
  }
}

const cold: Visit[] = [];
/** Seconds from the heat map until the service worker was active (its precache complete). */
const precacheS: number[] = [];
const warm: Visit[] = [];
try {
  for (let i = 0; i < runs; i++) {
    const profile = mkdtempSync(path.join(tmpdir(), 'tokenskip-profile-'));
    profiles.push(profile);
    cold.push(await visit(profile, true));
    warm.push(await visit(profile, false));
    const show = (v: Visit) =>
      `${(v.ms / 1000).toFixed(2)} s (${v.backend}, model load ${v.loadMs} ms, scoring ${v.scoreMs} ms)`;
    console.log(
      `  run ${i + 1}: cold ${show(cold[i]!)}; precache done ${precacheS[i]!.toFixed(1)} s later; warm ${show(warm[i]!)}`,
    );
  }
} finally {
  await server.close();
  for (const p of [...(values.dist ? [] : [outDir]), ...profiles])
    rmSync(p, { recursive: true, force: true });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const line = (name: string, visits: Visit[], target: number) => {
  const s = median(visits.map((v) => v.ms)) / 1000;
  const all = visits.map((v) => (v.ms / 1000).toFixed(2)).join(' / ');
  return `  ${name}: ${s.toFixed(2)} s median of ${visits.length} (${all}), target ≤ ${target} s, ratio ${(s / target).toFixed(2)} of the target: ${s <= target ? 'met' : 'NOT met'}`;
};
console.log(
  `\nbench:first-visit — Learn heat map ready, built app (${buildS === undefined ? values.dist : `vite build ${buildS.toFixed(1)} s`} + vite preview), Chromium headless`,
);
console.log(line('cold (fresh profile)', cold, COLD_TARGET_S));
console.log(line('warm (same profile, service worker and caches filled)', warm, WARM_TARGET_S));
console.log(
  `  load average (1, 5, 15 min): before ${loadBefore}, after ${load()} on ${availableParallelism()} cores`,
);
