/**
 * JSONL input and crash-safe output for the CLI (merged from the compress and grade commands).
 *
 * - `readJsonl`: parse and check a whole file before any work starts (bad line -> error by number);
 *   `readJsonlFile` / `parseJsonl`: every line with its number, a bad line reported, not thrown.
 * - `writeFileAtomic` (from ./output.ts, the one atomic writer): exclusive temp file + rename, so a
 *   failed run never leaves a partial file behind.
 *
 * Input is parsed and checked whole before any work starts, so a bad line is reported by number and
 * nothing is written. Output goes to `<out>.partial` (appended group by group, with a fingerprint of
 * the job beside it) and is renamed onto `<out>` only when the job is complete: an interrupted run
 * resumes after the last line verified against its input record, and `<out>` never holds half a
 * result or garbage. Input files are decoded by ./output.ts (BOM skipped, UTF-16 / binary named).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, readFile, rm, rename, truncate } from 'node:fs/promises';
import { TokenSkipError } from '../core/errors.ts';
import {
  checkOutput,
  createExclusive,
  decodeInput,
  readInputBytes,
  writeFileAtomic,
} from './output.ts';

export { writeFileAtomic } from './output.ts';

export type JsonRecord = Record<string, unknown>;

export interface ParsedJsonl {
  records: JsonRecord[];
  /** 1-based line number of each record in the file (blank lines are skipped). */
  lines: number[];
  sha256: string;
}

/**
 * Deepest nesting a line may have. JSON.parse copes with any depth, but JSON.stringify and object
 * copies recurse and would die with "Maximum call stack size exceeded" far below what V8 parses.
 */
export const MAX_JSON_DEPTH = 1000;

/** Why `line` cannot be used as JSON (invalid, or nested too deeply), or undefined if it is fine. */
function parseLine(line: string): { value: unknown } | { error: string } {
  if (line.length > MAX_JSON_DEPTH) {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (inString) {
        if (c === 0x5c) i++;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x5b || c === 0x7b) {
        if (++depth > MAX_JSON_DEPTH) {
          return {
            error: `nested deeper than ${MAX_JSON_DEPTH} levels; flatten that line`,
          };
        }
      } else if (c === 0x5d || c === 0x7d) depth--;
    }
  }
  try {
    return { value: JSON.parse(line) as unknown };
  } catch (error) {
    return { error: `not valid JSON (${(error as Error).message})` };
  }
}

export async function readJsonl(file: string, what = '--in'): Promise<ParsedJsonl> {
  const bytes = await readInputBytes(file, what);
  const text = decodeInput(bytes, file, what);
  const records: JsonRecord[] = [];
  const lines: number[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const parsed = parseLine(line);
    if ('error' in parsed) {
      throw new TokenSkipError(
        'MALFORMED_JSONL',
        `${file}:${i + 1}: ${parsed.error}. Fix or remove that line.`,
      );
    }
    const value = parsed.value;
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

/** Checks that a line kept in `<out>.partial` is the output of input record `index`. */
export type ResumeCheck = (record: JsonRecord, index: number) => boolean;

/** A resumable JSONL output: `<out>.partial` + `<out>.partial.meta.json`, renamed onto `<out>` at the end. */
export class ResumableJsonlWriter {
  readonly partial: string;
  readonly meta: string;
  private constructor(
    readonly out: string,
    readonly done: number,
    /** Bytes of unverified lines cut off the partial output on resume (0 when none). */
    readonly repairedBytes: number,
  ) {
    this.partial = `${out}.partial`;
    this.meta = `${out}.partial.meta.json`;
  }

  /**
   * Opens the output for a job identified by `fingerprint`. A partial output of the same job is
   * resumed: every kept line must parse and pass `check` (it is the output of its input record,
   * in order); the first line that does not, and everything after it (a torn write, garbage, a
   * duplicate), is cut off and redone. A partial output of another job is an error unless `fresh`.
   */
  static async open(
    out: string,
    fingerprint: JsonRecord,
    fresh: boolean,
    check: ResumeCheck = () => true,
  ): Promise<ResumableJsonlWriter> {
    const partial = `${out}.partial`;
    const meta = `${out}.partial.meta.json`;
    await checkOutput(partial, [], 'partial output');
    await checkOutput(meta, [], 'partial output');
    const expected = JSON.stringify(fingerprint);
    if (fresh || !existsSync(partial) || !existsSync(meta)) {
      await rm(partial, { force: true });
      await writeFileAtomic(meta, expected);
      await createExclusive(partial);
      return new ResumableJsonlWriter(out, 0, 0);
    }
    if ((await readFile(meta, 'utf8')) !== expected) {
      throw new TokenSkipError(
        'INVALID_ARGUMENT',
        `${partial} belongs to a run with other input or settings. Re-run with the same ones to resume it, or add --fresh to start over.`,
      );
    }
    const bytes = await readFile(partial);
    let verified = 0;
    let done = 0;
    while (verified < bytes.length) {
      const end = bytes.indexOf(0x0a, verified);
      if (end < 0) break; // a torn last line
      const parsed = parseLine(bytes.subarray(verified, end).toString('utf8'));
      const record = 'value' in parsed ? parsed.value : undefined;
      if (
        typeof record !== 'object' ||
        record === null ||
        Array.isArray(record) ||
        !check(record as JsonRecord, done)
      ) {
        break;
      }
      done++;
      verified = end + 1;
    }
    if (verified < bytes.length) await truncate(partial, verified);
    return new ResumableJsonlWriter(out, done, bytes.length - verified);
  }

  async append(records: JsonRecord[]): Promise<void> {
    if (records.length === 0) return;
    await appendFile(this.partial, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  async finish(): Promise<void> {
    await checkOutput(this.out, []);
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
    const parsed = parseLine(line);
    out.push(
      'error' in parsed
        ? { line: i + 1, error: parsed.error.replace(/^not valid JSON/, 'invalid JSON') }
        : { line: i + 1, value: parsed.value },
    );
  });
  return out;
}

/** Reads and parses a JSONL file; a missing, unreadable or non-text file is a TokenSkipError. */
export async function readJsonlFile(path: string, what = '--in'): Promise<JsonlLine[]> {
  return parseJsonl(decodeInput(await readInputBytes(path, what), path, what));
}

/** One JSON document per line, with a final newline. */
export function toJsonl(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join('\n') + (values.length > 0 ? '\n' : '');
}
