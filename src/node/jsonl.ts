/**
 * JSONL in and out for CLI commands: read every line with its number (a bad line is reported,
 * not thrown), and write output atomically (temp file + rename) so a failed run never leaves a
 * partial file behind.
 *
 *   const lines = await readJsonlFile('results.jsonl'); // [{ line: 1, value: {...} }, { line: 2, error: '...' }]
 *   await writeFileAtomic('graded.jsonl', toJsonl(records));
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TokenSkipError } from '../core/errors.ts';

/** One non-blank line of a JSONL file: its parsed value, or why it could not be parsed. */
export type JsonlLine = { line: number; value: unknown } | { line: number; error: string };

/** Parses JSONL text; blank lines are skipped, line numbers are 1-based. */
export function parseJsonl(text: string): JsonlLine[] {
  const out: JsonlLine[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    try {
      out.push({ line: i + 1, value: JSON.parse(line) as unknown });
    } catch (error) {
      out.push({ line: i + 1, error: `invalid JSON (${(error as Error).message})` });
    }
  });
  return out;
}

/** Reads and parses a JSONL file; a missing or unreadable file is a TokenSkipError. */
export async function readJsonlFile(path: string, what = '--in'): Promise<JsonlLine[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `Cannot read ${what} file '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Check the path.`,
      { cause: error },
    );
  }
  return parseJsonl(text);
}

/** One JSON document per line, with a final newline. */
export function toJsonl(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join('\n') + (values.length > 0 ? '\n' : '');
}

/** Writes `content` to a temp file beside `path`, then renames it over `path`. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  try {
    await writeFile(temp, content, 'utf8');
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `Cannot write '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Check that its folder exists and is writable.`,
      { cause: error },
    );
  }
}
