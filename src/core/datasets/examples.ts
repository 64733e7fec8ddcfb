/**
 * The datasets shipped in `data/` as question/CoT examples: TinyArith (question, answer, cot; the
 * mini models' task, src/core/datasets/arith.ts), GSM8K (question, answer, cot with `<<a*b=c>>`
 * calculator notes) and MATH-500 (problem, solution, answer).
 */
import { TokenSkipError } from '../errors.ts';

export type DatasetId =
  'arith-test' | 'arith-train' | 'gsm8k-test' | 'gsm8k-train' | 'math500-test';

export const datasets: Record<DatasetId, { label: string; path: string }> = {
  'arith-test': { label: 'TinyArith test (1,000)', path: 'data/arith/test.jsonl' },
  'arith-train': { label: 'TinyArith train (5,000)', path: 'data/arith/train.jsonl' },
  'gsm8k-test': { label: 'GSM8K test (1,319)', path: 'data/gsm8k/test.jsonl' },
  'gsm8k-train': { label: 'GSM8K train (7,473)', path: 'data/gsm8k/train.jsonl' },
  'math500-test': { label: 'MATH-500 test (500)', path: 'data/math-500/test.jsonl' },
};

export interface Example {
  id: string;
  question: string;
  cot: string;
  answer: string;
}

/** GSM8K's calculator annotations are not part of a CoT a model would write. */
export function stripCalculatorNotes(cot: string): string {
  return cot.replace(/<<[^>]*>>/g, '');
}

export function parseExamples(dataset: DatasetId, jsonl: string): Example[] {
  return jsonl
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      let row: Record<string, unknown>;
      try {
        row = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new TokenSkipError('MALFORMED_JSONL', {
          id: 'datasetLineNotJson',
          params: { file: datasets[dataset].path, line: i + 1 },
        });
      }
      if (dataset === 'math500-test') {
        return {
          id: String(row.unique_id ?? i),
          question: String(row.problem),
          cot: String(row.solution),
          answer: String(row.answer),
        };
      }
      return {
        id: String(row.id ?? i),
        question: String(row.question),
        cot: stripCalculatorNotes(String(row.cot)),
        answer: String(row.answer),
      };
    });
}
