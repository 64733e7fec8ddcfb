/**
 * JSONL helpers for the trainer commands: records read through the CLI's one strict JSONL reader
 * (line-numbered errors), and required fields with line-numbered errors.
 */
import { TokenSkipError } from '../../core/errors.ts';
import { readJsonl as readJsonlChecked } from '../jsonl.ts';

export async function readJsonl(path: string): Promise<Record<string, unknown>[]> {
  return (await readJsonlChecked(path)).records;
}

/** A required string field, with a line-numbered error when absent. */
export function stringField(rec: Record<string, unknown>, names: string[], where: string): string {
  for (const n of names) {
    const v = rec[n];
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
  }
  throw new TokenSkipError('MALFORMED_JSONL', `${where}: missing field ${names.join(' or ')}.`);
}
