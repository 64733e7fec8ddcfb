/**
 * The Compress page in Debian Chromium with the fixture scorer: on WebGPU (SwiftShader) and on WASM
 * the same words are kept, and they match the CLI's onnxruntime-node result for the same text.
 */
import { expect, test, type Page } from '@playwright/test';
import { loadNodeScorer } from '../src/runtime/node/scorer-node.ts';
import { scoreLingua2, selectLingua2 } from '../src/core/compression/llmlingua2.ts';

const cot =
  'Janet sells 16 - 3 - 4 = 9 duck eggs a day.\nShe makes 9 * 2 = $18 every day at the farmer’s market.';

async function compressOn(page: Page, backend: 'webgpu' | 'wasm' | 'auto', rate = 0.5) {
  await page.getByTestId('backend-select').selectOption(backend);
  await page.getByTestId('cot').fill(cot);
  await page.getByTestId('compress').click();
  await expect(page.getByTestId('compress')).toHaveText('Compress');
  await expect(page.getByTestId('compressed')).toBeVisible();
  expect(rate).toBeGreaterThan(0);
  return {
    backend: await page.getByTestId('backend').textContent(),
    reason: await page.getByTestId('backend-reason').textContent(),
    compressed: await page.getByTestId('compressed').textContent(),
    kept: await page.locator('[data-testid=heatmap] [data-kept="1"]').allTextContents(),
  };
}

async function nodeResult(rate: number) {
  const scorer = await loadNodeScorer('tiny-lingua-xlmr');
  const [scored] = await scoreLingua2([cot], scorer.tokenizer, scorer.classifier);
  return selectLingua2(scored!, rate, scorer.tokenizer);
}

test('compresses on WebGPU and on WASM with the same kept words as Node @webgpu-only', async ({
  page,
}) => {
  await page.goto('/#/compress?model=tiny-lingua-xlmr&rate=0.5');
  const gpu = await compressOn(page, 'webgpu');
  expect(gpu.backend).toBe('WebGPU');
  expect(gpu.reason).toContain('WebGPU adapter found');
  const wasm = await compressOn(page, 'wasm');
  expect(wasm.backend).toBe('WASM');
  expect(wasm.reason).toMatch(/\d+ threads/); // COOP/COEP make the page cross-origin isolated
  expect(wasm.kept).toEqual(gpu.kept);
  expect(wasm.compressed).toBe(gpu.compressed);

  const expected = await nodeResult(0.5);
  expect(gpu.compressed).toBe(expected.compressed_prompt);
  expect(gpu.kept).toEqual(expected.word_labels.filter(([, k]) => k === 1).map(([w]) => w));
});

test('falls back to WASM, visibly, when there is no WebGPU', async ({ page }) => {
  await page.goto('/#/compress?model=tiny-lingua-xlmr');
  const run = await compressOn(page, 'webgpu');
  expect(run.backend).toBe('WASM');
  expect(run.reason).toMatch(/WebGPU requested but|no GPU adapter/);
  expect(run.compressed).toBe((await nodeResult(0.5)).compressed_prompt);
});

test('the γ slider re-thresholds without running the model again', async ({ page }) => {
  await page.goto(
    '/#/compress?model=tiny-lingua-mbert&backend=wasm&example=gsm8k-test:2&rate=0.3&run=1',
  );
  await expect(page.getByTestId('compressed')).toBeVisible();
  const scoreMs = await page.getByTestId('score-ms').textContent();
  const low = Number(await page.getByTestId('compressed-tokens').textContent());
  await page.getByTestId('gamma-slider').fill('0.9');
  await expect(page.getByTestId('gamma')).toHaveText('0.90');
  await expect
    .poll(async () => Number(await page.getByTestId('compressed-tokens').textContent()))
    .toBeGreaterThan(low);
  expect(await page.getByTestId('score-ms').textContent()).toBe(scoreMs);
  const achieved = Number(await page.getByTestId('achieved').textContent());
  expect(achieved).toBeGreaterThan(0.6);
  // Hover text carries the exact probability.
  await expect(page.locator('[data-testid=heatmap] .word').first()).toHaveAttribute(
    'title',
    /p\(keep\) = 0\.\d{4}/,
  );
});

test('bad input gets a clear message and the page keeps working', async ({ page }) => {
  await page.goto('/#/compress?model=tiny-lingua-xlmr&backend=wasm');
  await page.getByTestId('cot').fill('   ');
  await page.getByTestId('compress').click();
  await expect(page.getByTestId('error')).toContainText('empty or whitespace');

  // A hub model cannot be downloaded here: the error says so, and the fixture still runs after.
  await page
    .getByTestId('model')
    .selectOption('llmlingua-2-bert-base-multilingual-cased-meetingbank');
  await page.getByTestId('cot').fill(cot);
  await page.getByTestId('compress').click();
  await expect(page.getByTestId('error')).toContainText(/Could not download|failed: HTTP/);
  await page.getByTestId('model').selectOption('tiny-lingua-xlmr');
  await page.getByTestId('compress').click();
  await expect(page.getByTestId('compressed')).toBeVisible();
  await expect(page.getByTestId('error')).toHaveCount(0);
});

test('moving γ re-selects in the page: no message goes to the scorer worker', async ({ page }) => {
  // Count every message the page posts to a worker or a Comlink port.
  await page.addInitScript(() => {
    const counter = window as unknown as { workerMessages: number };
    counter.workerMessages = 0;
    for (const proto of [Worker.prototype, MessagePort.prototype]) {
      const post = proto.postMessage as (...args: unknown[]) => void;
      proto.postMessage = function (this: unknown, ...args: unknown[]) {
        counter.workerMessages++;
        post.apply(this, args);
      } as typeof proto.postMessage;
    }
  });
  await page.goto(
    '/#/compress?model=tiny-lingua-mbert&backend=wasm&example=gsm8k-test:2&rate=0.3&run=1',
  );
  await expect(page.getByTestId('compressed')).toBeVisible();
  await expect(page.getByTestId('compress')).toHaveText('Compress');
  const messages = () =>
    page.evaluate(() => (window as unknown as { workerMessages: number }).workerMessages);
  const afterScoring = await messages();
  expect(afterScoring).toBeGreaterThan(0); // load and score went to the worker
  const low = Number(await page.getByTestId('compressed-tokens').textContent());
  for (const gamma of ['0.9', '0.5', '0.7']) {
    await page.getByTestId('gamma-slider').fill(gamma);
    await expect(page.getByTestId('gamma')).toHaveText(Number(gamma).toFixed(2));
  }
  await expect
    .poll(async () => Number(await page.getByTestId('compressed-tokens').textContent()))
    .toBeGreaterThan(low);
  expect(await messages()).toBe(afterScoring);
});

test('a scorer worker that dies rejects the call in flight; the next run starts a fresh one', async ({
  page,
}) => {
  // Hold the model files until the worker has crashed, so the page's load call is surely in flight
  // (the page opens on the worked example and loads the scorer at once).
  let crashed!: () => void;
  const crash = new Promise<void>((resolve) => (crashed = resolve));
  await page.context().route('**/models/fixtures/tiny-lingua-xlmr/**', async (route) => {
    await crash;
    await route.continue().catch(() => undefined); // the dead worker may have dropped it
  });
  const worker = page.waitForEvent('worker');
  await page.goto('/#/compress?model=tiny-lingua-xlmr&backend=wasm');
  await expect(page.getByTestId('compress')).toHaveText('Loading model…');
  await (
    await worker
  ).evaluate(() => {
    setTimeout(() => {
      throw new Error('scorer crash test');
    });
  });
  await expect(page.getByTestId('error')).toContainText('The scorer worker stopped');
  await expect(page.getByTestId('compress')).toHaveText('Compress');
  await expect(page.getByTestId('compress')).toBeEnabled();
  crashed();
  await page.getByTestId('cot').fill(cot);
  await page.getByTestId('compress').click();
  await expect(page.getByTestId('compressed')).toBeVisible();
  await expect(page.getByTestId('error')).toHaveCount(0);
});
