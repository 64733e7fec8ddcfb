/**
 * The Benchmark table at a laptop's 1280 px (issue 21): every column, the last one ("Speedup /
 * ideal", 加速 / 理想) included, is visible without scrolling inside the table's box, in both
 * languages; at a phone's 390 px the table may scroll inside its box, never the page.
 * It reads the table the page opens on (the committed reference run): no model runs.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';

async function tableBox(page: Page, locale: string) {
  await page.goto('/#/benchmark');
  await page.getByTestId('locale').selectOption(locale);
  const table = page.getByTestId('benchmark-table').first();
  await expect(table).toBeVisible();
  await expect(table.locator('tbody tr').first()).toBeVisible();
  return table.locator('xpath=..');
}

/** True when the table's last heading lies within its scroll box, horizontally. */
function lastColumnInside(box: Locator): Promise<boolean> {
  return box.evaluate((el) => {
    const th = [...el.querySelectorAll('thead th')].at(-1)!.getBoundingClientRect();
    const b = el.getBoundingClientRect();
    return th.left >= b.left - 1 && th.right <= b.right + 1;
  });
}

for (const locale of ['en', 'zh']) {
  test(`at 1280 px the Benchmark table fits its box (${locale})`, async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const box = await tableBox(page, locale);
    const { scroll, client } = await box.evaluate((el) => ({
      scroll: el.scrollWidth,
      client: el.clientWidth,
    }));
    expect(scroll, `table ${scroll} px in a ${client} px box`).toBeLessThanOrEqual(client);
    // The last column lies inside the box and the page, not cut off.
    expect(await lastColumnInside(box)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      1280,
    );
  });

  test(`at 390 px the Benchmark table scrolls inside its box, not the page (${locale})`, async ({
    page,
  }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    const box = await tableBox(page, locale);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    // Scrolling the box brings the last column into view (the box is the scroller).
    await box.evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
    await expect.poll(() => lastColumnInside(box)).toBe(true);
    expect((await box.boundingBox())!.x + (await box.boundingBox())!.width).toBeLessThanOrEqual(
      390,
    );
  });
}
