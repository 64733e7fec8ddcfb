/**
 * The build's prerendered Learn page (src/node/vite-prerender.ts, src/web/prepaint.ts): before
 * the app's JavaScript has run (here: its entry chunk held back), a visitor already sees the
 * worked example's heat map in their language and theme, drawn exactly as the app draws it; the
 * app then replaces it; another page or the visitor's own text never shows it.
 */
import { expect, test, type Page } from '@playwright/test';

/** Holds the app's entry chunk back: what shows is what the HTML and CSS paint alone. */
const withoutApp = (page: Page) => page.route(/\/assets\/index-[\w-]+\.js$/, (r) => r.abort());

/** A fresh load of `hash` (a goto that changes only the hash would not reload the document). */
async function load(page: Page, hash: string): Promise<void> {
  await page.goto(`/${hash}`);
  await page.reload();
}

const settings = (page: Page, values: Record<string, string>) =>
  page.addInitScript((v) => {
    for (const [key, value] of Object.entries(v)) localStorage.setItem(key, value);
  }, values);

test('before the app runs, the heat map is painted in the visitor’s language and theme', async ({
  page,
}) => {
  await withoutApp(page);
  await page.goto('/');
  const en = page.locator('[data-prerendered="en"]');
  await expect(en.locator('.heatmap .word').first()).toBeVisible();
  await expect(en.locator('h1')).toHaveText('How TokenSkip compresses a chain of thought');
  await expect(page.locator('[data-prerendered="zh"] .heatmap')).toBeHidden();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  await settings(page, { 'tokenskip.locale': 'zh', 'tokenskip.theme': 'dark' });
  await load(page, '#/learn?rate=0.6');
  const zh = page.locator('[data-prerendered="zh"]');
  await expect(zh.locator('.heatmap .word').first()).toBeVisible();
  await expect(zh.locator('h1')).toHaveText('TokenSkip 如何压缩思维链');
  await expect(page.locator('[data-prerendered="en"] .heatmap')).toBeHidden();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-Hans');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  // A picture, not the page: nothing in it takes focus or clicks.
  expect(await zh.evaluate((e) => (e as HTMLElement).inert)).toBe(true);
});

test('another page, another γ or the visitor’s own text does not show it', async ({ page }) => {
  await withoutApp(page);
  for (const hash of ['#/compress', '#/learn?rate=0.3', '#/learn?question=Q&cot=C']) {
    await load(page, hash);
    await expect(page.locator('html')).toHaveAttribute('data-prerender', 'none');
    await expect(page.locator('[data-prerendered] .heatmap').first()).toBeHidden();
  }
});

test('the app replaces it, and draws step 1 exactly as it was prerendered', async ({ page }) => {
  // The scorer's model never arrives: the app stays on the reference scores it starts from.
  await page.route(/\/models\//, () => undefined);
  const step1 = (scope: string) => page.locator(`${scope} section[aria-labelledby=step1]`);

  await withoutApp(page);
  await page.goto('/');
  const picture = await step1('[data-prerendered="en"]').screenshot();

  await page.unroute(/\/assets\/index-[\w-]+\.js$/);
  await page.goto('/');
  await expect(page.getByTestId('learn-scores-source')).toHaveAttribute('data-source', 'reference');
  await expect(page.locator('[data-prerendered]')).toHaveCount(0);
  await expect(page.getByTestId('learn-page')).toHaveCount(1);
  const app = await step1('#app');
  expect((await app.screenshot()).equals(picture)).toBe(true);
});
