/**
 * CTS and perplexity on the Compress page with the tiny causal fixture, in Debian Chromium: on
 * WebGPU (SwiftShader, the `webgpu` project) and on WASM (the `wasm` project) the page keeps what
 * onnxruntime-node keeps for the same CoT; the comparison view lines two scorers up word by word.
 */
import { expect, test, type Page } from '@playwright/test';
import { selectScored } from '../src/core/scoring/select.ts';
import { loadNodeCausalScorer } from '../src/runtime/node/causal-scorer-node.ts';

const ref = 'models/fixtures/tiny-qwen2';
const question =
  'Janet’s ducks lay 16 eggs per day. She eats three for breakfast and bakes muffins with four. She sells the rest for $2 each. How much does she make every day?';
const cot =
  'Janet sells 16 - 3 - 4 = 9 duck eggs a day.\nShe makes 9 * 2 = $18 every day at the farmer’s market.';

async function nodeCompressed(scorer: 'cts' | 'ppl', rate: number): Promise<string> {
  const s = await loadNodeCausalScorer(ref, { scorer, threads: 1 });
  const result = selectScored(await s.score({ cot, question }), rate);
  await s.reference.session.release();
  return result.compressed_prompt;
}

async function compress(page: Page): Promise<void> {
  await page.getByTestId('compress').click();
  await expect(page.getByTestId('compress')).toHaveText('Compress');
}

test(
  'CTS on the Compress page keeps what onnxruntime-node keeps',
  { tag: '@webgpu' },
  async ({ page }, info) => {
    const backend = info.project.name === 'webgpu' ? 'webgpu' : 'wasm';
    await page.goto(`/#/compress?scorer=cts&condition=question&ref=tiny-qwen2&rate=0.6`);
    await page.getByTestId('backend-select').selectOption(backend);
    await page.getByTestId('question').fill(question);
    await page.getByTestId('cot').fill(cot);
    await compress(page);
    await expect(page.getByTestId('compressed')).toBeVisible();
    await expect(page.getByTestId('backend')).toHaveText(backend === 'webgpu' ? 'WebGPU' : 'WASM');

    const compressed = await page.getByTestId('compressed').textContent();
    expect(compressed).toBe(await nodeCompressed('cts', 0.6));
    // Word heat map: every word of the CoT, some kept, some dropped, tooltips carry the CTS score.
    const words = page.locator('[data-testid=causal-heatmap] .word');
    await expect(words).toHaveCount(cot.split(/\s+/).length);
    await expect(words.first()).toHaveAttribute('title', /log p\(x \| condition, x<\) − log p/);
    expect(
      await page.locator('[data-testid=causal-heatmap] [data-state=dropped]').count(),
    ).toBeGreaterThan(0);

    // The slider re-thresholds without scoring again.
    const scoreMs = await page.getByTestId('score-ms').textContent();
    const before = Number(await page.getByTestId('compressed-tokens').textContent());
    await page.getByTestId('gamma-slider').fill('0.9');
    await expect(page.getByTestId('gamma')).toHaveText('0.90');
    await expect
      .poll(async () => Number(await page.getByTestId('compressed-tokens').textContent()))
      .toBeGreaterThan(before);
    expect(await page.getByTestId('score-ms').textContent()).toBe(scoreMs);
  },
);

// One backend is enough for the view itself: runs in the wasm project only.
test('comparison view: CTS vs perplexity and CTS vs LLMLingua-2 on the same CoT', async ({
  page,
}) => {
  await page.goto(
    `/#/compress?scorer=cts&condition=question&compare=ppl&ref=tiny-qwen2&backend=wasm`,
  );
  await page.getByTestId('question').fill(question);
  await page.getByTestId('cot').fill(cot);
  await compress(page);
  const view = page.getByTestId('comparison');
  await expect(view).toBeVisible();
  await expect(
    page.getByRole('heading', { name: 'Comparison: CTS | question vs Perplexity' }),
  ).toBeVisible();

  const num = async (id: string) => Number(await page.getByTestId(id).textContent());
  const [keptA, keptB, both] = [await num('kept-a'), await num('kept-b'), await num('kept-both')];
  expect(both).toBeLessThanOrEqual(Math.min(keptA, keptB));
  const words = view.getByTestId('cmp-word');
  await expect(words).toHaveCount(cot.split(/\s+/).length);
  // Outlined words are exactly those kept by one scorer only.
  const onlyA = await view.getByTestId('only-a').locator('h4').textContent();
  const onlyB = await view.getByTestId('only-b').locator('h4').textContent();
  const disagreements = Number(/\((\d+)\)/.exec(onlyA!)![1]) + Number(/\((\d+)\)/.exec(onlyB!)![1]);
  await expect(view.locator('.word.disagree')).toHaveCount(disagreements);
  expect(keptA - both + (keptB - both)).toBe(disagreements);
  expect(disagreements).toBeGreaterThan(0);

  // Against LLMLingua-2 (its own worker and model), same CoT, both heat maps on one row.
  await page.getByTestId('compare').selectOption('llmlingua2');
  await compress(page);
  await expect(
    page.getByRole('heading', { name: 'Comparison: CTS | question vs LLMLingua-2' }),
  ).toBeVisible();
  await expect(view.getByTestId('cmp-word')).toHaveCount(cot.split(/\s+/).length);
  const jaccard = await page.getByTestId('jaccard').textContent();
  expect(jaccard).toMatch(/^\d+\.\d%$/);
});

// Input checks do not depend on the backend: runs in the wasm project only.
test('bad input: CTS conditioned on a missing answer says what to do', async ({ page }) => {
  await page.goto(`/#/compress?scorer=cts&condition=answer&ref=tiny-qwen2&backend=wasm`);
  await page.getByTestId('answer').fill(''); // the page opens on the worked example, answer and all
  await page.getByTestId('cot').fill(cot);
  await compress(page);
  await expect(page.getByTestId('error')).toContainText(
    "CTS with condition 'answer' needs the answer, but it is empty",
  );
  await page.getByTestId('answer').fill('18');
  await compress(page);
  await expect(page.getByTestId('compressed')).toBeVisible();
});
