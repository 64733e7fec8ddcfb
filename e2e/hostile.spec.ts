/**
 * Hostile inputs in the browser (issue 23): a γ in the URL too small to keep any token, a CoT near
 * the 1,000,000-character limit, saved Benchmark runs that do not fit their dataset or config, and
 * a full localStorage. Each case fails on the reported bug (an uncaught error, a stack overflow, a
 * run fed to the runner, a run lost) and passes with a named message.
 */
import { expect, test, type Page } from '@playwright/test';

/** Uncaught page errors, collected from the first navigation on. */
function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
});

test('#/compress?rate=1e-320&run=1 names the γ and runs nothing', async ({ page }) => {
  const errors = pageErrors(page);
  await page.goto('/#/compress?model=tiny-lingua-mbert&backend=wasm&rate=1e-320&run=1');
  const notice = page.getByTestId('error');
  await expect(notice).toHaveAttribute('data-code', 'INVALID_ARGUMENT');
  await expect(notice).toContainText('rate in the URL 1e-320 is too small to keep any token');
  await expect(page.getByTestId('compressed')).toHaveCount(0);
  // The page still works: Compress runs at the default γ.
  await page.getByTestId('cot').fill('Janet sells 16 - 3 - 4 = 9 duck eggs a day.');
  await page.getByTestId('compress').click();
  await expect(page.getByTestId('compressed')).toBeVisible();
  expect(errors).toEqual([]);
});

test('an 891,000-character CoT compresses and draws its histogram without a stack overflow', async ({
  page,
}) => {
  // Minutes on a busy machine: the wait is on the page's state, not a clock.
  test.setTimeout(900_000);
  const errors = pageErrors(page);
  await page.goto('/#/compress?model=tiny-lingua-mbert&backend=wasm&rate=0.5');
  // Short words: about 400,000 of them, so the kept scores alone outnumber what a spread
  // (Math.min(...kept)) can pass as arguments.
  const sentence = '9 * 2 = 18 ';
  const cot = sentence.repeat(Math.ceil(891_000 / sentence.length)).slice(0, 891_000);
  await page.getByTestId('cot').fill(cot);
  await page.getByTestId('compress').click();
  await expect(page.getByTestId('compressed')).toBeVisible({ timeout: 0 });
  await expect(page.getByTestId('score-histogram')).toBeVisible();
  expect(errors).toEqual([]);
  await expect(page.getByTestId('error')).toHaveCount(0);
});

const config = {
  dataset: 'gsm8k',
  n: 2,
  seed: 1,
  modelId: 'tiny-qwen2',
  gammas: [1, 0.5],
  maxNewTokens: 24,
  backend: 'wasm',
};
const savedRun = (sampleIds: string[], n = config.n) =>
  JSON.stringify({
    schema: 'tokenskip-benchmark/v1',
    config: { ...config, n },
    sampleIds,
    results: [],
    status: 'paused',
    startedAt: '2026-01-01T00:00:00.000Z',
    resumes: 0,
  });
const savedKeys = (page: Page) =>
  page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tokenskip-benchmark')));

test('"Resume here" on a run whose questions are not in the dataset names it and removes it', async ({
  page,
}) => {
  const errors = pageErrors(page);
  await page.evaluate(
    (value) => localStorage.setItem('tokenskip-benchmark-v1:foreign', value),
    savedRun(['no-such-question-1', 'no-such-question-2']),
  );
  await page.goto('/#/benchmark');
  await page.getByTestId('bench-take-over').click();
  const error = page.getByTestId('bench-error');
  await expect(error).toContainText(
    'The saved benchmark run cannot be resumed: question "no-such-question-1" is not in the gsm8k questions this app has. It was removed',
  );
  expect(await savedKeys(page)).toEqual([]);
  await page.reload();
  await expect(page.getByTestId('bench-other-run')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('a saved run with 50 questions for n = 3 is named as damaged, never resumed', async ({
  page,
}) => {
  await page.evaluate(
    (value) => localStorage.setItem('tokenskip-benchmark-v1:fifty', value),
    savedRun(
      Array.from({ length: 50 }, (_, i) => `q${i}`),
      3,
    ),
  );
  await page.goto('/#/benchmark');
  await expect(page.getByTestId('bench-error')).toContainText(
    'damaged (it lists 50 questions but its config asks for n = 3); it was removed',
  );
  await expect(page.getByTestId('bench-other-run')).toHaveCount(0);
  expect(await savedKeys(page)).toEqual([]);
});

test('with localStorage full the run goes on, is kept and published, and the page says what to free', async ({
  page,
}) => {
  const errors = pageErrors(page);
  // Every write of a benchmark run fails as a full quota does. (The app is already open at '/':
  // the hash navigation below keeps this document, so the override goes in here, not in an
  // init script.)
  await page.evaluate(() => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key: string, value: string) {
      if (key.startsWith('tokenskip-benchmark-v1:')) {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      setItem.call(this, key, value);
    };
  });
  const q = new URLSearchParams({
    dataset: 'gsm8k',
    n: '2',
    seed: '1',
    model: 'tiny-qwen2',
    gammas: '1,0.5',
    max_tokens: '8',
    backend: 'wasm',
    autostart: '1',
  });
  await page.goto(`/#/benchmark?${q}`);
  await expect(page.locator('#benchmark')).toHaveAttribute('data-state', 'done', { timeout: 0 });
  const warning = page.getByTestId('bench-storage');
  await expect(warning).toHaveAttribute('data-code', 'STORAGE_FULL');
  await expect(warning).toContainText("This site's browser storage is full");
  await expect(warning).toContainText('other saved benchmark run(s) use');
  const samples = await page.evaluate(() => window.__TOKENSKIP_RESULTS__?.samples.length);
  expect(samples).toBe(4);
  await expect(page.getByTestId('bench-error')).toHaveCount(0);
  expect(errors).toEqual([]);
});
