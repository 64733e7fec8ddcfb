/**
 * WebGPU runs a model's fp16 graph where the adapter has `shader-f16` (half the bytes: XLM-R
 * large's 2.24 GB fp32 external data becomes 1.12 GB), else its fp32 graph; only the chosen
 * graph's external data is downloaded. tiny-lingua-mbert-extdata has both graphs.
 */
import { expect, test } from '@playwright/test';

const cot =
  'Janet sells 16 - 3 - 4 = 9 duck eggs a day.\nShe makes 9 * 2 = $18 every day at the farmer’s market.';

test('@webgpu-only WebGPU picks the fp16 graph exactly where the adapter has shader-f16', async ({
  page,
}) => {
  const data: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('.onnx_data')) data.push(r.url().split('/').pop()!);
  });
  await page.goto('/#/compress?model=tiny-lingua-mbert-extdata&backend=webgpu&rate=0.5');
  const shaderF16 = await page.evaluate(async () => {
    const gpu = (
      navigator as { gpu?: { requestAdapter(): Promise<{ features: Set<string> } | null> } }
    ).gpu;
    return (await gpu?.requestAdapter())?.features.has('shader-f16') ?? false;
  });
  await page.getByTestId('cot').fill(cot);
  await page.getByTestId('compress').click();
  await expect(page.getByTestId('compress')).toHaveText('Compress');
  await expect(page.getByTestId('compressed')).toBeVisible();
  await expect(page.getByTestId('backend')).toHaveText('WebGPU');
  await expect(page.getByTestId('dtype')).toHaveText(shaderF16 ? 'fp16' : 'fp32');
  expect(data).toEqual([shaderF16 ? 'model_fp16.onnx_data' : 'model.onnx_data']);
  expect(await page.locator('[data-testid=heatmap] [data-kept="1"]').count()).toBeGreaterThan(3);
});
