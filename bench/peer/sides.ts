/**
 * The two sides of `npm run bench:peer` and the run that compares them, with no Node or DOM import,
 * so the same code runs in Node and in the browser harness worker (bench/browser/worker.ts).
 *
 * - ours: `scoreLingua2` scores every text once, all texts' chunks sharing model calls batched by
 *   length, and `selectLingua2` thresholds that one score at each γ (no model call per γ);
 * - ours, peer's call pattern: one `scoreLingua2` + `selectLingua2` per text per γ, to show how much
 *   of the difference is the call pattern and how much the per-call cost;
 * - peer: `@atjsh/llmlingua-2`'s `compress_prompt(text, { rate })`, its only API: one context per
 *   call, its chunks batched (node_modules/@atjsh/llmlingua-2/dist/lib/llmlingua-2/prompt-compressor.js,
 *   `compressContexts`), the model re-run for every γ.
 */
import { scoreLingua2, selectLingua2 } from '../../src/core/compression/llmlingua2.ts';
import type { ScorerTokenizer } from '../../src/core/compression/scorer-tokenizer.ts';
import type { LinguaOptions, TokenClassifier } from '../../src/core/compression/llmlingua2.ts';

export interface PeerSide {
  /** Compresses every text at every γ: `[γ index][text index]`. */
  compressAll(texts: string[], rates: number[]): Promise<string[][]>;
  /** One text at one γ. */
  compressOne(text: string, rate: number): Promise<string>;
}

/** The peer's one call, `compress_prompt`, as typed in its index.d.ts. */
export interface PeerCompressor {
  compress_prompt(context: string, options: { rate: number }): Promise<string>;
}

export function peerSide(peer: PeerCompressor): PeerSide {
  return {
    async compressAll(texts, rates) {
      const out: string[][] = [];
      for (const rate of rates) {
        const row: string[] = [];
        for (const text of texts) row.push(await peer.compress_prompt(text, { rate }));
        out.push(row);
      }
      return out;
    },
    compressOne: (text, rate) => peer.compress_prompt(text, { rate }),
  };
}

/** Our scorer; `calls` counts classifier calls, so the report can say how many each pattern made. */
export function ourSide(
  tokenizer: ScorerTokenizer,
  classifier: TokenClassifier,
  counter: { calls: number },
  options: Partial<LinguaOptions> = {},
): { scoreOnce: PeerSide; perTextPerRate: PeerSide } {
  const counted: TokenClassifier = {
    classify: (rows) => {
      counter.calls++;
      return classifier.classify(rows);
    },
  };
  const one = async (text: string, rate: number) => {
    const [scored] = await scoreLingua2([text], tokenizer, counted, options);
    return selectLingua2(scored!, rate, tokenizer).compressed_prompt;
  };
  return {
    scoreOnce: {
      async compressAll(texts, rates) {
        const scored = await scoreLingua2(texts, tokenizer, counted, options);
        return rates.map((rate) =>
          scored.map((s) => selectLingua2(s, rate, tokenizer).compressed_prompt),
        );
      },
      compressOne: one,
    },
    perTextPerRate: {
      async compressAll(texts, rates) {
        const out: string[][] = [];
        for (const rate of rates) {
          const row: string[] = [];
          for (const text of texts) row.push(await one(text, rate));
          out.push(row);
        }
        return out;
      },
      compressOne: one,
    },
  };
}

/** Kept words of a compressed text: both sides join kept words with single spaces or newlines. */
export const keptWords = (s: string): string[] => s.split(/\s+/).filter(Boolean);

export interface PeerRunRequest {
  texts: string[];
  rates: number[];
  /** Alternated throughput rounds (best kept) and single-text latency runs (median kept). */
  rounds: number;
  latencyRuns: number;
  /** Index into `texts` of the single-text latency CoT. */
  latencyText: number;
}

export interface PeerRunReport {
  compared: number;
  identical: number;
  firstDifference?: { text: number; rate: number; ours: string; peer: string };
  /** Best-of-rounds wall time of the whole texts × rates job, in ms. */
  throughputMs: { ours: number; oursPerCall: number; peer: number };
  throughputRuns: { ours: number[]; oursPerCall: number[]; peer: number[] };
  /** Median single-text, single-γ latency, in ms. */
  latencyMs: { ours: number; peer: number };
  /** Median over the runs where the side went first in its pair (no spinning neighbour). */
  latencyFirstMs: { ours: number; peer: number };
  latencyRuns: { ours: number[]; peer: number[] };
  /** Classifier calls of one whole job: score once vs per text per γ. */
  modelCalls: { ours: number; oursPerCall: number };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Index of the text of median length: the single-text latency case. */
export function medianLengthText(texts: string[]): number {
  const lengths = texts.map((t) => t.length);
  const m = median(lengths);
  return lengths.reduce(
    (best, l, i) => (Math.abs(l - m) < Math.abs(lengths[best]! - m) ? i : best),
    0,
  );
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await fn();
  return [out, performance.now() - t];
}

/**
 * Checks both sides keep the same words for every text at every γ, then times them. Rounds
 * alternate which side goes first, so load from other jobs on a shared machine hits both alike.
 */
export async function runPeerComparison(
  req: PeerRunRequest,
  ours: { scoreOnce: PeerSide; perTextPerRate: PeerSide },
  peer: PeerSide,
  counter: { calls: number },
  log: (line: string) => void = () => {},
): Promise<PeerRunReport> {
  const { texts, rates } = req;
  const runs = { ours: [] as number[], oursPerCall: [] as number[], peer: [] as number[] };
  const calls = { ours: 0, oursPerCall: 0 };
  let check: Pick<PeerRunReport, 'compared' | 'identical' | 'firstDifference'> | undefined;
  for (let round = 0; round < req.rounds; round++) {
    const order = round % 2 === 0 ? (['peer', 'ours'] as const) : (['ours', 'peer'] as const);
    const outputs: Partial<Record<'ours' | 'peer', string[][]>> = {};
    for (const side of order) {
      counter.calls = 0;
      const [out, ms] = await timed(() =>
        (side === 'ours' ? ours.scoreOnce : peer).compressAll(texts, rates),
      );
      outputs[side] = out;
      runs[side].push(ms);
      if (side === 'ours') calls.ours = counter.calls;
      log(`round ${round + 1}: ${side} ${ms.toFixed(0)} ms`);
    }
    // Every round, like the other two rows, so its best run saw the same conditions.
    counter.calls = 0;
    const [perCall, ms] = await timed(() => ours.perTextPerRate.compressAll(texts, rates));
    runs.oursPerCall.push(ms);
    calls.oursPerCall = counter.calls;
    log(`round ${round + 1}: ours, peer's call pattern ${ms.toFixed(0)} ms`);
    if (!check) {
      let identical = 0;
      let firstDifference: PeerRunReport['firstDifference'];
      rates.forEach((rate, r) =>
        texts.forEach((_, t) => {
          const a = keptWords(outputs.ours![r]![t]!).join(' ');
          const b = keptWords(outputs.peer![r]![t]!).join(' ');
          const c = keptWords(perCall[r]![t]!).join(' ');
          if (a === b && a === c) identical++;
          else firstDifference ??= { text: t, rate, ours: a, peer: b };
        }),
      );
      check = { compared: texts.length * rates.length, identical, firstDifference };
    }
  }
  const text = texts[req.latencyText]!;
  const rate = rates[0]!;
  const latencyRuns = { ours: [] as number[], peer: [] as number[] };
  const firstRuns = { ours: [] as number[], peer: [] as number[] };
  // One untimed call each: the first call at a new shape allocates.
  await ours.scoreOnce.compressOne(text, rate);
  await peer.compressOne(text, rate);
  // An even count: each side runs second in half the pairs. Both sessions live in one process,
  // and the one that ran last keeps its ORT threads spinning for a moment, which slows whichever
  // runs next (measured: the second call of a pair is ~25 ms slower on 2 cores, either side).
  const pairs = req.latencyRuns + (req.latencyRuns % 2);
  for (let i = 0; i < pairs; i++) {
    for (const side of i % 2 === 0 ? (['peer', 'ours'] as const) : (['ours', 'peer'] as const)) {
      const [, ms] = await timed(() =>
        (side === 'ours' ? ours.scoreOnce : peer).compressOne(text, rate),
      );
      latencyRuns[side].push(ms);
      if (side === (i % 2 === 0 ? 'peer' : 'ours')) firstRuns[side].push(ms);
    }
  }
  return {
    ...check!,
    throughputMs: {
      ours: Math.min(...runs.ours),
      oursPerCall: Math.min(...runs.oursPerCall),
      peer: Math.min(...runs.peer),
    },
    throughputRuns: runs,
    latencyMs: { ours: median(latencyRuns.ours), peer: median(latencyRuns.peer) },
    latencyFirstMs: { ours: median(firstRuns.ours), peer: median(firstRuns.peer) },
    latencyRuns,
    modelCalls: calls,
  };
}

const pairsOf = (r: PeerRunReport) => r.latencyRuns.ours.length / 2;

/** The report as printed lines (Node prints them for both the Node and the browser runs). */
export function formatPeerReport(
  report: PeerRunReport,
  req: PeerRunRequest,
  latencyTokens: number,
): string[] {
  const jobs = req.texts.length * req.rates.length;
  const tps = (ms: number) => `${((jobs / ms) * 1000).toFixed(1).padStart(7)} texts/s`;
  const runs = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  const { throughputMs: t, latencyMs: l } = report;
  const lines = [
    `  outputs: ${report.identical}/${report.compared} (text, γ) pairs keep the same words on both sides${report.identical === report.compared ? '' : '  <-- DIFFERENT'}`,
  ];
  if (report.firstDifference) {
    const d = report.firstDifference;
    lines.push(`    first difference: text #${d.text + 1}, γ ${d.rate}`);
    lines.push(`      ours: ${d.ours.slice(0, 200)}`);
    lines.push(`      peer: ${d.peer.slice(0, 200)}`);
  }
  lines.push(
    `  throughput, ${req.texts.length} CoTs × γ ${req.rates.join('/')} = ${jobs} compressions, best of ${req.rounds}:`,
    `    ours (score once, select per γ)   ${tps(t.ours)}   ${(t.ours / 1000).toFixed(2)} s, ${report.modelCalls.ours} model calls  (runs ms: ${runs(report.throughputRuns.ours)})`,
    `    peer @atjsh/llmlingua-2           ${tps(t.peer)}   ${(t.peer / 1000).toFixed(2)} s  (runs ms: ${runs(report.throughputRuns.peer)})`,
    `    ours / peer                       ${(t.peer / t.ours).toFixed(2)}×  (target ≥ 1.5×)`,
    `    ours with the peer's call pattern ${tps(t.oursPerCall)}   ${report.modelCalls.oursPerCall} model calls; ${(t.peer / t.oursPerCall).toFixed(2)}× the peer  (runs ms: ${runs(report.throughputRuns.oursPerCall)})`,
    `  single-text latency, CoT #${req.latencyText + 1} (${latencyTokens} scorer tokens), γ ${req.rates[0]}, median of ${report.latencyRuns.ours.length}, alternating which side goes first:`,
    `    ours ${l.ours.toFixed(1)} ms   peer ${l.peer.toFixed(1)} ms   peer / ours ${(l.peer / l.ours).toFixed(2)}×  (target ≥ 1.00×)`,
    `    run first in the pair: ours ${report.latencyFirstMs.ours.toFixed(1)} ms   peer ${report.latencyFirstMs.peer.toFixed(1)} ms   peer / ours ${(report.latencyFirstMs.peer / report.latencyFirstMs.ours).toFixed(2)}×  (median of ${pairsOf(report)} each)`,
    `    fastest run: ours ${Math.min(...report.latencyRuns.ours).toFixed(1)} ms, peer ${Math.min(...report.latencyRuns.peer).toFixed(1)} ms  (runs ms: ours ${runs(report.latencyRuns.ours)}; peer ${runs(report.latencyRuns.peer)})`,
  );
  return lines;
}
