/**
 * The README's quick start serves the app with `npm start`: Vite's dev server, where Svelte runs
 * its development runtime. That runtime stops what production lets pass quietly (an `$effect` that
 * re-runs on its own write looped until Svelte gave up, leaving Generate on "Loading the page…" in
 * English), so every page is opened here in both languages, on the dev server itself, and must
 * show with no page error and no console error. The other specs run the production build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { expect, test } from '@playwright/test';

const repoRoot = path.resolve(import.meta.dirname, '..');
const PAGES = ['learn', 'compress', 'generate', 'benchmark', 'models'] as const;

/** A port nothing listens on now (the dev server is started with --strictPort on it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

let server: ChildProcess | undefined;
let origin = '';

test.beforeAll(async () => {
  test.setTimeout(180_000);
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  // `npm start` is `vite --host 127.0.0.1`; the port is chosen here so a running `npm start` (5173)
  // is not in the way. Its own process group, so the whole tree stops in afterAll.
  server = spawn('npx', ['vite', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: repoRoot,
    detached: true,
    stdio: 'ignore',
  });
  for (const started = Date.now(); Date.now() - started < 120_000;) {
    const up = await fetch(origin).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the dev server did not answer on ${origin} within 2 minutes`);
});

test.afterAll(() => {
  if (server?.pid) process.kill(-server.pid, 'SIGTERM');
});

for (const locale of ['en', 'zh'] as const)
  test(`npm start's dev server: every page opens in ${locale} without an error`, async ({
    page,
  }) => {
    test.setTimeout(300_000);
    await page.addInitScript((l) => localStorage.setItem('tokenskip.locale', l), locale);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console error: ${m.text().split('\n')[0]}`);
    });
    for (const name of PAGES) {
      await page.goto(`${origin}/#/${name}`);
      // The first visit compiles each page's modules on demand: slow on a busy machine.
      await expect(page.getByTestId(`${name}-page`)).toBeVisible({ timeout: 120_000 });
      // Effects run after the page shows; a loop among them needs a moment to surface.
      await page.waitForTimeout(2000);
      expect(errors, `on #/${name}`).toEqual([]);
    }
  });
