/**
 * The Benchmark page in Debian Chromium on the tiny-qwen2 fixture, driven the way an outside
 * script drives it (docs/automation.md): a URL starts the run, `#benchmark[data-state="done"]`
 * says it finished, and `window.__TOKENSKIP_RESULTS__` / `script#benchmark-results` hold the
 * results. Also: pause and resume, resume after a reload, cancel, and a bad γ list.
 * Each test runs in both projects (`webgpu`, `wasm`).
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { parseExamples } from '../src/core/datasets/examples.ts';
import { sampleIndices } from '../src/core/benchmark/plan.ts';
import type { BenchmarkResults } from '../src/core/benchmark/results.ts';

const backendFor = (name: string) => (name === 'webgpu' ? 'webgpu' : 'wasm');

function url(backend: string, extra: Record<string, string> = {}) {
  const q = new URLSearchParams({
    dataset: 'gsm8k',
    n: '2',
    seed: '1',
    model: 'tiny-qwen2',
    gammas: '1,0.5',
    max_tokens: '24',
    backend,
    autostart: '1',
    ...extra,
  });
  return `/#/benchmark?${q}`;
}

/** `timeout: 0` waits on the state alone (bounded by the test's timeout), for slow machines. */
async function readResults(page: Page, timeout?: number): Promise<BenchmarkResults> {
  await expect(page.locator('#benchmark')).toHaveAttribute('data-state', 'done', { timeout });
  const fromWindow = await page.evaluate(() => window.__TOKENSKIP_RESULTS__);
  const fromScript = JSON.parse(
    (await page.locator('script#benchmark-results').textContent()) ?? 'null',
  ) as BenchmarkResults;
  expect(fromScript).toEqual(fromWindow);
  return fromWindow!;
}

/** The saved-run entries in this browser's localStorage. */
const savedKeys = (page: Page) =>
  page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('tokenskip-benchmark')));

test.beforeEach(async ({ page }) => {
  // Each test starts from an empty store (a leftover run would be resumed on purpose otherwise).
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
});

test(
  'a URL-driven run publishes its results in the documented form',
  { tag: '@webgpu' },
  async ({ page }, info) => {
    const backend = backendFor(info.project.name);
    await page.goto(url(backend));
    const results = await readResults(page);
    expect(results.schema).toBe('tokenskip-benchmark/v1');
    expect(results.config).toMatchObject({
      dataset: 'gsm8k',
      n: 2,
      seed: 1,
      modelId: 'tiny-qwen2',
      gammas: [1, 0.5],
      maxNewTokens: 24,
    });
    expect(results.engine).toMatchObject({ kind: 'onnx', device: backend, modelId: 'tiny-qwen2' });
    // The same seed picks the same questions as in Node.
    const examples = parseExamples('gsm8k-test', readFileSync('data/gsm8k/test.jsonl', 'utf8'));
    expect(results.sampleIds).toEqual(
      sampleIndices(examples.length, 2, 1).map((i) => examples[i]!.id),
    );
    expect(results.samples).toHaveLength(4);
    for (const s of results.samples) {
      expect(s.completionTokens).toBeGreaterThan(0);
      expect(s.completionTokens).toBeLessThanOrEqual(25);
      expect(typeof s.correct).toBe('boolean');
      expect(s.cotTokens).toBeGreaterThan(0);
    }
    expect(results.runs.map((r) => r.gamma)).toEqual([1, 0.5]);
    const [full, half] = results.runs;
    expect(full!.original).toBe(true);
    expect(half!.baseline).toBe(full!.name);
    expect(half!.actualRatio).toBeCloseTo(half!.meanCotTokens! / full!.meanCotTokens!, 6);
    expect(half!.speedup).toBeGreaterThan(0);
    // Questions ran γ-interleaved; timing pairs them and checks speedup against the token counts.
    expect(results.samples.map((s) => s.gamma)).toEqual([1, 0.5, 0.5, 1]);
    expect(results.timing.map((t) => [t.gamma, t.pairs])).toEqual([
      [1, 2],
      [0.5, 2],
    ]);
    const t = results.timing[1]!;
    expect(t.speedupOverIdeal).toBeCloseTo(t.speedup! / t.tokenSpeedup!, 6);
    await expect(page.getByTestId('speedup-over-ideal')).toHaveCount(2);
    await expect(page.getByTestId('benchmark-table').locator('tbody tr')).toHaveCount(2);
    await expect(page.getByTestId('benchmark-chart')).toBeVisible();
    // The address bar names the run.
    expect(decodeURIComponent(page.url())).toContain('gammas=1,0.5');
    const download = page.waitForEvent('download');
    await page.getByTestId('download-csv').click();
    expect((await download).suggestedFilename()).toBe('tokenskip-benchmark.csv');
  },
);

test('the original model runs as its own row and every row is measured against it', async ({
  page,
}) => {
  // No baseline= in the URL: the registry's original model of mini-tokenskip, as in table.json.
  await page.goto(
    `/#/benchmark?${new URLSearchParams({ dataset: 'arith', n: '2', seed: '1', model: 'mini-tokenskip', gammas: '1,0.6', max_tokens: '128', backend: 'wasm', autostart: '1' })}`,
  );
  const results = await readResults(page, 0);
  expect(results.config.baseline).toBe('mini-base');
  expect(results.query).toContain('baseline=mini-base');
  expect(results.baselineEngine).toMatchObject({ modelId: 'mini-base', device: 'wasm' });
  expect(results.samples).toHaveLength(6);
  const baseSamples = results.samples.filter((s) => s.baseline);
  expect(baseSamples.map((s) => s.id).sort()).toEqual([...results.sampleIds].sort());
  // Interleaved: the baseline is one more slot of the per-question rotation.
  expect(results.samples.map((s) => (s.baseline ? 'base' : s.gamma))).toEqual([
    'base',
    1,
    0.6,
    1,
    0.6,
    'base',
  ]);
  const [original, full, compressed] = results.runs;
  expect(results.runs).toHaveLength(3);
  expect(original).toMatchObject({ method: 'Original', model: 'mini-base', original: true });
  expect(full).toMatchObject({ method: 'TokenSkip γ=1', gamma: 1, original: false });
  expect(compressed!.gamma).toBe(0.6);
  for (const r of results.runs) {
    expect(r.baseline).toBe(original!.name);
    expect(r.deltaAccPct).toBeCloseTo(r.accuracyPct - original!.accuracyPct, 9);
    expect(r.actualRatio).toBeCloseTo(r.meanCotTokens! / original!.meanCotTokens!, 9);
    expect(r.speedup).toBeCloseTo(original!.meanLatencyS! / r.meanLatencyS!, 9);
  }
  expect(results.timing.map((t) => [t.run, t.baseline, t.pairs])).toEqual([
    [original!.name, true, 2],
    [full!.name, false, 2],
    [compressed!.name, false, 2],
  ]);
  const rows = page.getByTestId('benchmark-table').locator('tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toHaveAttribute('data-baseline', 'true');
  await expect(rows.first()).toContainText('mini base');
  await expect(page.getByTestId('benchmark-table').locator('caption')).toContainText(
    'against the original model',
  );
  // The user's run replaced the reference run the page opened on.
  await expect(page.getByTestId('bench-reference-result')).toHaveCount(0);
});

test('opens on the committed reference run, the ⚠ explained in English and Chinese', async ({
  page,
}) => {
  const table = JSON.parse(readFileSync('models/mini/table.json', 'utf8')) as {
    rows: { method: string; gamma: number; speedup: number; actual_ratio: number }[];
  };
  await page.goto('/#/benchmark');
  const ref = page.getByTestId('bench-reference-result');
  await expect(ref).toBeVisible();
  await expect(ref.getByRole('heading')).toContainText('Reference run');
  const rows = ref.getByTestId('benchmark-table').locator('tbody tr');
  await expect(rows).toHaveCount(table.rows.length);
  await expect(rows.first()).toHaveAttribute('data-baseline', 'true');
  await expect(ref.getByTestId('benchmark-chart')).toBeVisible();
  // The committed speedups are checked like a browser run's: rows more than 25% from their ideal
  // 1 / ratio get the ⚠, and each ⚠ points at the note that says what it means.
  const unfair = table.rows.map(
    (r) => Math.abs(Math.log(r.speedup * r.actual_ratio)) >= Math.log(1.25),
  );
  expect(unfair.some(Boolean)).toBe(true);
  const cells = ref.getByTestId('speedup-over-ideal');
  for (const [i, flagged] of unfair.entries()) {
    if (flagged) {
      await expect(cells.nth(i)).toContainText('⚠');
      await expect(cells.nth(i)).toHaveAttribute('aria-describedby', 'bench-unfair-note');
    } else await expect(cells.nth(i)).not.toContainText('⚠');
  }
  const note = page.locator('#bench-unfair-note');
  await expect(note).toBeVisible();
  await expect(note).toContainText('not timed alike');
  await page.getByTestId('locale').selectOption('zh');
  await expect(note).toContainText('不要相信这一行的加速');
  await expect(ref.getByRole('heading')).toContainText('参考运行');
});

test('a paused run survives a reload and resumes where it stopped', async ({ page }, info) => {
  // Every wait below is on a state the page shows, never on a clock: WebGPU on SwiftShader on a
  // loaded machine takes minutes where WASM takes seconds, so only the test's own limit bounds it.
  test.setTimeout(600_000);
  // Enough samples that Pause lands before the last one finishes, even on a fast machine.
  await page.goto(url(backendFor(info.project.name), { n: '6', max_tokens: '40' }));
  const section = page.locator('#benchmark');
  await expect(section).toHaveAttribute('data-progress', /^([1-9]|10)\/12$/, { timeout: 0 });
  await page.getByTestId('bench-pause').click();
  await expect(section).toHaveAttribute('data-state', 'paused', { timeout: 0 });
  const done = Number((await section.getAttribute('data-progress'))!.split('/')[0]);
  // The address bar now names the run without autostart: a reload shows the saved run, paused.
  await page.reload();
  await expect(page.getByTestId('bench-saved')).toContainText(`${done} samples done`);
  await expect(section).toHaveAttribute('data-state', 'idle');
  await page.getByTestId('bench-resume').click();
  const results = await readResults(page, 0);
  expect(results.resumes).toBe(1);
  expect(results.samples).toHaveLength(12);
  expect(new Set(results.samples.map((s) => `${s.gamma}|${s.id}`)).size).toBe(12);
});

test('cancel stops the run and forgets it; a bad γ list is refused', async ({ page }, info) => {
  await page.goto(url(backendFor(info.project.name), { n: '5', max_tokens: '64' }));
  const section = page.locator('#benchmark');
  await expect(section).toHaveAttribute('data-state', /running/);
  await page.getByTestId('bench-cancel').click();
  await expect(section).toHaveAttribute('data-state', 'cancelled');
  expect(await savedKeys(page)).toEqual([]);
  expect(await page.evaluate(() => window.__TOKENSKIP_RESULTS__)).toBeUndefined();

  await page.goto(url('wasm', { gammas: '1,1.5' }));
  await page.reload();
  await expect(page.getByTestId('bench-error')).toHaveAttribute('data-code', 'INVALID_ARGUMENT');
  await expect(page.getByTestId('bench-error')).toContainText('(0, 1]');
  await expect(section).toHaveAttribute('data-state', 'idle');
});

test('two tabs keep their own runs, and each lists the other unfinished one', async ({
  context,
}, info) => {
  const backend = backendFor(info.project.name);
  // Tab A starts a run (seed 1) and pauses it part-way.
  const a = await context.newPage();
  await a.goto(url(backend, { n: '6', max_tokens: '40' }));
  const sectionA = a.locator('#benchmark');
  await expect(sectionA).toHaveAttribute('data-progress', /^([1-9]|10)\/12$/);
  await a.getByTestId('bench-pause').click();
  await expect(sectionA).toHaveAttribute('data-state', 'paused');
  const doneA = Number((await sectionA.getAttribute('data-progress'))!.split('/')[0]);
  // Tab B, same browser (same localStorage): another run (seed 2), to the end.
  const b = await context.newPage();
  await b.goto(url(backend, { seed: '2' }));
  const resultsB = await readResults(b);
  expect(resultsB.config.seed).toBe(2);
  // B finished (nothing of its own to resume) and lists A's paused run.
  await b.reload();
  await expect(b.getByTestId('bench-saved')).toHaveCount(0);
  await expect(b.getByTestId('bench-other-run')).toHaveCount(1);
  await expect(b.getByTestId('bench-other-run')).toContainText(`${doneA} of 12 samples`);
  // A's run was not overwritten by B: a reload of A shows it, and resuming finishes seed 1.
  await a.reload();
  await expect(a.getByTestId('bench-saved')).toContainText(`${doneA} samples done`);
  await expect(a.getByTestId('bench-other-run')).toHaveCount(0);
  await a.getByTestId('bench-resume').click();
  const resultsA = await readResults(a);
  expect(resultsA.config.seed).toBe(1);
  expect(resultsA.resumes).toBe(1);
  expect(new Set(resultsA.samples.map((s) => `${s.gamma}|${s.id}`)).size).toBe(12);
  expect(resultsA.sampleIds).not.toEqual(resultsB.sampleIds);
  // Finished runs leave nothing behind to resume.
  expect(await savedKeys(a)).toEqual([]);
});

test('a run left by a closed tab is taken over from the list', async ({ context }, info) => {
  const backend = backendFor(info.project.name);
  const a = await context.newPage();
  await a.goto(url(backend, { n: '6', max_tokens: '40' }));
  await expect(a.locator('#benchmark')).toHaveAttribute('data-progress', /^([1-9]|10)\/12$/);
  await a.getByTestId('bench-pause').click();
  await expect(a.locator('#benchmark')).toHaveAttribute('data-state', 'paused');
  await a.close();
  const b = await context.newPage();
  await b.goto('/#/benchmark');
  await b.getByTestId('bench-take-over').click();
  const results = await readResults(b);
  expect(results.config).toMatchObject({ seed: 1, n: 6 });
  expect(results.resumes).toBe(1);
  expect(results.samples).toHaveLength(12);
  expect(await savedKeys(b)).toEqual([]);
});

test('a damaged saved run is named and removed, never run', async ({ page }) => {
  await page.evaluate(() => {
    const config = {
      dataset: 'gsm8k',
      n: 2,
      seed: 1,
      modelId: 'tiny-qwen2',
      gammas: [1, 0.5],
      maxNewTokens: 24,
      backend: 'wasm',
    };
    localStorage.setItem(
      'tokenskip-benchmark-v1:damaged',
      JSON.stringify({
        schema: 'tokenskip-benchmark/v1',
        config,
        sampleIds: 'not a list',
        results: [],
        status: 'running',
        startedAt: '2026-01-01T00:00:00.000Z',
        resumes: 0,
      }),
    );
    sessionStorage.setItem('tokenskip-benchmark-run', 'damaged');
  });
  // Opening the page reads the saved run once (and removes it): no reload after this.
  await page.goto('/#/benchmark');
  const error = page.getByTestId('bench-error');
  await expect(error).toHaveAttribute('data-code', 'INVALID_ARGUMENT');
  await expect(error).toContainText(
    "A saved benchmark run in this browser's storage is damaged (sampleIds is not a list of question ids); it was removed.",
  );
  await expect(error).not.toContainText('is not a function');
  await expect(page.locator('#benchmark')).toHaveAttribute('data-state', 'idle');
  expect(await savedKeys(page)).toEqual([]);
});
