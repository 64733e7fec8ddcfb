/**
 * 中文 everywhere: with 中文 chosen, every page (Learn, Compress, its CTS comparison view, Generate,
 * Benchmark, Models), each after a run where the page has one, shows no Latin-script UI string
 * except the names of models, datasets, methods and formats, and units. It reads every visible
 * text node and the visible `title`, `aria-label` and `placeholder` texts, skipping content that is
 * not UI: model output and the texts being compressed (`pre`, `textarea`, typeset math, elements
 * marked `translate="no"` such as file names and dataset questions).
 * On the `wasm` project only (the strings do not depend on the backend).
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

interface ManifestModel {
  id: string;
  label: string;
  zh?: { label?: string };
}
const manifest = JSON.parse(readFileSync('models/manifest.json', 'utf8')) as {
  models: ManifestModel[];
};
const latin = /[A-Za-z][A-Za-z0-9]*/g;
// Model names as the 中文 UI writes them: ids and the Latin words of their zh labels.
const modelWords = manifest.models.flatMap((m) =>
  [m.id, m.zh?.label ?? m.label].flatMap((s) => s.match(latin) ?? []),
);
const allowed = new Set(
  [
    ...modelWords,
    // Methods, datasets, formats and names as papers write them.
    ...['TokenSkip', 'LLMLingua', 'CTS', 'LoRA', 'TinyArith', 'GSM8K', 'MATH', 'MeetingBank'],
    ...['arXiv', 'Xia', 'Zhang', 'Qwen', 'WebGPU', 'WASM', 'WebLLM', 'ONNX', 'MLC', 'ORT'],
    ...['GPU', 'CPU', 'Jaccard', 'Spearman'],
    ...['JSON', 'JSONL', 'CSV', 'PNG', 'cividis', 'cl100k', 'sha256', 'eot', 'log', 'CoT'],
    // Number formats of model weights.
    ...['fp32', 'fp16', 'int8', 'q4f16', 'q4f32'],
    // Units.
    ...['kB', 'MB', 'GB', 'KiB', 'MiB', 'GiB'],
  ].map((w) => w.toLowerCase()),
);

/** Latin words on the page outside the allow-list, each with the text it was found in. */
async function latinStrings(page: Page): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const skip = 'pre, textarea, script, style, [translate="no"], .katex, svg';
    const out: string[] = [];
    const visible = (el: Element) =>
      el.closest('select') !== null || el.checkVisibility({ visibilityProperty: true });
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim();
      if (!el || !text || el.closest(skip) || !visible(el)) continue;
      out.push(text);
    }
    for (const el of document.body.querySelectorAll('[title], [aria-label], [placeholder]')) {
      if (el.closest(skip) || !visible(el)) continue;
      for (const a of ['title', 'aria-label', 'placeholder']) {
        const v = el.getAttribute(a);
        if (v) out.push(v);
      }
    }
    return out;
  });
  const found: string[] = [];
  for (const text of texts) {
    // Addresses, file names and placeholders in them are not words of the UI.
    const words = (
      text
        .replace(/https?:\/\/\S+/g, ' ')
        .replace(/\S*\/\S*/g, ' ')
        .replace(/[\w.-]+\.(?:json|jsonl|onnx|co)\b/g, ' ')
        .match(/[A-Za-z][A-Za-z0-9]*/g) ?? []
    ).filter((w) => w.length > 1 && !/^[A-Za-z]\d*$/.test(w) && !allowed.has(w.toLowerCase()));
    if (words.length > 0) found.push(`${words.join(' ')}  ←  ${text.slice(0, 120)}`);
  }
  return [...new Set(found)];
}

test.describe('中文 everywhere', () => {
  test.beforeEach(async ({ page }) => {
    // The Models page loads no model, so nothing is in flight when the test navigates on.
    await page.goto('/#/models');
    await page.evaluate(() => localStorage.clear());
    await page.getByTestId('locale').selectOption('zh');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-Hans');
  });

  test('Learn, after scoring and after asking the model', async ({ page }) => {
    test.slow();
    await page.goto('/#/learn?rate=0.6');
    await expect(page.getByTestId('learn-page')).toHaveAttribute('data-status', 'ready');
    await page.getByTestId('learn-ask').click();
    await expect(page.getByTestId('learn-run-compressed')).toHaveAttribute('data-answer', /.+/, {
      timeout: 120_000,
    });
    expect(await latinStrings(page)).toEqual([]);
  });

  test('Compress, and its CTS comparison view', async ({ page }) => {
    await page.goto('/#/compress?backend=wasm');
    await page.reload();
    await expect(page.getByTestId('compressed')).toBeVisible();
    expect(await latinStrings(page)).toEqual([]);
    await page.goto('/#/compress?scorer=cts&condition=both&compare=llmlingua2&rate=0.6&run=1');
    await page.reload();
    await expect(page.getByTestId('comparison')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('compressed')).toBeVisible();
    expect(await latinStrings(page)).toEqual([]);
  });

  test('Generate, after a side-by-side run', async ({ page }) => {
    test.slow();
    await page.goto('/#/generate?backend=wasm&gamma=0.6&example=canonical:zh&run=1');
    await expect(page.getByTestId('generate-page')).toHaveAttribute('data-status', 'done', {
      timeout: 150_000,
    });
    expect(await latinStrings(page)).toEqual([]);
  });

  test('Benchmark, after a run, with its outputs open; and Models', async ({ page }) => {
    test.slow();
    await page.goto(
      '/#/benchmark?dataset=arith&n=1&seed=1&gammas=1,0.6&max_tokens=96&backend=wasm&autostart=1',
    );
    await expect(page.locator('#benchmark')).toHaveAttribute('data-state', 'done', {
      timeout: 150_000,
    });
    await page.getByTestId('bench-outputs').locator('summary').click();
    await expect(page.getByTestId('bench-output').first()).toBeVisible();
    expect(await latinStrings(page)).toEqual([]);

    await page.goto('/#/models');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    expect(await latinStrings(page)).toEqual([]);
  });
});
