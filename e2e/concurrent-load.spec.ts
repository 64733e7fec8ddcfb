/**
 * Two loads of one model file at once (two tabs, or the Learn and Compress pages' scorer workers)
 * share the origin's model cache and its kept-chunk store. Before the per-file download lock
 * (runtime/hub/web/resumable-download.ts `withDownloadLock`) both fetched the file and wrote the
 * same numbered chunks, and one could cache the other's half-written file (a 6.8 MB scorer seen
 * cached as its first 6 MiB). Now the second waits, finds the checked copy and fetches nothing.
 */
import { expect, test, type Page } from '@playwright/test';

const cot = 'Tom has 3 apples and buys 2 more, so he has 3 + 2 = 5 apples.';

/**
 * Scores `cot` on a page that opened scoring its worked example (the two tabs' concurrent loads).
 * The Compress button waits for that first run; its result stays on screen until this one's
 * replaces it, so done means the compressed text is made of `cot`'s words (reading it earlier
 * raced the second run: a CI failure).
 */
async function compress(page: Page) {
  await page.getByTestId('cot').fill(cot);
  await page.getByTestId('compress').click();
  await expect
    .poll(async () => {
      const words = ((await page.getByTestId('compressed').textContent()) ?? '').split(/\s+/);
      return words.some(Boolean) && words.every((w) => cot.includes(w));
    })
    .toBe(true);
}

test('two tabs load the same scorer at once: one download, both score', async ({ context }) => {
  const graphRequests: string[] = [];
  // Each graph request waits 3 s before it reaches the server, so both tabs are loading at once.
  await context.route('**/models/mini/scorer/onnx/model.onnx', async (route) => {
    graphRequests.push(route.request().url());
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await route.continue();
  });
  const [a, b] = [await context.newPage(), await context.newPage()];
  await a.goto('/#/compress?model=mini-scorer&rate=0.5');
  await b.goto('/#/compress?model=mini-scorer&rate=0.5');
  await Promise.all([compress(a), compress(b)]);
  for (const page of [a, b]) {
    await expect(page.getByTestId('compressed')).toBeVisible();
    await expect(page.getByTestId('compressed')).toContainText('5');
    await expect(page.getByRole('alert')).toHaveCount(0);
  }
  expect(await a.getByTestId('compressed').textContent()).toBe(
    await b.getByTestId('compressed').textContent(),
  );
  expect(graphRequests).toHaveLength(1);
});
