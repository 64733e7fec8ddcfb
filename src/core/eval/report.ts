/**
 * Reports of run summaries: JSON (everything, per-sample records included), CSV (one row per run)
 * and a Markdown table laid out like the TokenSkip paper's tables (a row per method and γ, a
 * column group per dataset with accuracy, CoT tokens, actual ratio, latency and speedup).
 *
 *   toMarkdownTable(summarizeRuns(runs, { countTokens }))
 *   // | Model | Method | γ | GSM8K Acc. (Δ) | Tokens | Ratio | Latency (s) | Speedup |
 *   // | Qwen2.5-0.5B | Original | 1.0 | 30.0 | 212.4 | 1.00 | 4.10 | 1.00x |
 */
import { gammaCell } from '../prompts/gamma.ts';
import type { RunSummary } from './metrics.ts';

export interface ReportMeta {
  /** How CoT tokens were counted, e.g. `Qwen2.5 tokenizer.json` or `cl100k_base`. */
  tokenizer?: string;
  /** ISO time the report was made. */
  createdAt?: string;
  [key: string]: unknown;
}

/** Everything, as pretty JSON: `{meta, runs: [summary with per-sample records]}`. */
export function toJson(summaries: readonly RunSummary[], meta: ReportMeta = {}): string {
  return JSON.stringify({ meta, runs: summaries }, null, 2) + '\n';
}

export const CSV_COLUMNS = [
  'name',
  'model',
  'dataset',
  'method',
  'gamma',
  'original',
  'n',
  'correct',
  'accuracy_pct',
  'delta_acc_pct',
  'mean_cot_tokens',
  'actual_ratio',
  'mean_latency_s',
  'speedup',
  'decode_tokens_per_s',
  'baseline',
] as const;

/**
 * One CSV cell: RFC 4180 quoting, and text a spreadsheet would run as a formula (starting with =,
 * +, -, @, a tab or a carriage return) prefixed with ' (OWASP's CSV injection advice). Numbers are
 * written as they are, negative ones included.
 */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r\t]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One row per run (RFC 4180 quoting, empty cells for missing values). */
export function toCsv(summaries: readonly RunSummary[]): string {
  const rows = summaries.map((s) =>
    [
      s.name,
      s.model,
      s.dataset,
      s.method,
      s.gamma,
      s.original,
      s.n,
      s.correct,
      s.accuracyPct,
      s.deltaAccPct,
      s.meanCotTokens,
      s.actualRatio,
      s.meanLatencyS,
      s.speedup,
      s.decodeTokensPerS,
      s.baseline,
    ]
      .map(csvCell)
      .join(','),
  );
  return [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

const DATASET_LABELS: Record<string, string> = { gsm8k: 'GSM8K', math: 'MATH-500' };

function fixed(value: number | null, digits: number, suffix = ''): string {
  return value === null ? '–' : `${value.toFixed(digits)}${suffix}`;
}

/**
 * Text for one Markdown table cell, whatever it holds: a pipe would split the cell and a line
 * break the row, and Markdown renders raw HTML (`<img onerror>`), so `&`, `<`, `>` and `|` become
 * entities and line breaks spaces. Every Markdown table we write goes through it.
 */
export function mdCell(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('|', '&#124;')
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
}
const mdText = mdCell;

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
}

function accuracyCell(s: RunSummary): string {
  const acc = s.accuracyPct.toFixed(1);
  return s.deltaAccPct === null || s.name === s.baseline
    ? acc
    : `${acc} (${signed(s.deltaAccPct)})`;
}

/**
 * A Markdown table in the paper's layout: rows are (model, method, γ), ordered as the runs came;
 * each dataset gets `Acc. (Δ)`, `Tokens`, `Ratio`, `Latency (s)` and `Speedup` columns; a cell
 * is `–` where the run did not measure it.
 */
export function toMarkdownTable(summaries: readonly RunSummary[]): string {
  const datasets = [...new Set(summaries.map((s) => s.dataset))];
  const showModel = summaries.some((s) => s.model !== '');
  const rowKeys: string[] = [];
  const rows = new Map<
    string,
    { model: string; method: string; gamma: number; cells: Map<string, RunSummary> }
  >();
  for (const s of summaries) {
    const key = `${s.model}\u0000${s.method}\u0000${s.gamma}`;
    if (!rows.has(key)) {
      rows.set(key, { model: s.model, method: s.method, gamma: s.gamma, cells: new Map() });
      rowKeys.push(key);
    }
    rows.get(key)!.cells.set(s.dataset, s);
  }

  const header = [...(showModel ? ['Model'] : []), 'Method', 'γ'];
  for (const d of datasets) {
    const label = mdCell(DATASET_LABELS[d] ?? (d || 'Run'));
    header.push(`${label} Acc. (Δ)`, 'Tokens', 'Ratio', 'Latency (s)', 'Speedup');
  }
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`];
  for (const key of rowKeys) {
    const row = rows.get(key)!;
    const cells = [
      ...(showModel ? [mdText(row.model)] : []),
      mdText(row.method),
      gammaCell(row.gamma),
    ];
    for (const d of datasets) {
      const s = row.cells.get(d);
      if (!s) {
        cells.push('–', '–', '–', '–', '–');
        continue;
      }
      cells.push(
        accuracyCell(s),
        fixed(s.meanCotTokens, 1),
        fixed(s.actualRatio, 2),
        fixed(s.meanLatencyS, 2),
        fixed(s.speedup, 2, 'x'),
      );
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}
