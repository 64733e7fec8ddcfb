/**
 * `tokenskip report`: turns graded JSONL files into TokenSkip's metrics (accuracy, ΔAcc, CoT
 * tokens, actual ratio, latency, speedup), printed as a paper-style Markdown table and written as
 * JSON / CSV.
 *
 *   npx tokenskip report --in original.jsonl --in gamma-0.6.jsonl --out-json report.json --out-csv report.csv
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { TokenSkipError } from '../../core/errors.ts';
import {
  groupRuns,
  summarizeRuns,
  toCsv,
  toJson,
  toMarkdownTable,
  type RunRecord,
} from '../../core/eval/index.ts';
import { readJsonlFile, writeFileAtomic } from '../jsonl.ts';
import { loadTokenCounter } from '../token-counter.ts';
import type { Command } from './types.ts';

const usage = `Usage: tokenskip report --in RESULTS.jsonl [--in MORE.jsonl ...] [--out-json F] [--out-csv F] [--out-md F]

Summarises graded runs (lines written by 'tokenskip grade') in TokenSkip's terms and prints a
Markdown table in the layout of the paper's tables.

Each line needs "correct" (boolean). Used when present: "output" (its CoT, the text before
"\\n\\nThe final answer is:", is counted), "cot_tokens", "latency_s" (or "latency_ms"),
"decode_tokens_per_s", "id", "prediction".
Run fields "run", "model", "dataset", "method", "gamma" (default 1) and "original" (true for the
baseline) group lines into runs; lines without "run" form one run per file and metadata.
ΔAcc, ratio and speedup are measured against the baseline of the same model and dataset: the run
marked original, else method "Original", else the run with gamma 1.

Options:
  --in FILE          graded JSONL (repeatable; files may also be given as arguments)
  --out-json FILE    write the full report (per-sample records included)
  --out-csv FILE     write one CSV row per run
  --out-md FILE      write the Markdown table
  --tokenizer T      counts CoT tokens where lines lack "cot_tokens": cl100k (default), a
                     tokenizer.json file, or a folder holding one (the target model's tokenizer)
  --strict           stop at the first malformed line
`;

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The fields of one graded line, or why it is malformed. */
function toRecord(value: unknown, source: string): RunRecord | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'expected a JSON object';
  }
  const v = value as Record<string, unknown>;
  if (typeof v.correct !== 'boolean') {
    return "field 'correct' must be true or false (grade the file with 'tokenskip grade' first)";
  }
  if (v.gamma !== undefined && num(v.gamma) === undefined) return "field 'gamma' must be a number";
  const record: RunRecord = { correct: v.correct, source };
  for (const field of ['run', 'model', 'dataset', 'method'] as const) {
    const text = str(v[field]);
    if (text !== undefined) record[field] = text;
  }
  const gamma = num(v.gamma);
  if (gamma !== undefined) record.gamma = gamma;
  if (typeof v.original === 'boolean') record.original = v.original;
  if (typeof v.id === 'string' || typeof v.id === 'number') record.id = String(v.id);
  if (typeof v.prediction === 'string' || Array.isArray(v.prediction)) {
    record.prediction = v.prediction as string | string[];
  }
  if (typeof v.output === 'string') record.output = v.output;
  const cot = num(v.cot_tokens);
  if (cot !== undefined) record.cotTokens = cot;
  const latencyS =
    num(v.latency_s) ?? (num(v.latency_ms) !== undefined ? num(v.latency_ms)! / 1000 : undefined);
  if (latencyS !== undefined) record.latencyS = latencyS;
  const decode = num(v.decode_tokens_per_s);
  if (decode !== undefined) record.decodeTokensPerS = decode;
  return record;
}

function parseOptions(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        in: { type: 'string', multiple: true },
        'out-json': { type: 'string' },
        'out-csv': { type: 'string' },
        'out-md': { type: 'string' },
        tokenizer: { type: 'string', default: 'cl100k' },
        strict: { type: 'boolean', default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new TokenSkipError('INVALID_ARGUMENT', `${(error as Error).message}.\n\n${usage}`);
  }
  const { values, positionals } = parsed;
  const inputs = [...(values.in ?? []), ...positionals];
  if (inputs.length === 0) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      'Give at least one graded file: --in RESULTS.jsonl.',
    );
  }
  return { ...values, inputs };
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'Summarise graded runs: accuracy, ΔAcc, CoT tokens, ratio, speedup (JSON/CSV/Markdown)',
  usage,
  async run(argv, io) {
    const opts = parseOptions(argv);
    const records: RunRecord[] = [];
    let malformed = 0;
    for (const file of opts.inputs) {
      for (const entry of await readJsonlFile(file)) {
        const record = 'error' in entry ? entry.error : toRecord(entry.value, basename(file));
        if (typeof record === 'string') {
          const message = `${file}:${entry.line}: ${record}`;
          if (opts.strict) {
            throw new TokenSkipError(
              'MALFORMED_JSONL',
              `${message}. Fix the line or run without --strict.`,
            );
          }
          io.stderr.write(`tokenskip report: skipping ${message}\n`);
          malformed++;
          continue;
        }
        records.push(record);
      }
    }
    if (records.length === 0) {
      throw new TokenSkipError('EMPTY_INPUT', `No graded lines in ${opts.inputs.join(', ')}.`);
    }
    const needTokens = records.some((r) => r.cotTokens === undefined && r.output !== undefined);
    const counter = needTokens ? await loadTokenCounter(opts.tokenizer) : undefined;
    const summaries = summarizeRuns(
      groupRuns(records),
      counter ? { countTokens: counter.count } : {},
    );
    const table = toMarkdownTable(summaries);
    io.stdout.write(table);
    const meta = {
      tokenizer: counter?.label ?? 'cot_tokens from the input',
      createdAt: new Date().toISOString(),
      inputs: opts.inputs,
      malformedLines: malformed,
    };
    if (opts['out-json']) await writeFileAtomic(opts['out-json'], toJson(summaries, meta));
    if (opts['out-csv']) await writeFileAtomic(opts['out-csv'], toCsv(summaries));
    if (opts['out-md']) await writeFileAtomic(opts['out-md'], table);
    if (malformed > 0) io.stderr.write(`tokenskip report: ${malformed} malformed lines skipped\n`);
    return 0;
  },
};
