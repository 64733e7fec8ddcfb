/**
 * `npm run bench:grade`: grading speed on the 1,819 shipped test items (GSM8K test 1,319 + MATH-500),
 * and the share of that time spent in the symbolic (CAS) check.
 *
 * Two passes, side by side in one run:
 *   matched: each reference completion against its own gold (GSM8K CoT + boxed answer, MATH solution
 *            vs its `answer`) — mostly settled by string/number equality, as for a good model;
 *   shifted: each completion against the NEXT item's gold — mostly wrong answers, which is where the
 *            grader must try every branch (tuples, equations, CAS) before saying no.
 * Each pass runs once to warm up, then REPEATS times; the median is reported.
 */
import { readFileSync } from 'node:fs';
import {
  gradeSample,
  gsm8kReferenceOutput,
  resetSymbolicStats,
  symbolicStats,
  type SampleInput,
} from '../src/core/eval/index.ts';
import { benchArgs } from './bench-args.ts';

// No flags (environment variables only): --help prints the comment above.
benchArgs(import.meta.url, {});

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

function readJsonl<T>(path: string): T[] {
  return readFileSync(new URL(path, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

const gsm8k = readJsonl<{ question: string; answer: string; cot: string }>(
  '../data/gsm8k/test.jsonl',
);
const math = readJsonl<{ problem: string; solution: string; answer: string }>(
  '../data/math-500/test.jsonl',
);

const gsmOutputs = gsm8k.map((it) => gsm8kReferenceOutput(it.cot, it.answer));
function cases(shift: number): SampleInput[] {
  return [
    ...gsm8k.map((it, i) => ({
      dataset: 'gsm8k' as const,
      question: it.question,
      output: gsmOutputs[i]!,
      answer: gsm8k[(i + shift) % gsm8k.length]!.answer,
    })),
    ...math.map((it, i) => ({
      dataset: 'math' as const,
      question: it.problem,
      output: it.solution,
      answer: math[(i + shift) % math.length]!.answer,
    })),
  ];
}

interface PassResult {
  ms: number;
  correct: number;
  casCalls: number;
  casMs: number;
  timeouts: number;
}

function pass(items: SampleInput[]): PassResult {
  resetSymbolicStats();
  const start = performance.now();
  let correct = 0;
  for (const item of items) if (gradeSample(item).correct) correct++;
  const ms = performance.now() - start;
  const s = symbolicStats();
  return { ms, correct, casCalls: s.calls, casMs: s.totalMs, timeouts: s.timeouts };
}

function median(results: PassResult[]): PassResult {
  return [...results].sort((a, b) => a.ms - b.ms)[Math.floor(results.length / 2)]!;
}

// The first CAS call builds the engine (its libraries); report it apart from steady-state speed.
const coldStart = performance.now();
gradeSample({ dataset: 'math', question: '', output: '\\boxed{\\frac{1}{2}}', answer: '0.5' });
const engineStartMs = performance.now() - coldStart;

console.log(
  `Grading ${gsm8k.length + math.length} shipped test items (GSM8K ${gsm8k.length}, MATH-500 ${math.length}); median of ${REPEATS} after a warm-up`,
);
console.log(`Compute Engine start-up (first symbolic check): ${engineStartMs.toFixed(0)} ms\n`);
console.log(
  'pass     | cases | correct | total ms | cases/s | CAS calls | CAS ms | CAS share | CAS timeouts',
);
console.log(
  '-------- | ----- | ------- | -------- | ------- | --------- | ------ | --------- | ------------',
);
for (const [name, shift] of [
  ['matched', 0],
  ['shifted', 1],
] as const) {
  const items = cases(shift);
  pass(items);
  const r = median(Array.from({ length: REPEATS }, () => pass(items)));
  console.log(
    [
      name.padEnd(8),
      String(items.length).padStart(5),
      String(r.correct).padStart(7),
      r.ms.toFixed(0).padStart(8),
      ((items.length / r.ms) * 1000).toFixed(0).padStart(7),
      String(r.casCalls).padStart(9),
      r.casMs.toFixed(0).padStart(6),
      `${((100 * r.casMs) / r.ms).toFixed(1)}%`.padStart(9),
      String(r.timeouts).padStart(12),
    ].join(' | '),
  );
}
