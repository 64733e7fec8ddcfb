/**
 * Phones: at 390 px every page fits its width (no sideways scrolling) in both languages, and the
 * Models page's Download buttons are on screen.
 */
import { expect, test } from '@playwright/test';

const PAGES = ['learn', 'compress', 'generate', 'benchmark', 'models'];

test.describe('390 px', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  for (const locale of ['en', 'zh']) {
    test(`every page fits 390 px in ${locale}`, async ({ page }) => {
      await page.goto('/#/learn');
      await page.getByTestId('locale').selectOption(locale);
      const wide: string[] = [];
      for (const name of PAGES) {
        await page.goto(`/#/${name}`);
        await expect(page.getByTestId(`${name}-page`)).toBeVisible();
        // Let lazily loaded parts (heat map, tables) render.
        await page.waitForTimeout(1500);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width > 390) {
          const culprits = await page.evaluate(() =>
            [...document.querySelectorAll<HTMLElement>('main *')]
              .filter((el) => el.getBoundingClientRect().right > 391)
              .slice(0, 5)
              .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
          );
          wide.push(`${name}: ${width} px (${culprits.join(', ')})`);
        }
      }
      expect(wide).toEqual([]);
      await page.goto('/#/models');
      const download = page.getByRole('button', { name: /Download|下载/ }).first();
      await download.scrollIntoViewIfNeeded();
      await expect(download).toBeInViewport({ ratio: 1 });
      expect(
        (await download.boundingBox())!.x + (await download.boundingBox())!.width,
      ).toBeLessThanOrEqual(390);
      // After Learn has scored with it, the shipped mini scorer is still listed as shipped, like
      // the other shipped models (not as a download to delete).
      const mini = page.getByTestId('model-mini-scorer');
      await expect(mini.getByTestId('state')).toHaveText(
        locale === 'en' ? 'comes with the app: works offline' : /随应用附带/,
      );
      await expect(mini.getByTestId('delete')).toHaveCount(0);
    });
  }
});
