/**
 * JSONL reading with line-numbered errors: a malformed line names the file and line and says
 * what to do, instead of failing somewhere downstream.
 */
import { readFile } from 'node:fs/promises';
import { TokenSkipError } from '../../core/errors.ts';

export async function readJsonl(path: string): Promise<Record<string, unknown>[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new TokenSkipError('MODEL_FILE_MISSING', `${path} does not exist; check the path.`);
  }
  const out: Record<string, unknown>[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim();
    if (!line) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TokenSkipError(
        'MALFORMED_JSONL',
        `${path}:${i + 1}: not valid JSON (${(error as Error).message}); fix or remove the line.`,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TokenSkipError(
        'MALFORMED_JSONL',
        `${path}:${i + 1}: each line must be a JSON object.`,
      );
    }
    out.push(value as Record<string, unknown>);
  }
  return out;
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
