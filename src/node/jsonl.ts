/**
 * JSONL input and crash-safe output for the CLI.
 *
 * Input is parsed and checked whole before any work starts, so a bad line is reported by number and
 * nothing is written. Output goes to `<out>.partial` (appended group by group, with a fingerprint of
 * the job beside it) and is renamed onto `<out>` only when the job is complete: an interrupted run
 * resumes from the last complete line, and `<out>` never holds half a result.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
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

/** Writes a whole file atomically: temp file, then rename. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
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
