/**
 * The question files `tokenskip collect` and `tokenskip eval` read (GSM8K-style `question` or
 * MATH-style `problem`, plus `answer`), and the grading rules that go with them.
 */
import type { Dataset } from '../../core/eval/index.ts';
import { UsageError } from '../args.ts';
import { readJsonl, stringField } from './records.ts';

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
  let rows = await readJsonl(input);
  if (limit !== undefined) rows = rows.slice(0, limit);
  const questions = rows.map((r, i) => ({
    id: String(r.id ?? i),
    question: stringField(r, ['question', 'problem'], `${input}:${i + 1}`),
    answer: stringField(r, ['answer'], `${input}:${i + 1}`),
  }));
  return { rows, questions, dataset: dataset ?? ('problem' in (rows[0] ?? {}) ? 'math' : 'gsm8k') };
}
