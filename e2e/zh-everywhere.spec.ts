/**
 * 中文 everywhere: with 中文 chosen, every page (Learn, Compress, its CTS comparison view, Generate,
 * Benchmark, Models), each after a run where the page has one, shows no Latin-script UI string
 * except the names of models, datasets, methods and formats, and units. It reads every visible
 * text node and the visible `title`, `aria-label` and `placeholder` texts, skipping content that is
 * not UI: model output and the texts being compressed (`pre`, `textarea`, typeset math, elements
 * marked `translate="no"` such as file names and dataset questions).
 * On the `wasm` project only (the strings do not depend on the backend).
 */
import { expect, test } from '@playwright/test';
import { latinStrings } from './harness/zh-walk.ts';

test.describe('中文 everywhere', () => {
  test.beforeEach(async ({ page }) => {
    // The Models page loads no model, so nothing is in flight when the test navigates on.
    await page.goto('/#/models');
    await page.evaluate(() => localStorage.clear());
    await page.getByTestId('locale').selectOption('zh');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-Hans');
  });

  test('Learn, after scoring and after asking the model', async ({ page }) => {
    test.slow();
    await page.goto('/#/learn?rate=0.6');
    await expect(page.getByTestId('learn-page')).toHaveAttribute('data-status', 'ready');
    await page.getByTestId('learn-ask').click();
    await expect(page.getByTestId('learn-run-compressed')).toHaveAttribute('data-answer', /.+/, {
      timeout: 120_000,
    });
    expect(await latinStrings(page)).toEqual([]);
  });

  test('Compress, and its CTS comparison view', async ({ page }) => {
    await page.goto('/#/compress?backend=wasm');
    await page.reload();
    await expect(page.getByTestId('compressed')).toBeVisible();
    expect(await latinStrings(page)).toEqual([]);
    await page.goto('/#/compress?scorer=cts&condition=both&compare=llmlingua2&rate=0.6&run=1');
    await page.reload();
    await expect(page.getByTestId('comparison')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('compressed')).toBeVisible();
    expect(await latinStrings(page)).toEqual([]);
  });

  test('Generate, after a side-by-side run', async ({ page }) => {
    test.slow();
    await page.goto('/#/generate?backend=wasm&gamma=0.6&example=canonical:zh&run=1');
    await expect(page.getByTestId('generate-page')).toHaveAttribute('data-status', 'done', {
      timeout: 150_000,
    });
    expect(await latinStrings(page)).toEqual([]);
  });

  test('Benchmark, after a run, with its outputs open; and Models', async ({ page }) => {
    test.slow();
    await page.goto(
      '/#/benchmark?dataset=arith&n=1&seed=1&gammas=1,0.6&max_tokens=96&backend=wasm&autostart=1',
    );
    await expect(page.locator('#benchmark')).toHaveAttribute('data-state', 'done', {
      timeout: 150_000,
    });
    await page.getByTestId('bench-outputs').locator('summary').click();
    await expect(page.getByTestId('bench-output').first()).toBeVisible();
    expect(await latinStrings(page)).toEqual([]);

    await page.goto('/#/models');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    expect(await latinStrings(page)).toEqual([]);
  });
});
