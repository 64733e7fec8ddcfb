/**
 * `npm run bench:first-visit`: how long a visitor waits for the Learn page's heat map of the worked
 * example, from a cold and from a warm load of the built app, both sides:
 * - the first heat map: the first `[data-testid=learn-scores] .word`, whatever its scores' source
 *   (the page's `data-scores-source`: the shipped reference run, scores this browser kept from an
 *   earlier visit, or live), which is printed;
 * - the live scores: when `data-scores-source` turns `live`, the mini scorer having loaded and
 *   scored in this browser (with the model load's phases and the scoring time the page reports).
 *
 * - build: `vite build` (the repo's config) into a temporary folder, served by `vite preview` on
 *   loopback with the app's headers (COOP/COEP/CSP);
 * - cold: Debian's Chromium, headless, a fresh profile (no HTTP cache, no service worker, no Cache
 *   Storage), the app picks its backend (no WebGPU flags: where Chromium offers no adapter, WASM);
 * - warm: the same profile after the cold load's service worker finished precaching, the browser
 *   closed and started again (the second visit of the day);
 * - the times are the page's own clock: `performance.now()` (from navigation start), read by a
 *   MutationObserver installed before the app runs; the first heat map counts from when its words
 *   are in the page (the build's prerendered copy, src/node/vite-prerender.ts, or the app's own)
 *   and painted (not before the first contentful paint). `app-mounted` among the printed marks is
 *   when the app itself took over (interactive);
 * - the page's main thread until the live scores: its longest task and the time blocked (each long
 *   task's time over 50 ms, summed: what the visitor's clicks and scrolls wait behind);
 * - the driver: by default Chromium on a bare DevTools pipe (cdp-pipe.ts: the page's Page and
 *   Runtime domains only), the lighter instrument (`--driver playwright` drives it as the e2e
 *   tests do; opened after the same settle time it measured the same, README); the page is opened
 *   `--settle-ms` (1500) after the browser started, as a visitor would open it;
 * - `--open new-tab`: the page opened in a new tab with no DevTools session on it at all (a
 *   visitor's click), read 10 s later: the first heat map is then the first paint of the
 *   prerendered copy and the live scores the page's own `tokenskip:scored` mark. The default
 *   loads it in the tab the driver opened, with the observer installed first.
 *
 * Median of `--runs` (default 3) cold/warm pairs; targets ≤ 2 s cold and ≤ 0.5 s warm (issue #21),
 * each side against them with its ratio.
 * The machine's load average is printed: run it with the cores free.
 *
 *   npm run bench:first-visit
 *   npm run bench:first-visit -- --runs 5
 *   npm run bench:first-visit -- --dist dist     # serve an existing build (`npm run build`) instead
 *   npm run bench:first-visit -- --driver playwright --settle-ms 0   # as the e2e tests see it
 *   npm run bench:first-visit -- --open new-tab   # a new tab, nothing attached while it loads
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from '@playwright/test';
import { preview } from 'vite';
import { baseArgs, chromiumPath } from '../e2e/harness/chromium.ts';
import { buildApp } from './bundle-measure.ts';
import { launchOverPipe, pollUntil } from './cdp-pipe.ts';
import { benchArgs } from './bench-args.ts';

const COLD_TARGET_S = 2;
const WARM_TARGET_S = 0.5;

const { values } = benchArgs(import.meta.url, {
  runs: { type: 'string', default: '3' },
  port: { type: 'string', default: process.env.BENCH_PORT ?? '4873' },
  // An existing build (the tests share one: tests/helpers/app-build.ts), served as it is.
  dist: { type: 'string' },
  // bare: no DevTools client but the page's Page/Runtime domains (cdp-pipe.ts); playwright: as
  // the e2e tests drive it (network instrumentation on every page and worker).
  driver: { type: 'string', default: 'bare' },
  // Time between the browser's start and opening the page.
  'settle-ms': { type: 'string', default: '1500' },
  // tab: the page is loaded in the tab the driver opened (its observer installed first);
  // new-tab: opened in a new tab with nothing attached, read afterwards (bare driver only).
  open: { type: 'string', default: 'tab' },
});
const settleMs = Number(values['settle-ms']);
if (!Number.isFinite(settleMs) || settleMs < 0) {
  console.error(`--settle-ms must be a number of milliseconds ≥ 0, got "${values['settle-ms']}".`);
  process.exit(2);
}
const driver = values.driver;
if (driver !== 'bare' && driver !== 'playwright') {
  console.error(`--driver must be bare or playwright, got "${driver}".`);
  process.exit(2);
}
const open = values.open;
if (open !== 'tab' && open !== 'new-tab') {
  console.error(`--open must be tab or new-tab, got "${open}".`);
  process.exit(2);
}
if (open === 'new-tab' && driver !== 'bare') {
  console.error(
    '--open new-tab reads the page after it loaded, over the bare pipe: drop --driver.',
  );
  process.exit(2);
}
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

// Before any app code: note when the first heat-map word is attached and from which scores (the
// Learn page's `data-scores-source`: reference, cached or live), and when the live scores from the
// model in this browser are shown (page clock, ms since navigation start).
// A string, not a function: tsx would wrap a function's inner functions in its `__name` helper,
// which the page does not have.
const observe = `(() => {
  // The build's prerendered Learn page in the language prepaint chose (src/node/vite-prerender.ts)
  // counts as shown, as the app's own heat map does.
  const shown = () => {
    const lang = document.documentElement.getAttribute('data-prerender');
    const picture = lang && document.querySelector('[data-prerendered="' + lang + '"] .heatmap .word');
    if (picture) return { word: picture, page: picture.closest('[data-scores-source]'), prerendered: true };
    const word = document.querySelector('[data-testid=learn-scores] .word');
    return word && { word, page: document.querySelector('[data-testid=learn-page]'), prerendered: false };
  };
  const check = () => {
    const page = document.querySelector('[data-testid=learn-page]');
    const source = page && page.getAttribute('data-scores-source');
    const first = window.__heatMapAt === undefined && shown();
    if (first) {
      window.__heatMapAt = performance.now();
      window.__heatMapSource =
        (first.page && first.page.getAttribute('data-scores-source') || '?') +
        (first.prerendered ? ', prerendered' : '');
    }
    if (window.__liveAt === undefined && source === 'live' && document.querySelector('[data-testid=learn-scores] .word'))
      window.__liveAt = performance.now();
  };
  // The page's main thread: its long tasks (over 50 ms), while the visitor waits and reads.
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  new MutationObserver(check).observe(document, {
    childList: true, subtree: true, attributes: true, attributeFilter: ['data-scores-source'],
  });
})();`;

interface Visit {
  /** Page marks and resources, ms since navigation start. */
  marks: string;
  /** First heat map, whatever its scores' source. */
  ms: number;
  source: string;
  /** The live scores from the model in this browser. */
  liveMs: number;
  backend: string;
  loadMs: string;
  phases: string;
  scoreMs: string;
  /** Main thread until the live scores: the longest task and the time blocked beyond 50 ms per task. */
  longestTaskMs: number;
  blockedMs: number;
}

/** One browser tab, whichever driver opened it: expressions are strings, run in the page. */
interface Tab {
  addInitScript(source: string): Promise<void>;
  goto(url: string): Promise<void>;
  evaluate<T>(expression: string): Promise<T>;
  waitFor(expression: string, timeoutMs: number, pollMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Chromium on its DevTools pipe, only the page's Page and Runtime domains attached (cdp-pipe.ts). */
async function openBare(profile: string): Promise<Tab> {
  const browser = await launchOverPipe(chromiumPath, [...baseArgs, `--user-data-dir=${profile}`]);
  const page = await browser.newPage();
  return { ...page, close: () => browser.close() };
}

/** The same Chromium under Playwright, as the e2e tests run it (Network domain on every target). */
async function openPlaywright(profile: string): Promise<Tab> {
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    args: baseArgs,
    headless: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => console.error(`  page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`  console: ${m.text()}`);
  });
  return {
    addInitScript: async (source) => {
      await page.addInitScript(source);
    },
    goto: async (target) => {
      await page.goto(target);
    },
    evaluate: <T>(expression: string) => page.evaluate(expression) as Promise<T>,
    // Polled as the bare driver polls (waitForFunction would not await a string's promise).
    waitFor: (expression, timeoutMs, pollMs) =>
      pollUntil((e) => page.evaluate(e), expression, timeoutMs, pollMs),
    close: () => context.close(),
  };
}

// In the page, from what a reading found: its main thread's long tasks before the live scores
// (the longest, and the time blocked beyond 50 ms per task) and the Learn page's load attributes.
const withPageFacts = `((times, taskMs) => {
  const page = document.querySelector('[data-testid=learn-page]');
  const attr = (name) => (page && page.getAttribute(name)) || '?';
  return {
    ...times,
    longestTaskMs: Math.round(Math.max(0, ...taskMs)),
    blockedMs: Math.round(taskMs.reduce((sum, d) => sum + d - 50, 0)),
    backend: attr('data-backend'),
    loadMs: attr('data-load-ms'),
    phases: attr('data-load-phases'),
    scoreMs: attr('data-score-ms'),
  };
})`;

// Read in the page once the live scores are shown (strings: see `observe`).
const readTimes = `(() => {
  // Shown means painted: a heat map in the HTML waits for the first paint (the stylesheet).
  const paint = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0;
  const tasks = window.__longTasks.filter(([start]) => start < window.__liveAt).map(([, d]) => d);
  return ${withPageFacts}(
    { ms: Math.max(window.__heatMapAt, paint), source: window.__heatMapSource, liveMs: window.__liveAt },
    tasks,
  );
})()`;

// The page's own marks (CompressSession) and when its entry chunk and the worker arrived. Also:
// when the HTML arrived (from the service worker on a warm load: \`workerStart\` is when the worker
// was ready to answer), the stylesheet and prepaint script, and the first paint.
const readMarks = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const derived = [
    ...(nav.workerStart > 0 ? [{ name: 'worker ready', end: nav.workerStart }] : []),
    { name: 'html', end: nav.responseEnd },
    ...(paint ? [{ name: 'first paint', end: paint.startTime }] : []),
  ].map((e) => ({ ...e, entryType: 'derived', startTime: e.end }));
  return [
    ...derived,
    ...performance.getEntriesByType('mark').filter((m) => m.name.startsWith('tokenskip:')),
    ...performance
      .getEntriesByType('resource')
      .filter((r) => /worker|index-.*[.](js|css)|prepaint/.test(r.name)),
  ]
    .map((e) => {
      const end = e.entryType === 'resource' ? e.responseEnd : e.startTime;
      const name = e.name.replace(/^tokenskip:/, '').replace(/^.*[/]assets[/]/, '');
      return name + ' ' + Math.round(end);
    })
    .join(', ');
})()`;

// Read once the live scores are in, from a page no script watched while it loaded (`--open
// new-tab`): the first heat map is the first paint of the prerendered copy (which prepaint picked:
// `data-prerender`); the live scores are the page's own `tokenskip:scored` mark, when the scores
// from the model were published (the observer above sees them rendered 0.01–0.06 s later).
const readTimesUnwatched = `(async () => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const scored = performance.getEntriesByName('tokenskip:scored').at(-1);
  const tasks = await new Promise((resolve) => {
    new PerformanceObserver((list, observer) => {
      observer.disconnect();
      resolve(list.getEntries());
    }).observe({ type: 'longtask', buffered: true });
    setTimeout(() => resolve([]), 200);
  });
  const durations = tasks.filter((t) => t.startTime < scored.startTime).map((t) => t.duration);
  const prerendered = document.documentElement.getAttribute('data-prerender');
  return ${withPageFacts}(
    {
      ms: paint ? paint.startTime : NaN,
      source: prerendered ? 'reference, prerendered' : 'none prerendered: first paint',
      liveMs: scored.startTime,
    },
    durations,
  );
})()`;

/** Waits until the service worker is active (its install, the whole precache, finished). */
async function waitForPrecache(tab: Pick<Tab, 'waitFor'>): Promise<void> {
  const started = performance.now();
  await tab.waitFor(
    `navigator.serviceWorker.getRegistration().then((r) => Boolean(r && r.active))`,
    300_000,
    500,
  );
  precacheS.push((performance.now() - started) / 1000);
}

/**
 * `--open new-tab`: the page opened in a new tab of a browser with no DevTools session on it, as a
 * visitor's click opens it; attached only after `UNWATCHED_MS`, when the live scores are in.
 */
const UNWATCHED_MS = 10_000;
async function visitUnwatched(profile: string, precache: boolean): Promise<Visit> {
  const browser = await launchOverPipe(chromiumPath, [...baseArgs, `--user-data-dir=${profile}`]);
  try {
    await new Promise((r) => setTimeout(r, settleMs));
    const opened = await browser.openTab(url!);
    await new Promise((r) => setTimeout(r, UNWATCHED_MS));
    const tab = await opened.attach();
    await tab.waitFor(
      `document.querySelector('[data-testid=learn-page][data-scores-source=live]')`,
      60_000,
    );
    const times = await tab.evaluate<Omit<Visit, 'marks'>>(readTimesUnwatched);
    const result: Visit = { ...times, marks: await tab.evaluate<string>(readMarks) };
    if (precache) await waitForPrecache(tab);
    return result;
  } finally {
    await browser.close();
  }
}

async function visit(profile: string, precache: boolean): Promise<Visit> {
  if (open === 'new-tab') return visitUnwatched(profile, precache);
  const tab = await (driver === 'playwright' ? openPlaywright(profile) : openBare(profile));
  try {
    await tab.addInitScript(observe);
    // A visitor starts the browser, then opens the page: the browser's own start (its GPU and
    // network processes, the profile's databases) is left to finish first.
    await new Promise((r) => setTimeout(r, settleMs));
    await tab.goto(url!);
    await tab.waitFor('window.__heatMapAt !== undefined', 120_000).catch(async (error: unknown) => {
      const text = await tab
        .evaluate<string>(`document.querySelector('main')?.innerText ?? ''`)
        .catch(() => '?');
      throw new Error(`No heat map in 120 s; the page shows: ${text.slice(0, 600)}`, {
        cause: error,
      });
    });
    await tab.waitFor(
      `document.querySelector('[data-testid=learn-page][data-status=ready]')`,
      60_000,
    );
    await tab.waitFor('window.__liveAt !== undefined', 60_000);
    const times = await tab.evaluate<Omit<Visit, 'marks'>>(readTimes);
    const result: Visit = { ...times, marks: await tab.evaluate<string>(readMarks) };
    if (precache) await waitForPrecache(tab);
    return result;
  } finally {
    await tab.close();
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
      `first heat map ${(v.ms / 1000).toFixed(2)} s (${v.source} scores), live ${(v.liveMs / 1000).toFixed(2)} s (${v.backend}, model load ${v.loadMs} ms [${v.phases}], scoring ${v.scoreMs} ms; page's main thread until then: longest task ${v.longestTaskMs} ms, blocked ${v.blockedMs} ms; page: ${v.marks})`;
    console.log(
      `  run ${i + 1}: cold: ${show(cold[i]!)}; precache done ${precacheS[i]!.toFixed(1)} s later\n         warm: ${show(warm[i]!)}`,
    );
  }
} catch (error) {
  // What failed and where to look (a missing browser: CHROMIUM_PATH), not a stack.
  console.error(`bench:first-visit: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await server.close();
  for (const p of [...(values.dist ? [] : [outDir]), ...profiles])
    rmSync(p, { recursive: true, force: true });
}
if (process.exitCode === 1) process.exit(1);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const line = (name: string, times: number[], target: number) => {
  const s = median(times) / 1000;
  const all = times.map((t) => (t / 1000).toFixed(2)).join(' / ');
  return `  ${name}: ${s.toFixed(2)} s median of ${times.length} (${all}), target ≤ ${target} s, ratio ${(s / target).toFixed(2)} of the target: ${s <= target ? 'met' : 'NOT met'}`;
};
const sources = (visits: Visit[]) => [...new Set(visits.map((v) => v.source))].join(', ');
console.log(
  `\nbench:first-visit — Learn heat map ready, built app (${buildS === undefined ? values.dist : `vite build ${buildS.toFixed(1)} s`} + vite preview), Chromium headless, driven by ${driver === 'bare' ? 'a bare DevTools pipe (no Network domain)' : 'Playwright'}, page opened ${settleMs} ms after the browser started${open === 'new-tab' ? ` in a new tab, nothing attached for ${UNWATCHED_MS / 1000} s (first heat map: first paint of the prerendered copy; live: the page's tokenskip:scored mark)` : ''}`,
);
console.log(
  line(
    `cold (fresh profile), first heat map (${sources(cold)} scores)`,
    cold.map((v) => v.ms),
    COLD_TARGET_S,
  ),
);
console.log(
  line(
    'cold (fresh profile), live scores from the model in this browser',
    cold.map((v) => v.liveMs),
    COLD_TARGET_S,
  ),
);
console.log(
  line(
    `warm (same profile, service worker and caches filled), first heat map (${sources(warm)} scores)`,
    warm.map((v) => v.ms),
    WARM_TARGET_S,
  ),
);
console.log(
  line(
    'warm (same profile), live scores from the model in this browser',
    warm.map((v) => v.liveMs),
    WARM_TARGET_S,
  ),
);
console.log(
  `  load average (1, 5, 15 min): before ${loadBefore}, after ${load()} on ${availableParallelism()} cores`,
);
