/**
 * Accessibility: axe finds no serious or critical violation on any page, in the light and dark
 * themes and in English and 中文, with each page's worked result on screen. WASM project only
 * (untagged); one page load per combination keeps it fast.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';

const pages: { path: string; ready: string }[] = [
  { path: 'learn', ready: '[data-testid=learn-kept]' },
  { path: 'compress', ready: '[data-testid=heatmap]' },
  { path: 'generate', ready: '[data-testid=generate-page]' },
  { path: 'benchmark', ready: '[data-testid=benchmark-page]' },
  { path: 'models', ready: '[data-testid=models-page][data-ready="1"]' },
];

for (const theme of ['light', 'dark'] as const)
  for (const locale of ['en', 'zh'] as const)
    test(`no serious or critical axe violations, ${theme} / ${locale}`, async ({ page }) => {
      await page.addInitScript(
        ([t, l]) => {
          localStorage.setItem('tokenskip.theme', t);
          localStorage.setItem('tokenskip.locale', l);
        },
        [theme, locale] as const,
      );
      const found: string[] = [];
      for (const p of pages) {
        await page.goto(`/#/${p.path}`);
        await expect(page.locator(p.ready).first()).toBeVisible();
        const results = await new AxeBuilder({ page }).analyze();
        for (const v of results.violations)
          if (v.impact === 'serious' || v.impact === 'critical')
            found.push(
              `${p.path}: ${v.id} (${v.impact}) ${v.nodes
                .slice(0, 3)
                .map((n) => n.target.join(' '))
                .join(' | ')}`,
            );
      }
      expect(found).toEqual([]);
    });

test('the system theme is followed live until a theme is chosen', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/#/learn');
  const html = page.locator('html');
  await expect(html).toHaveAttribute('data-theme', 'light');
  const bg = () =>
    page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--c-bg'));
  const light = await bg();
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(html).toHaveAttribute('data-theme', 'dark');
  expect(await bg()).not.toBe(light);
  await page.evaluate(() => localStorage.setItem('tokenskip.theme', 'light'));
  await page.reload();
  await expect(html).toHaveAttribute('data-theme', 'light');
});
