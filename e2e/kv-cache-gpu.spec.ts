/**
 * @webgpu-only: on WebGPU (SwiftShader) the ONNX engine keeps its KV cache in GPU buffers between
 * steps (`preferredOutputLocation: 'gpu-buffer'` for every `present.*`), and greedy decoding still
 * gives exactly the golden token ids of the tiny-qwen2 fixture (PyTorch, CPU), as the CPU path
 * does. Runs on the bench harness page (bench/browser/), served by its own Vite dev server.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { startHarness, type Harness } from '../bench/browser/server.ts';

interface Golden {
  prompt: string;
  max_new_tokens: number;
  output_ids: number[];
}
const golden = JSON.parse(
  readFileSync('models/fixtures/tiny-qwen2/golden.json', 'utf8'),
) as Golden[];
const EOS = 767;

let harness: Harness;
test.beforeAll(async () => {
  harness = await startHarness({ mounts: { model: 'models/fixtures/tiny-qwen2' } });
});
test.afterAll(async () => {
  await harness?.close();
});

test('@webgpu-only KV cache stays on the GPU and the token ids match the golden CPU ids', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await page.goto(harness.url);
  await page.waitForSelector('body[data-ready="1"]');
  type Api = import('../bench/browser/protocol.ts').HarnessApi;
  const where = await page.evaluate(() =>
    (globalThis as unknown as { harness: Api }).harness.kvLocation('/bench-mount/model/', true),
  );
  expect(where).toEqual(['gpu-buffer', 'gpu-buffer', 'gpu-buffer']);
  const report = await page.evaluate(
    (prompts) =>
      (globalThis as unknown as { harness: Api }).harness.generate({
        base: '/bench-mount/model/',
        backend: 'webgpu',
        threads: 1,
        kvCacheOnGpu: true,
        prompts,
        maxNewTokens: 48,
        ignoreEos: false,
        stop: ['<|im_end|>', '<|endoftext|>'],
        warmup: 0,
        repeats: 1,
      }),
    golden.map((g) => g.prompt),
  );
  expect(report.device).toBe('webgpu');
  expect(report.detail).toContain('KV cache on the GPU');
  for (const [i, g] of golden.entries()) {
    expect(report.runs[i]!.tokenIds, `prompt ${i}`).toEqual(
      g.output_ids.filter((id) => id !== EOS),
    );
  }
});
