/**
 * Screenshots of every page, light and dark, English and 中文, at 1280 and 390 px wide, into
 * docs/screenshots/<page>-<theme>-<lang>-<width>.png. Uses Playwright with the system Chromium.
 *
 *   npm run screenshots                                   # builds, serves on :4360, shoots
 *   SCREENSHOT_URL=http://127.0.0.1:5173 tsx scripts/screenshots.ts   # against a running server
 *   SCREENSHOT_ONLY=learn-light-en tsx scripts/screenshots.ts         # names containing this
 *   SCREENSHOT_FULL=1 …                                               # whole pages, not the viewport
 * Chinese needs a CJK font on the machine (e.g. Debian's fonts-noto-cjk), or it shows as boxes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium } from '@playwright/test';

const pages: { path: string; ready: string }[] = [
  { path: 'learn', ready: '[data-testid=learn-kept]' },
  { path: 'compress', ready: '[data-testid=heatmap]' },
  { path: 'generate', ready: '[data-testid=generate-page]' },
  { path: 'benchmark', ready: '[data-testid=benchmark-page]' },
  { path: 'models', ready: '[data-testid=models-page][data-ready="1"]' },
];
const out = 'docs/screenshots';
const only = process.env['SCREENSHOT_ONLY'] ?? '';
const full = process.env['SCREENSHOT_FULL'] === '1';

async function waitFor(url: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer within ${ms / 1000} s`);
}

async function main(): Promise<void> {
  let server: ChildProcess | undefined;
  let base = process.env['SCREENSHOT_URL'];
  if (!base) {
    base = 'http://127.0.0.1:4360';
    server = spawn(
      'npx',
      ['vite', 'preview', '--host', '127.0.0.1', '--port', '4360', '--strictPort'],
      {
        stdio: 'ignore',
      },
    );
  }
  await waitFor(base);
  mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-webgpu'],
  });
  try {
    for (const page of pages)
      for (const theme of ['light', 'dark'] as const)
        for (const lang of ['en', 'zh'] as const)
          for (const width of [1280, 390]) {
            const name = `${page.path}-${theme}-${lang}-${width}`;
            if (only && !name.includes(only)) continue;
            const context = await browser.newContext({
              viewport: { width, height: width > 600 ? 900 : 844 },
              colorScheme: theme,
            });
            await context.addInitScript(
              ([t, l]) => {
                localStorage.setItem('tokenskip.theme', t);
                localStorage.setItem('tokenskip.locale', l);
              },
              [theme, lang],
            );
            const tab = await context.newPage();
            await tab.goto(`${base}/#/${page.path}`);
            await tab.locator(page.ready).first().waitFor({ timeout: 60_000 });
            await tab.waitForTimeout(300);
            await tab.screenshot({
              path: `${out}/${name}.png`,
              fullPage: page.path === 'learn' || full,
            });
            await context.close();
            console.log(`${out}/${name}.png`);
          }
  } finally {
    await browser.close();
    server?.kill();
  }
}

await main();
