/**
 * `npm run bench:generate`: is "speedup ≈ token ratio" true for our ONNX engine? TokenSkip's
 * speedup is latency(γ = 1) / latency(γ); if every request paid only a per-token cost, it would
 * equal the inverse token ratio. A fixed cost per request (session setup, prefill of the prompt)
 * pulls the measured speedup below that ideal, the more so the shorter the outputs.
 *
 * One run, side by side, on the same engine and prompt (a GSM8K question in the TokenSkip Qwen
 * format), greedy with end-of-turn ignored so every request yields exactly L tokens:
 *   1. latency at several output lengths L (round-robin over L, REPEATS times, best of the
 *      repeats: other processes on a shared machine only ever add time), fitted as
 *      latency = a + b·L + c·L² (least squares; c is attention over the growing KV cache), next to
 *      the measured TTFT (the fixed prefill cost of the request);
 *   2. for full CoTs of L tokens and γ in GAMMAS: measured speedup latency(L) / latency(γL)
 *      against the ideal 1/γ, as measured/ideal.
 *
 *   npm run bench:generate                                   # the shipped tiny-qwen2 fixture
 *   npm run bench:generate -- --model /tmp/qwen2-h256-l4     # any transformers.js causal LM folder
 *   # a larger random-weight model in the same layout (seconds to make):
 *   /usr/bin/python3 scripts/make_causal_fixture.py --steps 0 --hidden 256 --layers 4 --intermediate 1024 --out /tmp/qwen2-h256-l4
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { buildPrompt } from '../src/core/prompts/index.ts';
import { createNodeOnnxEngine } from '../src/runtime/engines/onnx/node.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/fixtures/tiny-qwen2' },
    repeats: { type: 'string', default: process.env.BENCH_REPEATS ?? '7' },
    lengths: { type: 'string', default: '16,32,64,128,256' },
    threads: { type: 'string', default: '2' },
  },
});
const REPEATS = Number(values.repeats);
const LENGTHS = values.lengths!.split(',').map(Number);
const GAMMAS = [0.8, 0.6, 0.5, 0.3];

const question = (
  JSON.parse(readFileSync('data/gsm8k/test.jsonl', 'utf8').split('\n')[0]!) as { question: string }
).question;
const prompt = buildPrompt('qwen2.5-instruct', question, 1);

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

const engine = createNodeOnnxEngine(values.model!, { threads: Number(values.threads) });
const info = await engine.load();
const run = (maxNewTokens: number) => engine.generate(prompt, { maxNewTokens, ignoreEos: true });

// Every length any comparison needs, measured in the same round-robin.
const needed = [
  ...new Set([...LENGTHS, ...LENGTHS.flatMap((l) => GAMMAS.map((g) => Math.round(g * l)))]),
].sort((a, b) => a - b);
await run(8); // warm-up: first-run allocations stay out of the figures
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

console.log(
  `bench:generate — ${info.modelId} on ${info.detail}, prompt ${promptTokens} tokens, best of ${REPEATS}`,
);
console.log('\n1. latency against output length (ignore_eos, greedy)\n');
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

console.log('\n2. speedup against the ideal 1/γ (same engine, same prompt)\n');
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
