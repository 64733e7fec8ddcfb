/**
 * docs/automation.md runs: every app URL in it opens on this build, and the Benchmark example
 * reaches data-state="done" with results for every γ it names, after the original model's row
 * that ΔAcc and speedup are measured against.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { parseBenchmarkParams } from '../src/core/benchmark/plan.ts';
import { benchmarkRuns } from '../src/core/benchmark/results.ts';

const DOC = readFileSync('docs/automation.md', 'utf8');
const URLS = [...new Set(DOC.match(/http:\/\/127\.0\.0\.1:4173\/#\/[^\s'"`)]+/g) ?? [])];

test('docs/automation.md: every URL in it runs to a finished result', async ({ page }) => {
  expect(URLS.length).toBeGreaterThan(0);
  for (const url of URLS) {
    const hash = url.slice(url.indexOf('#'));
    await page.goto(`/${hash}`);
    if (hash.startsWith('#/benchmark')) {
      await expect(page.locator('#benchmark'), url).toHaveAttribute('data-state', 'done', {
        timeout: 170_000,
      });
      const params = new URL(`http://x/?${hash.split('?')[1]}`).searchParams;
      const config = parseBenchmarkParams(params);
      const runs = await page.evaluate(
        () =>
          (
            window as unknown as {
              __TOKENSKIP_RESULTS__: { runs: { name: string; gamma: number; baseline: string }[] };
            }
          ).__TOKENSKIP_RESULTS__.runs,
      );
      expect(runs.map((r) => r.name)).toEqual(benchmarkRuns(config).map((r) => r.name));
      expect(runs.filter((r) => !r.name.endsWith(' original')).map((r) => r.gamma)).toEqual(
        params.get('gammas')!.split(',').map(Number),
      );
      // Every row is measured against the first: the original model's, when the URL runs one.
      if (config.baseline) expect(runs[0]!.name).toContain(config.baseline);
      for (const r of runs) expect(r.baseline).toBe(runs[0]!.name);
    }
    await expect(page.locator('[data-testid$=error]')).toHaveCount(0);
  }
});
