/**
 * `npm run bench:compress`: LLMLingua-2 pipeline costs on a BERT-base-sized token classifier
 * (12 layers, hidden 768; generated here by scripts/make_scorer_fixtures.py --size base, not committed).
 *
 * Prints, each measured side by side in this one run:
 *   1. model time vs whole-pipeline time per 512-token chunk (our overhead; target < 10%);
 *   2. batched (50 rows per call) vs one-by-one throughput on GSM8K CoTs, the CLI's code path;
 *   3. WASM (onnxruntime-web in Node) multi-thread vs single-thread, and onnxruntime-node for scale.
 *
 * Options (env): BENCH_CHUNKS (default 6), BENCH_RECORDS (default 60), BENCH_REPEAT (default 3).
 *
 * `npm run bench:compress -- --browser`: the same model's 512-token chunk in Debian Chromium
 * (onnxruntime-web WASM in a worker of a crossOriginIsolated page, bench/browser/ harness) with 1
 * vs 2 WASM threads, each on fresh pages, alternated over BENCH_ROUNDS (default 3) rounds so drift
 * hits both alike; prints both medians and their ratio.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import {
  scoreLingua2,
  selectLingua2,
  type TokenClassifier,
} from '../src/core/compression/llmlingua2.ts';
import {
  buildModelInput,
  chunkContext,
  type ModelInput,
} from '../src/core/compression/llmlingua2-words.ts';
import { stripCalculatorNotes } from '../src/core/datasets/examples.ts';
import { loadScorer, type LoadedScorer } from '../src/runtime/scorers/scorer-loader.ts';
import type { OrtLike } from '../src/runtime/scorers/onnx-token-classifier.ts';
import { nodeHub, openModel, repoRoot } from '../src/runtime/hub/node/model-files.ts';
import { trainerEnv } from '../src/node/pipeline/python.ts';
import { benchArgs } from './bench-args.ts';

const { values: flags } = benchArgs(import.meta.url, {
  browser: { type: 'boolean', default: false },
});

const CHUNKS = Number(process.env.BENCH_CHUNKS ?? 6);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 60);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const modelDir = path.join(repoRoot, 'bench/.models/tiny-lingua-mbert-base');

function ensureModel(): void {
  if (existsSync(path.join(modelDir, 'onnx/model.onnx'))) return;
  console.log('Generating a BERT-base-sized token classifier (once; about a minute)...');
  execFileSync(
    '/usr/bin/python3',
    [
      'scripts/make_scorer_fixtures.py',
      '--size',
      'base',
      '--kinds',
      'mbert',
      '--out',
      path.dirname(modelDir),
    ],
    {
      cwd: repoRoot,
      stdio: 'inherit',
      env: trainerEnv(), // the script imports tokenskip_trainer
    },
  );
}

async function load(ort: OrtLike, options: object): Promise<LoadedScorer> {
  const model = await openModel({ folder: modelDir }, { kind: 'scorer' }, nodeHub());
  return loadScorer('bench-base', model.readFile, model.variant, ort, options);
}

/** Best of REPEAT runs, in milliseconds. */
async function best(fn: () => Promise<unknown>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < REPEAT; i++) {
    const t = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

const cots = readFileSync(path.join(repoRoot, 'data/gsm8k/train.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => stripCalculatorNotes((JSON.parse(l) as { cot: string }).cot));

function longText(scorer: LoadedScorer): string {
  // Enough CoTs to fill CHUNKS windows of ~510 tokens.
  let text = '';
  for (const cot of cots) {
    text += `${cot}\n`;
    if (scorer.tokenizer.tokenize(text).length > CHUNKS * 510) break;
  }
  return text;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function main() {
  ensureModel();
  const threads = Math.max(1, Math.min(4, os.availableParallelism()));
  const node = await load(ortNode, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
  });
  console.log(
    `\nModel: ${modelDir} (12 layers, hidden 768), ${os.availableParallelism()} cores, ${REPEAT} repeats, best run reported.\n`,
  );

  // 1. Overhead: the same rows through the classifier alone and through the whole pipeline.
  const text = longText(node);
  const rows: ModelInput[] = chunkContext(node.tokenizer, text, new Set(['.', '\n'])).map((c) =>
    buildModelInput(node.tokenizer, c, false),
  );
  // Time the model calls made inside the pipeline itself, so both figures come from the same run.
  let modelMs = 0;
  const timed: TokenClassifier = {
    classify: async (batch) => {
      const t = performance.now();
      const out = await node.classifier.classify(batch);
      modelMs += performance.now() - t;
      return out;
    },
  };
  let pipelineMs = Infinity;
  let modelInBest = 0;
  for (let i = 0; i < REPEAT; i++) {
    modelMs = 0;
    const t = performance.now();
    const [scored] = await scoreLingua2([text], node.tokenizer, timed);
    selectLingua2(scored!, 0.5, node.tokenizer);
    const total = performance.now() - t;
    if (total < pipelineMs) [pipelineMs, modelInBest] = [total, modelMs];
  }
  modelMs = modelInBest;
  const perChunk = (ms: number) => ms / rows.length;
  console.log(
    `1. Per 512-token chunk (${rows.length} chunks, ${rows.reduce((n, r) => n + r.ids.length, 0)} tokens), onnxruntime-node ${threads} threads:`,
  );
  console.log(`   model only      ${fmt(perChunk(modelMs))}`);
  console.log(
    `   whole pipeline  ${fmt(perChunk(pipelineMs))}  (tokenize, chunk, merge, cl100k weights, percentile, decode)`,
  );
  console.log(
    `   overhead        ${(((pipelineMs - modelMs) / pipelineMs) * 100).toFixed(1)}% of pipeline time (target < 10%)\n`,
  );

  // 2. Batching: many records' chunks in one call vs one call per record (the CLI's --batch-size).
  const records = cots.slice(0, RECORDS);
  const batchedMs = await best(() =>
    scoreLingua2(records, node.tokenizer, node.classifier, { batchSize: 50 }),
  );
  const singleMs = await best(async () => {
    for (const r of records)
      await scoreLingua2([r], node.tokenizer, node.classifier, { batchSize: 1 });
  });
  console.log(`2. ${RECORDS} GSM8K CoTs, scoring throughput:`);
  console.log(`   batched (50 per call)  ${((RECORDS / batchedMs) * 1000).toFixed(1)} records/s`);
  console.log(`   one by one             ${((RECORDS / singleMs) * 1000).toFixed(1)} records/s`);
  console.log(`   batched / one-by-one   ${(singleMs / batchedMs).toFixed(2)}x\n`);

  // 3. WASM threads (onnxruntime-web, the browser's engine, running in Node).
  const wasmRows = rows.slice(0, Math.min(2, rows.length));
  const wasmTimes: Record<number, number> = {};
  for (const n of [1, threads]) {
    ortWeb.env.wasm.numThreads = n;
    const web = await load(ortWeb, { executionProviders: ['wasm'] });
    wasmTimes[n] = await best(() => web.classifier.classify(wasmRows));
    await web.classifier.release();
    if (threads === 1) break;
  }
  const nodeMs = await best(() => node.classifier.classify(wasmRows));
  console.log(`3. ${wasmRows.length} chunks, per chunk:`);
  console.log(`   WASM 1 thread          ${fmt(wasmTimes[1]! / wasmRows.length)}`);
  if (threads > 1) {
    console.log(
      `   WASM ${threads} threads         ${fmt(wasmTimes[threads]! / wasmRows.length)}  (${(wasmTimes[1]! / wasmTimes[threads]!).toFixed(2)}x)`,
    );
  }
  console.log(
    `   onnxruntime-node ${threads}t    ${fmt(nodeMs / wasmRows.length)}  (native CPU, for scale)`,
  );
  await node.classifier.release();
}

/** 1 vs 2 WASM threads in crossOriginIsolated Chromium, on one 512-token chunk. */
async function browserMain() {
  ensureModel();
  const { startHarness } = await import('./browser/server.ts');
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const graph = process.env.BENCH_GRAPH ?? 'onnx/model.onnx';
  const vocabSize = (
    JSON.parse(readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as { vocab_size: number }
  ).vocab_size;
  const harness = await startHarness({ mounts: { bert: modelDir } });
  const ms: Record<number, number[]> = { 1: [], 2: [] };
  let isolated = true;
  try {
    for (let r = 0; r < rounds; r++) {
      for (const threads of r % 2 === 0 ? [1, 2] : [2, 1]) {
        const page = await harness.open('wasm');
        const report = await page.evaluate(
          (req) =>
            (
              globalThis as unknown as {
                harness: {
                  classify(r: typeof req): Promise<{ ms: number[]; crossOriginIsolated: boolean }>;
                };
              }
            ).harness.classify(req),
          {
            url: `/bench-mount/bert/${graph}`,
            threads,
            seqLen: 512,
            vocabSize,
            warmup: 1,
            repeats: REPEAT,
          },
        );
        isolated &&= report.crossOriginIsolated;
        ms[threads]!.push(...report.ms);
        await page.close();
      }
    }
  } finally {
    await harness.close();
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const one = median(ms[1]!);
  const two = median(ms[2]!);
  console.log(
    `\nbench:compress --browser — ${path.relative(repoRoot, modelDir)}/${graph} (12 layers, hidden 768), one 512-token chunk, Chromium ${isolated ? 'crossOriginIsolated' : 'NOT crossOriginIsolated (threads unavailable)'}, onnxruntime-web WASM in a worker; ${rounds} rounds alternating, ${REPEAT} runs each after 1 warm-up, median; ${os.availableParallelism()} cores shared with other jobs (load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')})\n`,
  );
  console.log(
    `  1 thread    ${fmt(one).padStart(10)}   (runs: ${ms[1]!.map((x) => x.toFixed(0)).join(', ')})`,
  );
  console.log(
    `  2 threads   ${fmt(two).padStart(10)}   (runs: ${ms[2]!.map((x) => x.toFixed(0)).join(', ')})`,
  );
  console.log(`  speedup 2 vs 1 thread: ${(one / two).toFixed(2)}×`);
}

if (flags.browser) await browserMain();
else await main();
