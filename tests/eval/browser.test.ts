// The eval core in a real browser: bundled for the browser by Vite (as the benchmark page will
// bundle it) and run in Debian's Chromium, CAS and time limit included.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('eval core in Chromium', () => {
  it('bundles for the browser and grades there', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokenskip-eval-browser-'));
    const entry = join(dir, 'entry.ts');
    await writeFile(
      entry,
      `import * as api from ${JSON.stringify(join(ROOT, 'src/core/eval/index.ts'))};\n(globalThis as any).evalApi = api;\n`,
    );
    await build({
      configFile: false,
      logLevel: 'silent',
      root: dir,
      build: {
        outDir: join(dir, 'dist'),
        target: 'es2022',
        minify: false,
        lib: { entry, formats: ['es'], fileName: () => 'eval.js' },
      },
    });
    const bundle = await readFile(join(dir, 'dist', 'eval.js'), 'utf8');
    expect(bundle).not.toMatch(/from\s*["']node:/);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.route('http://tokenskip.test/**', (route) =>
        route.request().url().endsWith('/eval.js')
          ? route.fulfill({ body: bundle, contentType: 'text/javascript' })
          : route.fulfill({
              body: '<!doctype html><script type="module" src="/eval.js"></script>',
              contentType: 'text/html',
            }),
      );
      await page.goto('http://tokenskip.test/');
      await page.waitForFunction(() => 'evalApi' in globalThis, undefined, { timeout: 30_000 });
      const result = await page.evaluate(() => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the bundle's API, untyped in the page
        const api = (globalThis as any).evalApi;
        const grade = (dataset: string, output: string, answer: string) =>
          api.gradeSample({ dataset, question: '', output, answer }, { symbolicTimeoutMs: 300 });
        const graded = [
          grade('gsm8k', 'The final answer is: $\\boxed{1,080}$', '1080'),
          grade('math', 'so $\\boxed{\\dfrac{14}{3}}$', '4.6667'),
          grade('math', '\\boxed{\\frac{x^2-1}{x-1}}', 'x+1'),
          grade('math', '\\boxed{\\frac{1}{3}}', '0.34'),
          grade('math', '\\boxed{\\prod_{k=1}^{100000} k}', '5'),
        ].map((r: { correct: boolean }) => r.correct);
        return { graded, stats: api.symbolicStats() };
      });
      expect(errors).toEqual([]);
      expect(result.graded).toEqual([true, true, true, false, false]);
      expect(result.stats.timeouts).toBe(1);
    } finally {
      await browser.close();
    }
  });
});
