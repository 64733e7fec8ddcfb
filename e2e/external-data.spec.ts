/**
 * A scorer whose weights live in ONNX external data (onnx/model.onnx + onnx/model.onnx_data, the
 * layout of the 2.24 GB XLM-R large export), served by the app over loopback and scored in Chromium
 * on WASM. The data streams into the Cache API and reaches ORT-web as a URL through its
 * `externalData` session option; the kept words equal those of the same weights in one file.
 */
import { expect, test, type Page } from '@playwright/test';

const cot =
  'Janet sells 16 - 3 - 4 = 9 duck eggs a day.\nShe makes 9 * 2 = $18 every day at the farmer’s market.';

async function compress(page: Page, model: string) {
  await page.goto(`/#/compress?model=${model}&backend=wasm&rate=0.5`);
  await page.getByTestId('cot').fill(cot);
  await page.getByTestId('compress').click();
  await expect(page.getByTestId('compress')).toHaveText('Compress');
  await expect(page.getByTestId('compressed')).toBeVisible();
  return {
    compressed: await page.getByTestId('compressed').textContent(),
    kept: await page.locator('[data-testid=heatmap] [data-kept="1"]').allTextContents(),
    integrity: await page.getByTestId('integrity').getAttribute('data-integrity'),
  };
}

test('scores with external data on WASM, streamed into the cache, same words as one file', async ({
  page,
}) => {
  const dataRequests: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/onnx/model.onnx_data')) dataRequests.push(r.url());
  });
  const external = await compress(page, 'tiny-lingua-mbert-extdata');
  const single = await compress(page, 'tiny-lingua-mbert');
  expect(external.compressed).toBe(single.compressed);
  expect(external.kept).toEqual(single.kept);
  expect(external.integrity).toBe('verified'); // the fixture's manifest has sha256
  // Downloaded once, by our cache (ORT read the cached copy through a blob: URL).
  expect(dataRequests).toHaveLength(1);
  const cached = await page.evaluate(async () => {
    const cache = await caches.open('tokenskip-models-v1');
    const hit = await cache.match(
      new URL('/models/fixtures/tiny-lingua-mbert-extdata/onnx/model.onnx_data', location.href),
    );
    return hit ? (await hit.arrayBuffer()).byteLength : -1;
  });
  expect(cached).toBe(409800);
  // A later load comes from the cache: no second download of the data.
  await page.reload();
  const again = await compress(page, 'tiny-lingua-mbert-extdata');
  expect(again.compressed).toBe(single.compressed);
  expect(dataRequests).toHaveLength(1);
});
