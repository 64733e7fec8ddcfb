/**
 * docs/automation.md runs: every app URL in it opens on this build, and the Benchmark example
 * reaches data-state="done" with results for every γ it names.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

const DOC = readFileSync('docs/automation.md', 'utf8');
const URLS = [...new Set(DOC.match(/http:\/\/127\.0\.0\.1:4173\/#\/[^\s'"`)]+/g) ?? [])];

test('docs/automation.md: every URL in it runs to a finished result @no-webgpu', async ({
  page,
}) => {
  expect(URLS.length).toBeGreaterThan(0);
  for (const url of URLS) {
    const hash = url.slice(url.indexOf('#'));
    await page.goto(`/${hash}`);
    if (hash.startsWith('#/benchmark')) {
      await expect(page.locator('#benchmark'), url).toHaveAttribute('data-state', 'done', {
        timeout: 170_000,
      });
      const gammas = new URL(`http://x/?${hash.split('?')[1]}`).searchParams.get('gammas');
      const runs = await page.evaluate(
        () =>
          (window as unknown as { __TOKENSKIP_RESULTS__: { runs: { gamma: number }[] } })
            .__TOKENSKIP_RESULTS__.runs,
      );
      expect(runs.map((r) => r.gamma)).toEqual(gammas!.split(',').map(Number));
    }
    await expect(page.locator('[data-testid$=error]')).toHaveCount(0);
  }
});
