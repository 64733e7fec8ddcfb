/**
 * JSONL input and crash-safe output for the CLI (merged from the compress and grade commands).
 *
 * - `readJsonl`: parse and check a whole file before any work starts (bad line -> error by number);
 *   `readJsonlFile` / `parseJsonl`: every line with its number, a bad line reported, not thrown.
 * - `writeFileAtomic`: temp file + rename, so a failed run never leaves a partial file behind.
 *
 * Input is parsed and checked whole before any work starts, so a bad line is reported by number and
 * nothing is written. Output goes to `<out>.partial` (appended group by group, with a fingerprint of
 * the job beside it) and is renamed onto `<out>` only when the job is complete: an interrupted run
 * resumes from the last complete line, and `<out>` never holds half a result.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TokenSkipError } from '../core/errors.ts';

export type JsonRecord = Record<string, unknown>;

export interface ParsedJsonl {
  records: JsonRecord[];
  /** 1-based line number of each record in the file (blank lines are skipped). */
  lines: number[];
  sha256: string;
}

export async function readJsonl(file: string): Promise<ParsedJsonl> {
  if (!existsSync(file))
    throw new TokenSkipError('INVALID_ARGUMENT', `Input file not found: ${file}.`);
  const bytes = await readFile(file);
  const text = bytes.toString('utf8');
  const records: JsonRecord[] = [];
  const lines: number[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TokenSkipError(
        'MALFORMED_JSONL',
        `${file}:${i + 1}: not valid JSON (${(error as Error).message}). Fix or remove that line.`,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TokenSkipError(
        'MALFORMED_JSONL',
        `${file}:${i + 1}: each line must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}.`,
      );
    }
    records.push(value as JsonRecord);
    lines.push(i + 1);
  });
  return { records, lines, sha256: createHash('sha256').update(bytes).digest('hex') };
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

/** A resumable JSONL output: `<out>.partial` + `<out>.partial.meta.json`, renamed onto `<out>` at the end. */
export class ResumableJsonlWriter {
  readonly partial: string;
  readonly meta: string;
  private constructor(
    readonly out: string,
    readonly done: number,
  ) {
    this.partial = `${out}.partial`;
    this.meta = `${out}.partial.meta.json`;
  }

  /**
   * Opens the output for a job identified by `fingerprint`. A partial output of the same job is
   * resumed (a torn last line is cut off); one of another job is an error unless `fresh`.
   */
  static async open(
    out: string,
    fingerprint: JsonRecord,
    fresh: boolean,
  ): Promise<ResumableJsonlWriter> {
    const partial = `${out}.partial`;
    const meta = `${out}.partial.meta.json`;
    const expected = JSON.stringify(fingerprint);
    if (fresh || !existsSync(partial) || !existsSync(meta)) {
      await rm(partial, { force: true });
      await writeFileAtomic(meta, expected);
      await writeFile(partial, '');
      return new ResumableJsonlWriter(out, 0);
    }
    if ((await readFile(meta, 'utf8')) !== expected) {
      throw new TokenSkipError(
        'INVALID_ARGUMENT',
        `${partial} belongs to a run with other input or settings. Re-run with the same ones to resume it, or add --fresh to start over.`,
      );
    }
    const text = await readFile(partial, 'utf8');
    const complete = text.lastIndexOf('\n') + 1;
    if (complete < text.length) await truncate(partial, Buffer.byteLength(text.slice(0, complete)));
    const done = text
      .slice(0, complete)
      .split('\n')
      .filter((l) => l !== '').length;
    return new ResumableJsonlWriter(out, done);
  }

  async append(records: JsonRecord[]): Promise<void> {
    if (records.length === 0) return;
    await appendFile(this.partial, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  async finish(): Promise<void> {
    await rename(this.partial, this.out);
    await rm(this.meta, { force: true });
  }
}

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
