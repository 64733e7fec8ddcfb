/**
 * The paper-style reference table of a TokenSkip model (the shipped mini's is models/mini/table.json),
 * from two `tokenskip eval` reports: the original base model (no TokenSkip training, γ = 1) and the
 * TokenSkip model at each γ. Shared by the CLI (`tokenskip mini`) and the Benchmark page.
 *
 * As in the TokenSkip paper, ΔAcc, the actual ratio and the speedup are relative to the original
 * model; `ratio_vs_gamma1` is relative to the TokenSkip model's own γ = 1 row.
 */
import { gammaCell } from '../prompts/gamma.ts';
import type { RunSummary } from './metrics.ts';
import type { GammaTiming } from '../benchmark/results.ts';

/** Per-γ means of one `tokenskip eval` report (the CLI's GammaResult). */
export interface EvalRow {
  gamma: number;
  accuracy: number;
  cot_tokens: number;
  latency_s: number;
}

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
  /** Accuracy and CoT length per test-problem language, row by row (when there are several). */
  by_language?: Record<string, LanguageRow[]>;
}

export interface LanguageRow {
  method: MiniRow['method'];
  gamma: number;
  n: number;
  accuracy: number;
  cot_tokens: number;
}

/** The table from the original model's γ = 1 row and the TokenSkip model's rows. */
export function referenceTable(n: number, orig: EvalRow, tokenskip: EvalRow[]): MiniTable {
  const g1 = tokenskip.find((r) => r.gamma === 1);
  const row = (method: MiniRow['method'], r: EvalRow): MiniRow => ({
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
  return { n, rows: [row('Original', orig), ...tokenskip.map((r) => row('TokenSkip', r))] };
}

/** Markdown, laid out like the paper's table. */
export function tableMarkdown(t: MiniTable): string {
  const pct = (x: number) => (100 * x).toFixed(1);
  const lines = [
    '| Method | γ | Accuracy | ΔAcc | CoT tokens | Actual ratio | Latency (s) | Speedup |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...t.rows.map(
      (r) =>
        `| ${r.method} | ${r.method === 'Original' ? '-' : gammaCell(r.gamma)} | ${pct(r.accuracy)} | ${r.method === 'Original' ? '-' : (r.delta_acc >= 0 ? '+' : '') + pct(r.delta_acc)} | ${r.cot_tokens.toFixed(1)} | ${r.actual_ratio.toFixed(2)} | ${r.latency_s.toFixed(3)} | ${r.speedup.toFixed(2)}x |`,
    ),
  ];
  const languages = Object.keys(t.by_language ?? {});
  if (languages.length > 1) {
    const by = t.by_language!;
    lines.push(
      '',
      `| Method | γ | ${languages.map((l) => `Accuracy (${l}) | CoT tokens (${l})`).join(' | ')} |`,
      `| --- | --- | ${languages.map(() => '--- | ---').join(' | ')} |`,
      ...by[languages[0]!]!.map(
        (r, i) =>
          `| ${r.method} | ${r.method === 'Original' ? '-' : gammaCell(r.gamma)} | ${languages
            .map((l) => by[l]![i]!)
            .map((x) => `${pct(x.accuracy)} | ${x.cot_tokens.toFixed(1)}`)
            .join(' | ')} |`,
      ),
    );
  }
  return lines.join('\n');
}

/**
 * The reference table as the Benchmark page's rows (the grader's RunSummary), so the page can open
 * on this finished result with the same table and charts a run in the browser fills: the original
 * model's row first, every row measured against it. No samples (the table keeps means only).
 */
export function referenceRunSummaries(
  t: MiniTable,
  models: { original: string; tokenskip: string; dataset: string },
): RunSummary[] {
  const originalName = `${models.original} ${models.dataset} original`;
  return t.rows.map((r) => {
    const original = r.method === 'Original';
    return {
      name: original ? originalName : `${models.tokenskip} ${models.dataset} γ=${r.gamma}`,
      method: original ? 'Original' : r.gamma === 1 ? 'TokenSkip γ=1' : 'TokenSkip',
      model: original ? models.original : models.tokenskip,
      dataset: models.dataset,
      gamma: r.gamma,
      original,
      n: t.n,
      correct: Math.round(r.accuracy * t.n),
      accuracyPct: 100 * r.accuracy,
      deltaAccPct: 100 * r.delta_acc,
      meanCotTokens: r.cot_tokens,
      actualRatio: r.actual_ratio,
      meanLatencyS: r.latency_s,
      speedup: r.speedup,
      decodeTokensPerS: null,
      baseline: originalName,
      samples: [],
    };
  });
}

/**
 * Timing rows for {@link referenceRunSummaries}: the table keeps means of CoT tokens only, so the
 * ideal speedup is 1 / actual ratio (CoT tokens, not every generated token) and speedup / ideal
 * is speedup × actual ratio. The page marks rows far from 1 as it marks a browser run's.
 */
export function referenceTiming(runs: RunSummary[]): GammaTiming[] {
  return runs.map((r) => {
    const tokenSpeedup = r.actualRatio ? 1 / r.actualRatio : null;
    return {
      run: r.name,
      gamma: r.gamma,
      baseline: r.name === r.baseline,
      pairs: r.n,
      meanCompletionTokens: null,
      meanLatencyS: r.meanLatencyS,
      msPerToken: null,
      meanTimeToFirstTokenMs: null,
      meanDecodeTokensPerS: null,
      tokenSpeedup,
      speedup: r.speedup,
      speedupOverIdeal: tokenSpeedup && r.speedup !== null ? r.speedup / tokenSpeedup : null,
    };
  });
}
