/**
 * The Generate page in Debian Chromium on the tiny-qwen2 fixture: on WebGPU (SwiftShader) and on
 * WASM it streams the same greedy text as the Node ONNX engine, side by side γ = 1 vs γ < 1 with
 * the saving, ideal speedup and alignment (a measured speedup of one question is not shown, and
 * the page says why); it opens on the committed reference run; bad input is refused, a model that
 * cannot load offers the other engine, and Stop ends a stream early. Each test runs in both
 * projects (`webgpu`, `wasm`).
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import type { GenerateReference } from '../src/core/generation/reference-run.ts';
import { buildPrompt } from '../src/core/prompts/index.ts';
import { createNodeOnnxEngine } from '../src/runtime/node/onnx-engine-node.ts';

const QUESTION =
  'Janet’s ducks lay 16 eggs per day. She eats three for breakfast every morning. How much does she make every day?';

function backendFor(projectName: string): 'webgpu' | 'wasm' {
  return projectName === 'webgpu' ? 'webgpu' : 'wasm';
}

async function nodeText(gamma: number, maxNewTokens: number): Promise<string> {
  const engine = createNodeOnnxEngine('models/fixtures/tiny-qwen2');
  await engine.load();
  const r = await engine.generate(buildPrompt('qwen2.5-instruct', QUESTION, gamma), {
    maxNewTokens,
    stop: ['<|im_end|>', '<|endoftext|>'],
  });
  await engine.unload();
  return r.text;
}

async function open(page: Page, query: string) {
  await page.goto(`/#/generate?${query}`);
  await expect(page.getByTestId('generate-page')).toBeVisible();
}

test(
  'streams γ = 1 and γ = 0.5 side by side, same text as Node',
  { tag: '@webgpu' },
  async ({ page }, info) => {
    const backend = backendFor(info.project.name);
    await open(page, `model=tiny-qwen2&backend=${backend}&gamma=0.5&max_tokens=40`);
    await page.getByTestId('question').fill(QUESTION);
    await page.getByTestId('generate').click();
    await expect(page.getByTestId('generate-page')).toHaveAttribute('data-status', 'done');
    await expect(page.getByTestId('engine-info')).toContainText(`onnx on ${backend}`);
    const full = page.getByTestId('run-full');
    const compressed = page.getByTestId('run-compressed');
    expect(await full.getByTestId('output').textContent()).toBe(await nodeText(1, 40));
    expect(await compressed.getByTestId('output').textContent()).toBe(await nodeText(0.5, 40));
    await expect(full.getByTestId('ttft')).toContainText('ms');
    await expect(compressed.getByTestId('decode-tps')).toContainText('tok/s');
    await expect(page.getByTestId('token-saving')).toContainText('%');
    // One timed run per γ is no speedup: the ideal one (1 / ratio) and why, with the way to measure.
    await expect(page.getByTestId('ideal-speedup')).toContainText('×');
    await expect(page.getByTestId('speedup')).toHaveCount(0);
    await expect(page.getByTestId('no-speedup')).toContainText(
      'No measured speedup from one question',
    );
    await expect(page.getByTestId('benchmark-link')).toHaveAttribute(
      'href',
      /^#\/benchmark\?model=tiny-qwen2&gammas=1%2C0\.5$/,
    );
    // The engine ran an untimed warm-up before the first timed run.
    await expect(page.getByTestId('generate-page')).toHaveAttribute('data-warmed', 'true');
    await expect(page.getByTestId('alignment')).toContainText('words shared');
  },
);

test('opens on the committed reference run, which the user’s run replaces', async ({ page }) => {
  test.slow();
  const reference = JSON.parse(
    readFileSync('data/reference/generate-mini.json', 'utf8'),
  ) as GenerateReference;
  await open(page, 'backend=wasm');
  const section = page.getByTestId('generate-page');
  await expect(page.getByTestId('generate-reference')).toContainText('Reference run');
  await expect(section).toHaveAttribute('data-reference', 'true');
  await expect(section).toHaveAttribute('data-status', 'idle');
  const [full, compressed] = reference.languages.en.runs;
  await expect(page.getByTestId('run-full').getByTestId('output')).toHaveText(full!.text);
  await expect(page.getByTestId('run-compressed').getByTestId('output')).toHaveText(
    compressed!.text,
  );
  await expect(page.getByTestId('token-saving')).toContainText('%');
  await expect(page.getByTestId('no-speedup')).toBeVisible();
  // Other settings: the reference is not theirs, so it goes; back to the defaults, it is back.
  await page.getByTestId('gamma').fill('0.5');
  await expect(page.getByTestId('generate-reference')).toHaveCount(0);
  await expect(page.getByTestId('run-full')).toHaveCount(0);
  await page.getByTestId('gamma').fill('0.6');
  await expect(page.getByTestId('generate-reference')).toBeVisible();
  // In 中文 the worked example is the Chinese one, and so is its reference run.
  await page.getByTestId('locale').selectOption('zh');
  await page.reload();
  await expect(page.getByTestId('generate-reference')).toContainText('参考运行');
  await expect(page.getByTestId('run-full').getByTestId('output')).toHaveText(
    reference.languages.zh.runs[0]!.text,
  );
  await page.getByTestId('locale').selectOption('en');
  await page.reload();
  // Generating replaces it with the browser's own run: greedy, so the same text as in Node.
  await page.getByTestId('generate').click();
  await expect(page.getByTestId('generate-reference')).toHaveCount(0);
  await expect(section).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  await expect(section).not.toHaveAttribute('data-reference', 'true');
  await expect(page.getByTestId('run-full').getByTestId('output')).toHaveText(full!.text);
  await expect(page.getByTestId('run-compressed').getByTestId('output')).toHaveText(
    compressed!.text,
  );
});

test('refuses an empty question and γ outside (0, 1] without loading anything', async ({
  page,
}) => {
  await open(page, 'model=tiny-qwen2&backend=wasm');
  await page.getByTestId('question').fill('   ');
  await page.getByTestId('generate').click();
  await expect(page.getByTestId('error')).toHaveAttribute('data-code', 'EMPTY_INPUT');
  await page.getByTestId('question').fill(QUESTION);
  for (const bad of ['1.5', '0', 'abc']) {
    await page.getByTestId('gamma').fill(bad);
    await page.getByTestId('generate').click();
    await expect(page.getByTestId('error')).toHaveAttribute('data-code', 'INVALID_ARGUMENT');
    await expect(page.getByTestId('error')).toContainText('(0, 1]');
  }
  await expect(page.getByTestId('engine-info')).toHaveCount(0);
  // The page still works once the input is fixed.
  await page.getByTestId('gamma').fill('0.6');
  await page.getByTestId('max-tokens').fill('8');
  await page.getByTestId('generate').click();
  await expect(page.getByTestId('generate-page')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('error')).toHaveCount(0);
});

test('a WebLLM model that cannot load offers the ONNX engine; the page keeps working', async ({
  page,
}, info) => {
  await open(
    page,
    `model=Qwen2.5-0.5B-Instruct-q4f32_1-MLC&backend=${backendFor(info.project.name)}&max_tokens=8`,
  );
  await page.getByTestId('question').fill(QUESTION);
  await page.getByTestId('generate').click();
  const error = page.getByTestId('error');
  // No WebGPU (wasm project), or no network for the weights (webgpu project).
  await expect(error).toHaveAttribute(
    'data-code',
    /BACKEND_UNAVAILABLE|DOWNLOAD_FAILED|MODEL_LOAD_FAILED/,
  );
  const alt = page.getByTestId('alternative').first();
  await expect(alt).toContainText('ONNX');
  await alt.click();
  await expect(page.getByTestId('model')).toHaveValue('Qwen2.5-0.5B-Instruct-onnx');
  await page.getByTestId('model').selectOption('tiny-qwen2');
  await page.getByTestId('generate').click();
  await expect(page.getByTestId('generate-page')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('run-full').getByTestId('output')).not.toBeEmpty();
});

test('Stop ends the stream early and keeps the partial text', async ({ page }, info) => {
  await open(
    page,
    `model=tiny-qwen2&backend=${backendFor(info.project.name)}&gamma=1&max_tokens=511&side=0`,
  );
  // A question the fixture answers at length (it never emits EOS within its 511-token budget).
  await page
    .getByTestId('question')
    .fill(
      'A robe takes 2 bolts of blue fiber and half that much white fiber. How many bolts in total does it take?',
    );
  await page.getByTestId('generate').click();
  const output = page.getByTestId('output');
  await expect(output).not.toBeEmpty();
  await page.getByTestId('stop').click();
  await expect(page.getByTestId('generate-page')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('generation-stats')).toHaveAttribute(
    'data-finish',
    /cancelled|stop/,
  );
  const tokens = Number(await page.getByTestId('completion-tokens').textContent());
  expect(tokens).toBeLessThan(511);
});

test('in 中文 the model picker and the model notes are in Chinese, and follow a switch back to English', async ({
  page,
}) => {
  await page.addInitScript(() => localStorage.setItem('tokenskip.locale', 'zh'));
  await page.goto('/#/generate');
  await expect(page.getByTestId('generate-page')).toBeVisible();
  const picked = page.getByTestId('model').locator('option:checked');
  const note = page.locator('[data-testid=generate-page] p.note').first();
  await expect(picked).toHaveText('TokenSkip-mini（ONNX，本项目训练）');
  await expect(note).toHaveAttribute('lang', 'zh-Hans');
  await expect(note).toContainText('190 万参数');
  await page.getByTestId('locale').selectOption('en');
  await expect(picked).toHaveText('TokenSkip-mini (ONNX, trained by this project)');
  await expect(note).toHaveAttribute('lang', 'en');
  await expect(note).toContainText('1.9M-parameter');
});
