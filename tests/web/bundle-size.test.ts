/**
 * The first visit's download (issue #21), measured on a real production build (Vite, the repo's
 * config): the first page's own JS stays under its gzipped budget, WebLLM's 6 MB library is
 * bundled (and precached) once, and the pages other than Learn are not in the first page's JS.
 * The build is the one every test shares (tests/helpers/app-build.ts: `npm run build -- --manifest`
 * into dist/, rebuilt only when the sources change).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FIRST_PAGE_TARGET_KB,
  measureBundle,
  type BundleReport,
} from '../../bench/bundle-measure.ts';
import { ensureAppBuild } from '../helpers/app-build.ts';

let outDir: string;
let report: BundleReport;
beforeAll(async () => {
  outDir = (await ensureAppBuild()).dir;
  report = measureBundle(outDir);
}, 900_000);

describe('first-visit bundle (vite build)', () => {
  it('is a production build: registers the service worker, no Svelte dev runtime', () => {
    // A build that inherited vitest's NODE_ENV=test was a development one (the offline e2e specs
    // failed on it in CI): Svelte's dev runtime traces effect updates ("updated at"), and the
    // app registers its service worker only in production (src/web/main.ts).
    const first = report.rows
      .filter((r) => r.kind === 'first page')
      .map((r) => readFileSync(path.join(outDir, r.file), 'utf8'))
      .join('\n');
    expect(first).toContain('serviceWorker');
    expect(first).not.toContain('updated at');
  });

  it(`keeps the first page's JS under ${FIRST_PAGE_TARGET_KB} KB gzipped`, () => {
    expect(report.rows.some((r) => r.kind === 'first page')).toBe(true);
    expect(report.firstPageGz / 1024).toBeLessThan(FIRST_PAGE_TARGET_KB);
  });

  it('bundles and precaches WebLLM once', () => {
    expect(report.rows.filter((r) => r.webllm)).toHaveLength(1);
    expect(report.precache.webllmChunks).toBe(1);
  });

  it('ships the cl100k ranks as JSON in a string (src/node/vite-cl100k-ranks.ts), to the page and the scorer worker', () => {
    // gpt-tokenizer's 100k-entry array literal took V8 0.7–1.4 s to parse here; JSON.parse, ms.
    const holders = readdirSync(path.join(outDir, 'assets'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => ({ f, text: readFileSync(path.join(outDir, 'assets', f), 'utf8') }))
      .filter(({ text }) => text.includes(' navigationOptions'));
    expect(holders.map(({ f }) => f.replace(/-[\w-]{8}\.js$/, '')).sort()).toEqual([
      'scorer.worker',
      'token-count',
    ]);
    for (const { text } of holders) expect(text).toMatch(/JSON\.parse\([`'"]\[\\?"!\\?",/);
  });

  it('leaves chart.js, the cl100k ranks and the other pages out of the first page', () => {
    const first = report.rows
      .filter((r) => r.kind === 'first page')
      .map((r) => readFileSync(path.join(outDir, r.file), 'utf8'))
      .join('\n');
    // chart.js's registry error, one of the cl100k ranks (gpt-tokenizer's bpeRanks/cl100k_base.js,
    // " navigationOptions"), and the other pages' test ids.
    expect(first).not.toContain('is not a registered');
    expect(first).not.toContain('navigationOptions');
    for (const id of ['compress-page', 'generate-page', 'benchmark-page', 'models-page'])
      expect(first).not.toContain(`"${id}"`);
    expect(first).toContain('learn-page');
  });
});
