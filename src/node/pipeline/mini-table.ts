/**
 * The paper-style table of a `tokenskip mini` run, from its two `tokenskip eval` reports: the
 * original base model (no TokenSkip training, γ = 1) and the TokenSkip model at each γ.
 *
 * As in the TokenSkip paper, ΔAcc, the actual ratio and the speedup are relative to the original
 * model; `ratio_vs_gamma1` is relative to the TokenSkip model's own γ = 1 row.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GammaResult } from '../commands/eval.ts';

export interface MiniRow {
  method: 'Original' | 'TokenSkip';
  gamma: number;
  accuracy: number;
  delta_acc: number;
  cot_tokens: number;
  actual_ratio: number;
  ratio_vs_gamma1: number;
  latency_s: number;
  speedup: number;
}

export interface MiniTable {
  n: number;
  rows: MiniRow[];
}

async function results(path: string): Promise<{ n: number; results: GammaResult[] }> {
  return JSON.parse(await readFile(path, 'utf8')) as { n: number; results: GammaResult[] };
}

export async function miniTable(out: string): Promise<MiniTable> {
  const base = await results(join(out, 'eval-base.json'));
  const ts = await results(join(out, 'eval-tokenskip.json'));
  const orig = base.results.find((r) => r.gamma === 1)!;
  const g1 = ts.results.find((r) => r.gamma === 1);
  const row = (method: MiniRow['method'], r: GammaResult): MiniRow => ({
    method,
    gamma: r.gamma,
    accuracy: r.accuracy,
    delta_acc: r.accuracy - orig.accuracy,
    cot_tokens: r.cot_tokens,
    actual_ratio: orig.cot_tokens ? r.cot_tokens / orig.cot_tokens : 0,
    ratio_vs_gamma1: g1?.cot_tokens ? r.cot_tokens / g1.cot_tokens : 0,
    latency_s: r.latency_s,
    speedup: r.latency_s ? orig.latency_s / r.latency_s : 0,
  });
  return {
    n: ts.n,
    rows: [row('Original', orig), ...ts.results.map((r) => row('TokenSkip', r))],
  };
}

/** Markdown, laid out like the paper's table. */
export function tableMarkdown(t: MiniTable): string {
  const pct = (x: number) => (100 * x).toFixed(1);
  const lines = [
    '| Method | γ | Accuracy | ΔAcc | CoT tokens | Actual ratio | Latency (s) | Speedup |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...t.rows.map(
      (r) =>
        `| ${r.method} | ${r.method === 'Original' ? '-' : r.gamma.toFixed(1)} | ${pct(r.accuracy)} | ${r.method === 'Original' ? '-' : (r.delta_acc >= 0 ? '+' : '') + pct(r.delta_acc)} | ${r.cot_tokens.toFixed(1)} | ${r.actual_ratio.toFixed(2)} | ${r.latency_s.toFixed(3)} | ${r.speedup.toFixed(2)}x |`,
    ),
  ];
  return lines.join('\n');
}
