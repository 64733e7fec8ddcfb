/**
 * 中文 in error states and with non-default settings (issue 21): with 中文 chosen, a bad URL
 * parameter (a γ too small to keep a token, one that is not a number, a Benchmark `n` larger than
 * its dataset, a γ listed twice), a model file that fails verification (wrong bytes, an HTML page
 * from a loopback model host), a storage quota too small for a model, and pages with other
 * settings (another scorer, CTS, another γ, the dark theme, presentation mode) show no
 * Latin-script UI string outside model names, numbers and units: the error's detail is rendered
 * from the 中文 message table, its data marked untranslated, the English original one click away.
 * On the `wasm` project only (the strings do not depend on the backend).
 */
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { latinStrings } from './harness/zh-walk.ts';

const MODEL = 'tiny-lingua-mbert-extdata';
const FOLDER = `models/fixtures/${MODEL}`;

/** A loopback model host serving the fixture's files; `corrupt` / `html` break one path. */
interface Host {
  url: string;
  faults: { corrupt?: string; html?: string };
  close(): Promise<void>;
}

async function startHost(): Promise<Host> {
  const faults: Host['faults'] = {};
  const server: Server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Range');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Length, Content-Range, ETag');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const file = path.resolve(`.${pathname}`);
    if (!pathname.startsWith('/models/') || !statSync(file, { throwIfNoEntry: false })?.isFile())
      return void res.writeHead(404).end('not found');
    if (faults.html === pathname) {
      return void res
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
        .end('<!DOCTYPE html><html><body>Please sign in</body></html>');
    }
    let data = readFileSync(file);
    if (faults.corrupt === pathname) {
      data = Buffer.from(data);
      data[data.length >> 1]! ^= 0xff;
    }
    res
      .writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(data.length),
      })
      .end(data);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    faults,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function chooseZh(page: Page): Promise<void> {
  await page.goto('/#/models');
  await page.evaluate(() => localStorage.clear());
  await page.getByTestId('locale').selectOption('zh');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-Hans');
}

/**
 * A fresh document at `hash` (pages rewrite their address to follow their settings, so a reload
 * after a hash change could load the rewritten address instead).
 */
async function open(page: Page, hash: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(`/${hash}`);
}

/** The notice shows the detail `id` in 中文, and the page holds no Latin UI word. */
async function expectZhError(page: Page, notice: Locator, code: string, id: string) {
  await expect(notice).toHaveAttribute('data-code', code);
  await expect(notice.getByTestId('error-detail')).toHaveAttribute('data-detail', id);
  await expect(notice.getByTestId('error-detail')).toContainText(/\p{Script=Han}/u);
  expect(await latinStrings(page)).toEqual([]);
  // The English original is there, one click away (and stays out of the 中文 walk until opened).
  await expect(notice.locator('details.original')).not.toHaveAttribute('open');
}

test.describe('中文 in error states', () => {
  test.beforeEach(async ({ page }) => chooseZh(page));

  test('a bad URL parameter on Compress, Learn and Benchmark', async ({ page }) => {
    await open(page, '#/compress?model=tiny-lingua-mbert&backend=wasm&rate=1e-320&run=1');
    const notice = page.getByTestId('error');
    await expectZhError(page, notice, 'INVALID_ARGUMENT', 'gammaTooSmallUrl');
    await expect(notice).toContainText('网址参数 rate 的值 1e-320 太小');
    await expect(page.getByTestId('compressed')).toHaveCount(0);

    await open(page, '#/learn?rate=abc');
    await expectZhError(
      page,
      page.getByTestId('error').first(),
      'INVALID_ARGUMENT',
      'gammaNotNumberUrl',
    );

    await open(page, '#/benchmark?dataset=arith&n=100000&backend=wasm&autostart=1');
    const bench = page.getByTestId('bench-error');
    await expectZhError(page, bench, 'INVALID_ARGUMENT', 'benchNTooLarge');
    await expect(bench).toContainText('超过了数据集的 1000 道题');

    await open(page, '#/benchmark?dataset=arith&n=2&gammas=0.6,0.6&backend=wasm&autostart=1');
    await expectZhError(
      page,
      page.getByTestId('bench-error'),
      'INVALID_ARGUMENT',
      'gammaListDuplicate',
    );
  });

  test.describe('a model that fails verification, and a quota too small', () => {
    let host: Host;
    test.beforeEach(async () => {
      host = await startHost();
    });
    test.afterEach(async () => {
      await host.close();
    });

    async function openRow(page: Page): Promise<Locator> {
      // A fresh document: init scripts (the quota below) apply from the first script on.
      await open(page, '#/models');
      await expect(page.getByTestId('models-page')).toHaveAttribute('data-ready', '1');
      await page.getByTestId('model-host').fill(host.url);
      await page.getByTestId('model-host-save').click();
      return page.getByTestId(`model-${MODEL}`);
    }

    test('wrong bytes, then an HTML page instead of the file', async ({ page }) => {
      host.faults.corrupt = `/${FOLDER}/tokenizer.json`;
      const row = await openRow(page);
      await row.getByTestId('download').click();
      const notice = page.getByTestId('model-error');
      await expectZhError(page, notice, 'MODEL_FILE_CORRUPT', 'fileShaVsManifest');
      await expect(notice).toContainText('sha256');
      // The English original (the CLI's words) opens on request.
      await notice.locator('details.original summary').click();
      await expect(notice.locator('details.original')).toContainText('tokenizer.json has sha256');

      host.faults.corrupt = undefined;
      host.faults.html = `/${FOLDER}/onnx/model.onnx`;
      await row.getByTestId('download').click();
      await expectZhError(page, notice, 'MODEL_FILE_CORRUPT', 'transferRefused');
      // The nested reason, in 中文 too.
      await expect(notice).toContainText('服务器返回的是 HTML 网页');
    });

    test('a model bigger than the storage quota', async ({ page }) => {
      await page.addInitScript(() => {
        StorageManager.prototype.estimate = () => Promise.resolve({ usage: 0, quota: 300_000 });
      });
      const row = await openRow(page);
      await row.getByTestId('download').click();
      const notice = page.getByTestId('model-error');
      await expectZhError(page, notice, 'STORAGE_FULL', 'storageFullRoom');
      await expect(notice).toContainText('浏览器存储空间不足');
    });
  });
});

test.describe('中文 with non-default settings', () => {
  test.beforeEach(async ({ page }) => {
    await chooseZh(page);
    await page.getByTestId('theme').selectOption('dark');
    await page.getByTestId('presentation').check();
  });

  test('Compress with another scorer and γ, and CTS conditioned on the question', async ({
    page,
  }) => {
    test.slow();
    await open(page, '#/compress?model=tiny-lingua-xlmr&backend=wasm&rate=0.3&run=1');
    await expect(page.getByTestId('compressed')).toBeVisible({ timeout: 120_000 });
    expect(await latinStrings(page)).toEqual([]);

    await open(page, '#/compress?scorer=cts&condition=question&backend=wasm&rate=0.8&run=1');
    await expect(page.getByTestId('compressed')).toBeVisible({ timeout: 120_000 });
    expect(await latinStrings(page)).toEqual([]);

    await open(page, '#/compress?scorer=ppl&backend=wasm&rate=0.5&run=1');
    await expect(page.getByTestId('compressed')).toBeVisible({ timeout: 120_000 });
    expect(await latinStrings(page)).toEqual([]);
  });

  test('Learn at another γ, and the Benchmark form with other γ', async ({ page }) => {
    await page.goto('/#/learn?rate=0.3');
    await expect(page.getByTestId('learn-page')).toHaveAttribute('data-status', 'ready', {
      timeout: 120_000,
    });
    expect(await latinStrings(page)).toEqual([]);

    await open(page, '#/benchmark?dataset=gsm8k&n=3&gammas=1,0.8,0.4&backend=wasm');
    await expect(page.locator('#benchmark')).toBeVisible();
    expect(await latinStrings(page)).toEqual([]);
  });
});
