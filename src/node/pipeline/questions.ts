/**
 * The question files `tokenskip collect` and `tokenskip eval` read (GSM8K-style `question` or
 * MATH-style `problem`, plus `answer`), and the grading rules that go with them.
 */
import type { Dataset } from '../../core/eval/index.ts';
import { UsageError } from '../args.ts';
import { readJsonlRecords } from '../jsonl.ts';
import { stringField } from './records.ts';

export interface Question {
  id: string;
  question: string;
  answer: string;
}

/** `--dataset`: gsm8k, math, or undefined to decide from the file. */
export function datasetOption(value: string | undefined): Dataset | undefined {
  if (value !== undefined && value !== 'gsm8k' && value !== 'math') {
    throw new UsageError(`--dataset must be gsm8k or math, got '${value}'.`);
  }
  return value;
}

/**
 * The first `limit` lines of `input` as read, their questions, and the grading rules (math when
 * lines have `problem`).
 */
export async function readQuestions(
  input: string,
  limit: number | undefined,
  dataset: Dataset | undefined,
): Promise<{ rows: Record<string, unknown>[]; questions: Question[]; dataset: Dataset }> {
  // Streamed, and stopped after `limit` records: a huge file costs no more than its first lines.
  const rows: Record<string, unknown>[] = [];
  const questions: Question[] = [];
  if (limit === 0) return { rows, questions, dataset: dataset ?? 'gsm8k' };
  for await (const { record: r, line } of readJsonlRecords(input)) {
    rows.push(r);
    questions.push({
      id: String(r.id ?? rows.length - 1),
      question: stringField(r, ['question', 'problem'], `${input}:${line}`),
      answer: stringField(r, ['answer'], `${input}:${line}`),
    });
    if (limit !== undefined && rows.length >= limit) break;
  }
  return { rows, questions, dataset: dataset ?? ('problem' in (rows[0] ?? {}) ? 'math' : 'gsm8k') };
}
