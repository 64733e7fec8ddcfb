/**
 * The shipped TokenSkip-mini model reproduces its committed table in the browser: the documented
 * URL benchmark on 50 held-out TinyArith problems at γ = 1 and γ = 0.6 (WASM) gives exactly the
 * outputs onnxruntime-node gives for the same prompts, and accuracy and mean CoT tokens close to
 * models/mini/table.json (measured by `tokenskip eval` on 500 problems) for the sample's mix of
 * English and Chinese problems. The webgpu project does not run it (only @webgpu specs): on
 * SwiftShader even 2 problems take 3 minutes (about 2 tokens/s); the same ONNX engine is checked on
 * WebGPU token for token against onnxruntime-node by generate.spec.ts and kv-cache-gpu.spec.ts. To
 * run it there (2 problems), tag it `{ tag: '@webgpu' }`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { parseExamples } from '../src/core/datasets/examples.ts';
import { sampleIndices } from '../src/core/benchmark/plan.ts';
import type { BenchmarkResults } from '../src/core/benchmark/results.ts';
import { buildPrompt } from '../src/core/prompts/index.ts';
import { PROMPT_FORMATS } from '../src/core/prompts/formats.ts';
import { createNodeOnnxEngine } from '../src/runtime/node/onnx-engine-node.ts';
import type { MiniTable } from '../src/core/eval/reference-table.ts';

const root = path.resolve(import.meta.dirname, '..');
const table = JSON.parse(
  readFileSync(path.join(root, 'models/mini/table.json'), 'utf8'),
) as MiniTable;
const GAMMAS = [1, 0.6];
const sampleSize = (project: string) => (project === 'webgpu' ? 2 : 50);

/** onnxruntime-node's greedy outputs for the same sample, computed once per sample and worker. */
const nodeOutputs = new Map<string, Promise<Map<string, string>>>();
function referenceOutputs(ids: string[]): Promise<Map<string, string>> {
  const key = ids.join(',');
  const known = nodeOutputs.get(key);
  if (known) return known;
  const computed = (async () => {
    const examples = parseExamples(
      'arith-test',
      readFileSync(path.join(root, 'data/arith/test.jsonl'), 'utf8'),
    );
    const byId = new Map(examples.map((e) => [e.id, e]));
    const engine = createNodeOnnxEngine(path.join(root, 'models/mini/tokenskip'));
    await engine.load();
    const out = new Map<string, string>();
    for (const gamma of GAMMAS) {
      for (const id of ids) {
        const prompt = buildPrompt('qwen2.5-instruct', byId.get(id)!.question, gamma);
        const r = await engine.generate(prompt, {
          maxNewTokens: 256,
          stop: PROMPT_FORMATS['qwen2.5-instruct'].stop,
        });
        out.set(`${gamma}:${id}`, r.text);
      }
    }
    await engine.unload();
    return out;
  })();
  nodeOutputs.set(key, computed);
  return computed;
}

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
});

test('the mini model reproduces its committed table and onnxruntime-node', async ({
  page,
}, info) => {
  test.setTimeout(900_000);
  const backend = info.project.name === 'webgpu' ? 'webgpu' : 'wasm';
  const N = sampleSize(info.project.name);
  const q = new URLSearchParams({
    dataset: 'arith',
    n: String(N),
    seed: '1',
    model: 'mini-tokenskip',
    // The TokenSkip model's own outputs against Node and its table; the base model's row (the
    // page's default baseline) is checked by e2e/benchmark.spec.ts.
    baseline: 'none',
    gammas: GAMMAS.join(','),
    backend,
    autostart: '1',
  });
  await page.goto(`/#/benchmark?${q}`);
  await expect(page.locator('#benchmark')).toHaveAttribute('data-state', 'done', {
    timeout: 840_000,
  });
  const results = (await page.evaluate(() => window.__TOKENSKIP_RESULTS__)) as BenchmarkResults;
  expect(results.engine).toMatchObject({ kind: 'onnx', device: backend });

  const expectedIds = sampleIndices(1000, N, 1).map((i) => `arith-test-${i}`);
  expect(results.sampleIds).toEqual(expectedIds);
  const reference = await referenceOutputs(results.sampleIds);
  for (const s of results.samples) {
    expect(s.output, `γ=${s.gamma} ${s.id}`).toBe(reference.get(`${s.gamma}:${s.id}`));
  }

  if (N < 50) return; // too few problems to compare with the table; the outputs above are checked
  // The table has a row per language (English and Chinese differ a lot on this model): expect what
  // this sample's language mix would give, within 2.5 binomial standard deviations (at least 5
  // points) for accuracy and 10% for the mean CoT length.
  const lines = readFileSync(path.join(root, 'data/arith/test.jsonl'), 'utf8').trim().split('\n');
  const language = new Map(
    lines
      .map((l) => JSON.parse(l) as { id: string; language?: string })
      .map((x) => [x.id, x.language ?? 'en']),
  );
  const share = (l: string) =>
    results.sampleIds.filter((id) => language.get(id) === l).length / results.sampleIds.length;
  for (const gamma of GAMMAS) {
    const run = results.runs.find((r) => r.gamma === gamma)!;
    const rows = Object.entries(table.by_language ?? {}).map(([l, rs]) => ({
      share: share(l),
      row: rs.find((r) => r.method === 'TokenSkip' && r.gamma === gamma)!,
    }));
    const accuracy = rows.reduce((a, x) => a + x.share * x.row.accuracy, 0);
    const tokens = rows.reduce((a, x) => a + x.share * x.row.cot_tokens, 0);
    const sd = Math.sqrt((accuracy * (1 - accuracy)) / N);
    expect(
      Math.abs(run.accuracyPct - 100 * accuracy),
      `accuracy at γ=${gamma}: ${run.accuracyPct} vs ${100 * accuracy} expected for this mix`,
    ).toBeLessThanOrEqual(Math.max(5, 250 * sd));
    expect(
      Math.abs((run.meanCotTokens ?? 0) / tokens - 1),
      `mean CoT tokens at γ=${gamma}: ${run.meanCotTokens} vs ${tokens}`,
    ).toBeLessThanOrEqual(0.1);
  }
});
