/**
 * The tokens-over-time chart draws what the runs generated: on Generate and on Learn, in English
 * (where the shipped mini model streams fast enough for token events to trail the worker's reply),
 * each line ends at its run's generated-token count, and the chart's table says the same. The
 * drawn data are read back from the chart (the canvas's data-drawn, written after each update).
 */
import { expect, test, type Page } from '@playwright/test';

interface Drawn {
  label: string;
  last: { x: number; y: number } | undefined;
}

async function drawn(page: Page): Promise<Drawn[]> {
  const raw = await page.getByTestId('tokens-chart').getAttribute('data-drawn');
  return JSON.parse(raw ?? '[]') as Drawn[];
}

async function expectChartMatchesRuns(page: Page, runIds: string[]) {
  const counts: number[] = [];
  for (const id of runIds) {
    const text = await page.getByTestId(id).getByTestId('completion-tokens').innerText();
    counts.push(Number(text));
  }
  expect(counts.every((c) => c > 4)).toBe(true);
  // The chart redraws at most every 200 ms: wait for the final draw.
  await expect.poll(async () => (await drawn(page)).map((d) => d.last?.y)).toEqual(counts);
  const rows = page.getByTestId('tokens-table').locator('tbody tr');
  await expect(rows).toHaveCount(runIds.length);
  for (const [i, count] of counts.entries()) {
    await expect(rows.nth(i).locator('td').nth(1)).toHaveText(String(count));
    const seconds = Number(await rows.nth(i).locator('td').nth(2).textContent());
    const x = (await drawn(page))[i]!.last!.x;
    expect(Math.abs(seconds - x)).toBeLessThan(0.006);
  }
}

test.describe('tokens-over-time chart', () => {
  test('Generate in English: each line ends at its run’s generated tokens', async ({ page }) => {
    await page.goto('/#/generate?backend=wasm&gamma=0.6&max_tokens=96&lang=en');
    await page.getByTestId('locale').selectOption('en');
    await page
      .getByTestId('question')
      .fill('Tom has 5 apples and buys 3 more. He eats 2. How many apples does he have now?');
    await page.getByTestId('generate').click();
    await expect(page.getByTestId('generate-page')).toHaveAttribute('data-status', 'done');
    await expectChartMatchesRuns(page, ['run-full', 'run-compressed']);
  });

  test('Learn in English: the same for the Ask step', async ({ page }) => {
    await page.goto('/#/learn');
    await page.getByTestId('locale').selectOption('en');
    await expect(page.getByTestId('learn-page')).toHaveAttribute('data-status', 'ready');
    await page.getByTestId('learn-ask').click();
    await expect(
      page.getByTestId('learn-run-compressed').getByTestId('generation-stats'),
    ).toBeVisible({
      timeout: 120_000,
    });
    await expectChartMatchesRuns(page, ['learn-run-full', 'learn-run-compressed']);
  });
});
