/**
 * `npm run bench:generate`: is TokenSkip's speedup what the token counts predict, and how fast does
 * our ONNX engine decode? Side by side, from one run, on the model given by `--model DIR` (any
 * transformers.js-layout causal LM folder; default the shipped tiny-qwen2 fixture):
 *
 *   A. real prompts: QUESTIONS GSM8K (or, for models/mini, TinyArith) questions in the TokenSkip Qwen format at every γ in GAMMAS,
 *      greedy with the stop tokens, as the Benchmark page runs them (one untimed warm-up of the
 *      full budget first, every γ of a question back to back, γ order rotated per question, median
 *      of REPEATS). Per γ: measured speedup latency(γ = 1) / latency(γ) next to the ideal
 *      1 / actual token ratio (completion tokens(γ = 1) / completion tokens(γ)), their ratio, and
 *      decode tokens/s. Computed by the page's own code (timingByGamma).
 *   B. (Node only) fixed cost vs per-token cost: latency at several forced output lengths L
 *      (end-of-turn ignored), fitted as latency = a + b·L + c·L², and the speedup L vs γL against
 *      the ideal 1/γ.
 *
 * `--browser` runs A in Debian Chromium (bench/browser/ harness, the app's engine on
 * onnxruntime-web) on WASM and on WebGPU (SwiftShader here: a CPU rasteriser, so WebGPU figures
 * on this machine say nothing about a real GPU; it runs the first `--webgpu-questions`, once) and
 * prints decode tokens/s WebGPU vs WASM on the same questions. WASM runs twice: on the plain WASM
 * build the app loads (src/runtime/web/ort-web.ts) and on the WebGPU build's Asyncify binary, which
 * the app's generation worker ran before it chose the build per backend; engine load, latency and
 * decode rate of both are printed side by side with their ratio.
 *
 *   npm run bench:generate                                   # tiny-qwen2, onnxruntime-node
 *   npm run bench:generate -- --model models/mini/tokenskip    # TinyArith questions (--dataset)
 *   npm run bench:generate -- --browser --model DIR          # WASM vs WebGPU in Chromium
 *   # a larger random-weight model in the same layout (seconds to make):
 *   PYTHONPATH=trainer /usr/bin/python3 scripts/make_causal_fixture.py --steps 0 --hidden 256 --layers 4 --intermediate 1024 --out /tmp/qwen2-h256-l4
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildPrompt, PROMPT_FORMATS } from '../src/core/prompts/index.ts';
import { createNodeOnnxEngine } from '../src/runtime/node/onnx-engine-node.ts';
import { timingByGamma, type GammaTiming } from '../src/core/benchmark/results.ts';
import type { BenchmarkConfig, SampleResult } from '../src/core/benchmark/plan.ts';
import type { GenerateReport, GenerateRequest } from './browser/protocol.ts';
import { benchArgs } from './bench-args.ts';

const { values } = benchArgs(import.meta.url, {
  model: { type: 'string', default: 'models/fixtures/tiny-qwen2' },
  browser: { type: 'boolean', default: false },
  repeats: { type: 'string', default: process.env.BENCH_REPEATS },
  questions: { type: 'string', default: '4' },
  // SwiftShader's WebGPU decodes about 140× slower than WASM here: its share of the questions.
  'webgpu-questions': { type: 'string', default: '4' },
  // TinyArith for the mini models (their task), GSM8K otherwise.
  dataset: { type: 'string' },
  gammas: { type: 'string', default: '1,0.8,0.6,0.5' },
  'max-tokens': { type: 'string' },
  lengths: { type: 'string', default: '16,32,64,128,256' },
  threads: { type: 'string', default: '2' },
  'skip-fixed-cost': { type: 'boolean', default: false },
});
const BROWSER = values.browser!;
const REPEATS = Number(values.repeats ?? (BROWSER ? 3 : 5));
const QUESTIONS = Number(values.questions);
const WEBGPU_QUESTIONS = Math.min(QUESTIONS, Number(values['webgpu-questions']));
const AGAMMAS = values.gammas!.split(',').map(Number);
const MAX_TOKENS = Number(values['max-tokens'] ?? 128);
const LENGTHS = values.lengths!.split(',').map(Number);
const GAMMAS = [0.8, 0.6, 0.5, 0.3];
const THREADS = Number(values.threads);

const DATASET = values.dataset ?? (values.model!.includes('models/mini') ? 'arith' : 'gsm8k');
const questions = readFileSync(`data/${DATASET === 'arith' ? 'arith' : 'gsm8k'}/test.jsonl`, 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, Math.max(1, QUESTIONS))
  .map((line) => (JSON.parse(line) as { question: string }).question);
const question = questions[0]!;
const prompt = buildPrompt('qwen2.5-instruct', question, 1);
const stop = PROMPT_FORMATS['qwen2.5-instruct'].stop;

/** Question-major, γ rotated per question: the Benchmark page's plan. */
const jobs = questions.flatMap((_, q) =>
  AGAMMAS.map((__, k) => ({ q, gamma: AGAMMAS[(k + q) % AGAMMAS.length]! })),
);
const jobPrompts = jobs.map((j) => buildPrompt('qwen2.5-instruct', questions[j.q]!, j.gamma));
const benchConfig = { gammas: AGAMMAS } as BenchmarkConfig;

/**
 * Median of the repeats per (γ, question), as the page's SampleResult, then timingByGamma; over the
 * first `nQuestions` questions (jobs are question-major).
 */
function timingOf(runs: GenerateReport['runs'], nQuestions = QUESTIONS): GammaTiming[] {
  const results: SampleResult[] = jobs.slice(0, nQuestions * AGAMMAS.length).map((job, i) => {
    const mine = runs.filter((r) => r.prompt === i);
    const lat = median(mine.map((r) => r.e2eLatencyMs));
    const first = mine[0]!;
    return {
      gamma: job.gamma,
      id: String(job.q),
      completionTokens: first.completionTokens,
      latencyS: lat / 1000,
      timeToFirstTokenMs: median(mine.map((r) => r.timeToFirstTokenMs)),
      decodeTokensPerS: median(mine.map((r) => r.decodeTokensPerSecond)),
    } as SampleResult;
  });
  return timingByGamma(benchConfig, results);
}

const f2 = (v: number | null, d = 2) => (v === null ? '–' : v.toFixed(d));

function printTiming(label: string, t: GammaTiming[]): void {
  console.log(`\n  ${label}`);
  console.log(
    '     γ   gen tokens   latency ms   TTFT ms   measured speedup   ideal (1/token ratio)   measured/ideal   decode tok/s',
  );
  for (const g of t) {
    console.log(
      `  ${String(g.gamma).padStart(4)}   ${f2(g.meanCompletionTokens, 1).padStart(10)}   ${f2(g.meanLatencyS === null ? null : g.meanLatencyS * 1000, 1).padStart(10)}   ${f2(g.meanTimeToFirstTokenMs, 1).padStart(7)}   ${`${f2(g.speedup)}×`.padStart(16)}   ${`${f2(g.tokenSpeedup)}×`.padStart(21)}   ${f2(g.speedupOverIdeal).padStart(14)}   ${f2(g.meanDecodeTokensPerS, 1).padStart(12)}`,
    );
  }
}

function request(backend: 'webgpu' | 'wasm'): GenerateRequest {
  const webgpu = backend === 'webgpu';
  return {
    base: '/bench-mount/model/',
    backend,
    threads: THREADS,
    kvCacheOnGpu: true,
    prompts: webgpu ? jobPrompts.slice(0, WEBGPU_QUESTIONS * AGAMMAS.length) : jobPrompts,
    maxNewTokens: MAX_TOKENS,
    ignoreEos: false,
    stop,
    warmup: 1,
    // One repeat on SwiftShader: a token costs milliseconds there, so drift is small against it.
    repeats: webgpu ? 1 : REPEATS,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Least-squares fit of latency = a + b·L + c·L²: c > 0 is attention over a growing KV cache. */
function fit(points: { x: number; y: number }[]): { a: number; b: number; c: number; r2: number } {
  // Normal equations for the basis [1, x, x²], solved by Cramer's rule (3 × 3).
  const s = (k: number) => points.reduce((acc, p) => acc + p.x ** k, 0);
  const t = (k: number) => points.reduce((acc, p) => acc + p.y * p.x ** k, 0);
  const m = [
    [s(0), s(1), s(2)],
    [s(1), s(2), s(3)],
    [s(2), s(3), s(4)],
  ];
  const v = [t(0), t(1), t(2)];
  const det = (q: number[][]) =>
    q[0]![0]! * (q[1]![1]! * q[2]![2]! - q[1]![2]! * q[2]![1]!) -
    q[0]![1]! * (q[1]![0]! * q[2]![2]! - q[1]![2]! * q[2]![0]!) +
    q[0]![2]! * (q[1]![0]! * q[2]![1]! - q[1]![1]! * q[2]![0]!);
  const d = det(m);
  const col = (i: number) => det(m.map((row, r) => row.map((x, c) => (c === i ? v[r]! : x))));
  const [a, b, c] = [col(0) / d, col(1) / d, col(2) / d];
  const my = t(0) / points.length;
  const ssRes = points.reduce((acc, p) => acc + (p.y - a - b * p.x - c * p.x ** 2) ** 2, 0);
  const ssTot = points.reduce((acc, p) => acc + (p.y - my) ** 2, 0);
  return { a, b, c, r2: 1 - ssRes / ssTot };
}

const modelName = path.basename(path.resolve(values.model!));

if (BROWSER) {
  const { startHarness } = await import('./browser/server.ts');
  const harness = await startHarness({ mounts: { model: path.resolve(values.model!) } });
  const reports: Record<string, GenerateReport> = {};
  try {
    // `wasm-asyncify`: WASM on the WebGPU build's binary (the app's generation worker before it
    // chose the ORT build per backend), for the build comparison below; a page of its own, as
    // ORT fixes its threads when it first initialises.
    const runs = [
      ['wasm', 'wasm', request('wasm')],
      ['wasm-asyncify', 'wasm', { ...request('wasm'), ortBuild: 'webgpu' }],
      ['webgpu', 'webgpu', request('webgpu')],
    ] as const;
    for (const [name, backend, req] of runs) {
      const page = await harness.open(backend);
      reports[name] = await page.evaluate(
        (r) =>
          (
            globalThis as unknown as {
              harness: { generate(r: GenerateRequest): Promise<GenerateReport> };
            }
          ).harness.generate(r),
        req,
      );
      await page.close();
    }
  } finally {
    await harness.close();
  }
  console.log(
    `bench:generate --browser — ${modelName} in Chromium (onnxruntime-web), ${QUESTIONS} ${DATASET === 'arith' ? 'TinyArith' : 'GSM8K'} questions × γ ${AGAMMAS.join(', ')} (WebGPU: the first ${WEBGPU_QUESTIONS}), max ${MAX_TOKENS} tokens, WASM median of ${REPEATS}, WebGPU 1 run, after 1 warm-up`,
  );
  const timings = {
    wasm: timingOf(reports.wasm!.runs),
    webgpu: timingOf(reports.webgpu!.runs, WEBGPU_QUESTIONS),
  };
  printTiming(`wasm: ${reports.wasm!.detail}, ${QUESTIONS} questions`, timings.wasm);
  printTiming(`webgpu: ${reports.webgpu!.detail}, ${WEBGPU_QUESTIONS} questions`, timings.webgpu);
  // The ORT build on WASM: the plain build the app loads vs the WebGPU build's Asyncify binary.
  const plain = reports.wasm!;
  const asyncify = reports['wasm-asyncify']!;
  const decode = (r: GenerateReport) => median(r.runs.map((x) => x.decodeTokensPerSecond));
  const latency = (r: GenerateReport) => median(r.runs.map((x) => x.e2eLatencyMs));
  console.log(
    `\n  WASM on the plain build (what the app loads) vs on the WebGPU build's Asyncify binary (before), same questions, medians over every generation\n`,
  );
  console.log('                           plain   Asyncify   plain/Asyncify');
  for (const [label, a, b] of [
    ['engine load ms', plain.loadMs, asyncify.loadMs],
    ['latency ms', latency(plain), latency(asyncify)],
    ['decode tok/s', decode(plain), decode(asyncify)],
  ] as const)
    console.log(
      `  ${label.padEnd(22)} ${a.toFixed(1).padStart(8)}   ${b.toFixed(1).padStart(8)}   ${(a / b).toFixed(2).padStart(13)}×`,
    );
  // WASM over WebGPU's questions, for a like-for-like decode rate.
  const wasmSame = timingOf(reports.wasm!.runs, WEBGPU_QUESTIONS);
  const sameIds = reports.webgpu!.runs.every(
    (r, i) => JSON.stringify(r.tokenIds) === JSON.stringify(reports.wasm!.runs[i]!.tokenIds),
  );
  console.log(
    `\n  decode tokens/s, WebGPU vs WASM (the same ${WEBGPU_QUESTIONS} questions, same run)\n`,
  );
  console.log('     γ      WASM    WebGPU   WebGPU/WASM');
  for (const [i, g] of AGAMMAS.entries()) {
    const w = wasmSame[i]!.meanDecodeTokensPerS;
    const gp = timings.webgpu[i]!.meanDecodeTokensPerS;
    console.log(
      `  ${String(g).padStart(4)}   ${f2(w, 1).padStart(7)}   ${f2(gp, 1).padStart(7)}   ${w && gp ? (gp / w).toFixed(2) : '–'}×`,
    );
  }
  const nSame = reports.webgpu!.runs.length;
  const all = (b: 'wasm' | 'webgpu') =>
    median(reports[b]!.runs.filter((r) => r.prompt < nSame).map((r) => r.decodeTokensPerSecond));
  console.log(
    `   all   ${all('wasm').toFixed(1).padStart(7)}   ${all('webgpu').toFixed(1).padStart(7)}   ${(all('webgpu') / all('wasm')).toFixed(2)}×   (median over every generation)`,
  );
  console.log(
    `\n  token ids identical on WASM and WebGPU: ${sameIds ? 'yes' : 'NO'}. WebGPU here is SwiftShader (CPU); on a real GPU the ratio is another story.`,
  );
  process.exit(0);
}

const engine = createNodeOnnxEngine(values.model!, { threads: THREADS });
const info = await engine.load();

// A. real prompts, the Benchmark page's plan.
await engine.generate(jobPrompts[0]!, { maxNewTokens: MAX_TOKENS, ignoreEos: true }); // warm-up
const realRuns: GenerateReport['runs'] = [];
for (let r = 0; r < REPEATS; r++) {
  for (const [i, p] of jobPrompts.entries()) {
    const res = await engine.generate(p, { maxNewTokens: MAX_TOKENS, stop });
    realRuns.push({
      prompt: i,
      tokenIds: res.tokenIds ?? [],
      text: res.text,
      completionTokens: res.usage.completionTokens,
      timeToFirstTokenMs: res.usage.timeToFirstTokenMs,
      decodeTokensPerSecond: res.usage.decodeTokensPerSecond,
      e2eLatencyMs: res.usage.e2eLatencyMs,
    });
  }
}
console.log(
  `bench:generate — ${modelName} on ${info.detail}, ${THREADS} threads\n\nA. ${QUESTIONS} ${DATASET === 'arith' ? 'TinyArith' : 'GSM8K'} questions × γ ${AGAMMAS.join(', ')}, greedy with stop tokens, max ${MAX_TOKENS} tokens, median of ${REPEATS}, after 1 warm-up (γ interleaved per question)`,
);
printTiming(
  'speedup against the ideal 1 / actual token ratio (completion tokens), same questions',
  timingOf(realRuns),
);
console.log(
  '\n  measured/ideal 1.00: each token cost the same at every γ. Below 1: a fixed cost per request\n  (prefill) dilutes the saving; above 1: later tokens cost more (longer KV cache) or the timing drifted.',
);
if (values['skip-fixed-cost']) {
  await engine.unload();
  process.exit(0);
}
console.log('\nB. fixed cost vs per-token cost (end-of-turn ignored, forced lengths)');
const run = (maxNewTokens: number) => engine.generate(prompt, { maxNewTokens, ignoreEos: true });

// Every length any comparison needs, measured in the same round-robin.
const needed = [
  ...new Set([...LENGTHS, ...LENGTHS.flatMap((l) => GAMMAS.map((g) => Math.round(g * l)))]),
].sort((a, b) => a - b);
await run(needed.at(-1)!); // warm-up over every KV length: first-pass allocations stay out of the figures
const latency = new Map<number, number[]>(needed.map((l) => [l, []]));
const ttft = new Map<number, number[]>(needed.map((l) => [l, []]));
for (let r = 0; r < REPEATS; r++) {
  for (const l of needed) {
    const res = await run(l);
    if (res.usage.completionTokens !== l)
      throw new Error(`asked ${l} tokens, got ${res.usage.completionTokens}`);
    latency.get(l)!.push(res.usage.e2eLatencyMs);
    ttft.get(l)!.push(res.usage.timeToFirstTokenMs);
  }
}
const best = (xs: number[]) => Math.min(...xs);
const lat = (l: number) => best(latency.get(l)!);
const promptTokens = (await run(1)).usage.promptTokens;
await engine.unload();

console.log(`  prompt ${promptTokens} tokens, best of ${REPEATS}`);
console.log('\n  B1. latency against output length (ignore_eos, greedy)\n');
console.log('  L tokens   latency ms   TTFT ms   ms/token after first');
for (const l of LENGTHS) {
  const t = best(ttft.get(l)!);
  console.log(
    `  ${String(l).padStart(8)}   ${lat(l).toFixed(1).padStart(10)}   ${t.toFixed(1).padStart(7)}   ${((lat(l) - t) / Math.max(1, l - 1)).toFixed(3).padStart(8)}`,
  );
}
const f = fit(needed.map((l) => ({ x: l, y: lat(l) })));
const prefill = median(LENGTHS.map((l) => best(ttft.get(l)!)));
console.log(
  `\n  fit: latency = ${f.a.toFixed(1)} ms + ${f.b.toFixed(3)} ms × L + ${(f.c * 1000).toFixed(3)} µs × L²   (R² = ${f.r2.toFixed(4)})`,
);
console.log(
  `  fixed cost per request: ${prefill.toFixed(1)} ms measured TTFT (prefill of ${promptTokens} prompt tokens) = ${(prefill / f.b).toFixed(1)} tokens of decoding`,
);
console.log(
  `  per-token cost: ${f.b.toFixed(3)} ms at the start, growing ${(2 * f.c * 1000).toFixed(3)} µs per token of context (KV attention)`,
);

console.log('\n  B2. speedup against the ideal 1/γ (same engine, same prompt)\n');
console.log(
  `  full L   ${GAMMAS.map((g) => `γ=${g}: measured / ideal = ratio`.padEnd(34)).join('')}`,
);
for (const l of LENGTHS) {
  const cells = GAMMAS.map((g) => {
    const lg = Math.round(g * l);
    const measured = lat(l) / lat(lg);
    const ideal = l / lg;
    return `${measured.toFixed(2)}× / ${ideal.toFixed(2)}× = ${(measured / ideal).toFixed(2)}`.padEnd(
      34,
    );
  });
  console.log(`  ${String(l).padStart(6)}   ${cells.join('')}`);
}
console.log(
  '\n  ratio 1.00: speedup = inverse token ratio. Below 1: the fixed cost (prefill, setup) dilutes it;\n  above 1: later tokens cost more (attention over a longer KV cache), so dropping them saves more.',
);
