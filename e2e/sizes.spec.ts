/**
 * One figure per model: the Models page's size column (the files its backend loads, from the
 * registry) reads exactly what `tokenskip models ls --json` reports for that backend, formatted by
 * the one formatter both use (decimal kB/MB/GB).
 */
import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { formatBytes } from '../src/core/format-bytes.ts';

interface LsModel {
  id: string;
  backendBytes: Partial<Record<'webgpu' | 'wasm' | 'node', number>>;
}

test('the Models page and the CLI print the same size for every ONNX model', async ({ page }) => {
  const out = execFileSync('node', ['bin/tokenskip.mjs', 'models', 'ls', '--json'], {
    encoding: 'utf8',
  });
  const models = (JSON.parse(out) as { models: LsModel[] }).models.filter(
    (m) => m.backendBytes.wasm !== undefined,
  );
  expect(models.length).toBeGreaterThan(3);
  await page.goto('/#/models');
  await page.getByTestId('locale').selectOption('en');
  for (const m of models) {
    // Without WebGPU the page runs every ONNX model on WASM.
    await expect(page.getByTestId(`model-${m.id}`).getByTestId('size'), m.id).toHaveText(
      formatBytes(m.backendBytes.wasm!),
    );
  }
});
