/**
 * `tokenskip report`: turns graded JSONL files into TokenSkip's metrics (accuracy, ΔAcc, CoT
 * tokens, actual ratio, latency, speedup), printed as a paper-style Markdown table and written as
 * JSON / CSV.
 *
 *   npx tokenskip report --in original.jsonl --in gamma-0.6.jsonl --out-json report.json --out-csv report.csv
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, join, normalize } from 'node:path';
import { TokenSkipError } from '../../core/errors.ts';
import {
  groupRuns,
  summarizeRuns,
  toCsv,
  toJson,
  toMarkdownTable,
  type RunRecord,
} from '../../core/eval/index.ts';
import { validateGamma } from '../../core/prompts/gamma.ts';
import { readJsonlLines } from '../jsonl.ts';
import { loadTokenCounter } from '../token-counter.ts';
import { parseCommandArgs, UsageError } from '../args.ts';
import { guardOutputs, writeFileAtomic } from '../output.ts';
import { commandInfo } from './table.mjs';
import type { Command, CommandIO } from './types.ts';

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
  if (v.gamma !== undefined) {
    try {
      validateGamma(v.gamma, "field 'gamma'");
    } catch {
      return `field 'gamma' must be a number in (0, 1], got ${JSON.stringify(v.gamma)}`;
    }
  }
  for (const field of ['latency_s', 'latency_ms', 'cot_tokens', 'decode_tokens_per_s']) {
    const value = v[field];
    if (value !== undefined && value !== null && !(num(value) !== undefined && num(value)! >= 0)) {
      return `field '${field}' must be a number >= 0, got ${JSON.stringify(value)}`;
    }
  }
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
  const { values, positionals } = parseCommandArgs(
    'report',
    argv,
    {
      in: { type: 'string', multiple: true },
      'out-json': { type: 'string' },
      'out-csv': { type: 'string' },
      'out-md': { type: 'string' },
      tokenizer: { type: 'string', default: 'cl100k' },
      strict: { type: 'boolean', default: false },
    },
    { positionals: Infinity },
  );
  const inputs = [...(values.in ?? []), ...positionals];
  if (inputs.length === 0) {
    throw new UsageError('Give at least one graded file: --in RESULTS.jsonl.');
  }
  const outputs = (['out-json', 'out-csv', 'out-md'] as const)
    .map((flag) => [flag, values[flag]] as const)
    .filter((o): o is readonly [(typeof o)[0], string] => o[1] !== undefined);
  return { ...values, inputs, outputs };
}

export const reportCommand: Command = {
  ...commandInfo('report'),
  async run(argv, io) {
    const opts = parseOptions(argv);
    // Everything report reads: the graded files and the tokenizer (a file and the config beside
    // it, or a folder; `cl100k` names no file).
    const tokenizer = opts.tokenizer;
    const named = tokenizer === 'cl100k' || tokenizer === 'cl100k_base';
    const inputs = [
      ...opts.inputs,
      ...(named ? [] : [tokenizer, join(dirname(tokenizer), 'tokenizer_config.json')]),
    ];
    return guardOutputs(
      opts.outputs.map(([flag, path]) => ({ path, what: `--${flag}` })),
      inputs,
      () => report(opts, io),
    );
  },
};

/**
 * The run label of each input file: its name, or its path where two inputs share a name
 * (a/results.jsonl and b/results.jsonl are two runs, never one). The same file given twice is
 * refused: its lines would count twice.
 */
async function sourceLabels(inputs: readonly string[]): Promise<string[]> {
  const seen = new Map<string, string>();
  for (const file of inputs) {
    const info = await stat(file).catch(() => undefined);
    if (!info) continue;
    const id = `${info.dev}:${info.ino}`;
    const before = seen.get(id);
    if (before !== undefined) {
      throw new UsageError(
        `--in '${file}' is the same file as --in '${before}'; give each graded file once (its lines would count twice).`,
      );
    }
    seen.set(id, file);
  }
  const names = inputs.map((f) => basename(f));
  return inputs.map((f, i) =>
    names.filter((n) => n === names[i]).length > 1 ? normalize(f) : names[i]!,
  );
}

async function report(opts: ReturnType<typeof parseOptions>, io: CommandIO): Promise<number> {
  const records: RunRecord[] = [];
  let malformed = 0;
  const labels = await sourceLabels(opts.inputs);
  for (const [k, file] of opts.inputs.entries()) {
    for await (const entry of readJsonlLines(file)) {
      const record = 'error' in entry ? entry.error : toRecord(entry.value, labels[k]!);
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
  // The report is this command's data: the Markdown table, or with --json the JSON report.
  io.stdout.write(opts.json ? toJson(summaries, meta) : table);
  return 0;
}
