/**
 * JSONL input and crash-safe output for the CLI (merged from the compress and grade commands).
 *
 * - `readJsonlRecords` / `readJsonlLines`: a JSONL file streamed line by line with bounded memory
 *   (./line-reader.ts: a per-line limit checked before a line is buffered), each record with its
 *   line number; a bad line stops the first with an error by number and is reported, not thrown,
 *   by the second. Commands that must check every record before any work make one streaming pass
 *   to check and a second to work, so nothing is written for bad input and memory stays bounded.
 * - `readJsonl`: the same, kept whole in memory, for commands that need every record at once.
 * - `ResumableJsonlWriter`: output goes to `<out>.partial` (appended group by group, with a
 *   fingerprint of the job beside it and a hash of every line in `<out>.partial.sums`) and is
 *   renamed onto `<out>` only when the job is complete: an interrupted run resumes after the last
 *   line whose content matches its recorded hash and its input record, and `<out>` never holds
 *   half a result, garbage or an edited line.
 *
 * Input encodings are checked by ./output.ts (BOM skipped, UTF-16 / binary named).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, readFile, rm, rename, stat, truncate, writeFile } from 'node:fs/promises';
import { TokenSkipError } from '../core/errors.ts';
import { decodeLine, MAX_LINE_BYTES, readLines } from './line-reader.ts';
import { checkOutput, createExclusive, writeFileAtomic } from './output.ts';

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

/** A line's parse result: the value, or why it cannot be used. */
function parseRaw(text: string): { value: unknown } | { error: string } | undefined {
  const line = text.trim();
  return line === '' ? undefined : parseLine(line);
}

export interface ReadJsonlOptions {
  what?: string;
  /** Sees every chunk of the file (to hash it). */
  onChunk?: (chunk: Buffer) => void;
  maxLineBytes?: number;
}

/**
 * Every non-blank line of a JSONL file as a JSON object with its line number, streamed (bounded
 * memory, see ./line-reader.ts). A line that is not a JSON object stops the read with an error
 * naming the line.
 */
export async function* readJsonlRecords(
  file: string,
  options: ReadJsonlOptions = {},
): AsyncGenerator<{ record: JsonRecord; line: number }> {
  const what = options.what ?? '--in';
  for await (const raw of readLines(file, { ...options, what })) {
    const parsed = parseRaw(decodeLine(raw, file, what));
    if (parsed === undefined) continue;
    if ('error' in parsed) {
      throw new TokenSkipError(
        'MALFORMED_JSONL',
        `${file}:${raw.number}: ${parsed.error}. Fix or remove that line.`,
      );
    }
    const value = parsed.value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TokenSkipError(
        'MALFORMED_JSONL',
        `${file}:${raw.number}: each line must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}.`,
      );
    }
    yield { record: value as JsonRecord, line: raw.number };
  }
}

/** A whole JSONL file checked and kept in memory (for commands that need every record at once). */
export async function readJsonl(file: string, what = '--in'): Promise<ParsedJsonl> {
  const hash = createHash('sha256');
  const records: JsonRecord[] = [];
  const lines: number[] = [];
  for await (const { record, line } of readJsonlRecords(file, {
    what,
    onChunk: (chunk) => hash.update(chunk),
  })) {
    records.push(record);
    lines.push(line);
  }
  return { records, lines, sha256: hash.digest('hex') };
}

/** Checks that a line kept in `<out>.partial` is the output of input record `index`. */
export type ResumeCheck = (record: JsonRecord, index: number) => boolean | Promise<boolean>;

/** The hash `<out>.partial.sums` keeps for one output line (its bytes without the newline). */
function lineSum(line: string | Uint8Array): string {
  return createHash('sha256').update(line).digest('hex').slice(0, 16);
}

/** The side files of a resumable output, with what they are (for `checkOutputs`). */
export function resumableSideFiles(out: string): (readonly [string, string])[] {
  return [
    [`${out}.partial`, '.partial file'],
    [`${out}.partial.meta.json`, 'resume fingerprint (.partial.meta.json)'],
    [`${out}.partial.sums`, 'line hashes (.partial.sums)'],
  ];
}

/**
 * A resumable JSONL output: `<out>.partial` + `<out>.partial.meta.json` (the job's fingerprint) +
 * `<out>.partial.sums` (one hash per line written), renamed onto `<out>` at the end.
 */
export class ResumableJsonlWriter {
  readonly partial: string;
  readonly meta: string;
  readonly sums: string;
  private constructor(
    readonly out: string,
    readonly done: number,
    /** Bytes of unverified lines cut off the partial output on resume (0 when none). */
    readonly repairedBytes: number,
  ) {
    this.partial = `${out}.partial`;
    this.meta = `${out}.partial.meta.json`;
    this.sums = `${out}.partial.sums`;
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
    const sumsPath = `${out}.partial.sums`;
    for (const [path] of resumableSideFiles(out)) await checkOutput(path, [], 'partial output');
    const expected = JSON.stringify(fingerprint);
    if (fresh || !existsSync(partial) || !existsSync(meta)) {
      await rm(partial, { force: true });
      await writeFileAtomic(meta, expected);
      await writeFile(sumsPath, '');
      await createExclusive(partial);
      return new ResumableJsonlWriter(out, 0, 0);
    }
    if ((await readFile(meta, 'utf8')) !== expected) {
      throw new TokenSkipError(
        'INVALID_ARGUMENT',
        `${partial} belongs to a run with other input or settings. Re-run with the same ones to resume it, or add --fresh to start over.`,
      );
    }
    // One hash per line written (17 bytes a line, so a million records keep 17 MB in memory):
    // a line whose bytes do not hash to its entry (edited, torn, foreign) is not reused.
    const sums = (await readFile(sumsPath, 'utf8').catch(() => '')).split('\n');
    // Streamed like the input: a partial output can be as large as the input.
    const size = (await stat(partial)).size;
    let verified = 0;
    let done = 0;
    try {
      for await (const raw of readLines(partial, {
        what: 'partial output',
        text: false,
        maxLineBytes: 4 * MAX_LINE_BYTES,
      })) {
        if (!raw.terminated) break; // a torn last line
        if (sums[done] !== lineSum(raw.bytes)) break; // not the line this job wrote there
        const parsed = parseLine(raw.bytes.toString('utf8'));
        const record = 'value' in parsed ? parsed.value : undefined;
        if (
          typeof record !== 'object' ||
          record === null ||
          Array.isArray(record) ||
          !(await check(record as JsonRecord, done))
        ) {
          break;
        }
        done++;
        verified = raw.end;
      }
    } catch (error) {
      // A line too long to be ours is cut off like any other unverified line.
      if (!(error instanceof TokenSkipError && error.code === 'MALFORMED_JSONL')) throw error;
    }
    if (verified < size) await truncate(partial, verified);
    await writeFileAtomic(
      sumsPath,
      sums
        .slice(0, done)
        .map((h) => `${h}\n`)
        .join(''),
    );
    return new ResumableJsonlWriter(out, done, size - verified);
  }

  /** Appends lines, then their hashes (a crash between the two leaves lines that are redone). */
  async append(records: JsonRecord[]): Promise<void> {
    if (records.length === 0) return;
    const lines = records.map((r) => JSON.stringify(r));
    await appendFile(this.partial, lines.map((l) => `${l}\n`).join(''));
    await appendFile(this.sums, lines.map((l) => `${lineSum(l)}\n`).join(''));
  }

  async finish(): Promise<void> {
    await checkOutput(this.out, []);
    await rename(this.partial, this.out);
    await rm(this.meta, { force: true });
    await rm(this.sums, { force: true });
  }
}

/** One non-blank line of a JSONL file: its parsed value, or why it could not be parsed. */
export type JsonlLine = { line: number; value: unknown } | { line: number; error: string };

/**
 * Every non-blank line of a JSONL file, parsed or with why it could not be (not thrown), streamed
 * with bounded memory; a missing, unreadable or non-text file is a TokenSkipError.
 */
export async function* readJsonlLines(
  path: string,
  options: ReadJsonlOptions = {},
): AsyncGenerator<JsonlLine> {
  const what = options.what ?? '--in';
  for await (const raw of readLines(path, { ...options, what })) {
    const parsed = parseRaw(decodeLine(raw, path, what));
    if (parsed === undefined) continue;
    yield 'error' in parsed
      ? { line: raw.number, error: parsed.error.replace(/^not valid JSON/, 'invalid JSON') }
      : { line: raw.number, value: parsed.value };
  }
}

/**
 * The entries of a crash-safe journal (one JSON document per line, appended as work is done),
 * streamed; a missing journal has none, and a line torn by a crash is skipped (its work is redone).
 */
export async function* readJournal(path: string): AsyncGenerator<unknown> {
  if (!existsSync(path)) return;
  for await (const raw of readLines(path, {
    what: 'journal',
    text: false,
    maxLineBytes: 4 * MAX_LINE_BYTES,
  })) {
    try {
      yield JSON.parse(raw.bytes.toString('utf8')) as unknown;
    } catch {
      // torn by a crash mid-write
    }
  }
}

/** One JSON document per line, with a final newline. */
export function toJsonl(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join('\n') + (values.length > 0 ? '\n' : '');
}

/**
 * A crash-safe journal tied to the run that wrote it (`collect`, `eval`): every entry carries
 * `run`, a hash of the run's fingerprint (input sha256, model, --limit, settings), and the full
 * fingerprint is kept beside it in `<journal>.meta.json`. Entries of another run are never reused:
 * opening a journal that holds any is refused, naming what differs.
 *
 *   const { entries, append } = await openJournal('eval.json.journal.jsonl', fp, 'eval', 'eval.json');
 */
export async function openJournal(
  path: string,
  fingerprint: JsonRecord,
  command: string,
  out: string,
): Promise<{ entries: JsonRecord[]; append: (entry: JsonRecord) => Promise<void> }> {
  const run = createHash('sha256').update(JSON.stringify(fingerprint)).digest('hex').slice(0, 16);
  const meta = journalMetaPath(path);
  const entries: JsonRecord[] = [];
  let foreign = 0;
  for await (const value of readJournal(path)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const entry = value as JsonRecord;
    if (entry.run === run) entries.push(entry);
    else foreign++;
  }
  if (foreign > 0) {
    let differs = '';
    try {
      const before = JSON.parse(await readFile(meta, 'utf8')) as JsonRecord;
      const keys = [...new Set([...Object.keys(before), ...Object.keys(fingerprint)])].filter(
        (k) => JSON.stringify(before[k]) !== JSON.stringify(fingerprint[k]),
      );
      if (keys.length > 0) differs = ` (${keys.join(', ')} differ)`;
    } catch {
      differs = ' (it has no fingerprint: written by an older tokenskip, or by hand)';
    }
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `${path} holds ${foreign} answers of another ${command} run${differs}: other input, model, --limit or settings. Run the same command as before to resume it, give another --out, or delete ${path} to start over. ${out} was not written.`,
    );
  }
  // Written with the first entry, so a run that fails before any work leaves nothing behind.
  let started: Promise<void> | undefined = entries.length > 0 ? Promise.resolve() : undefined;
  return {
    entries,
    append: async (entry) => {
      await (started ??= writeFileAtomic(meta, `${JSON.stringify(fingerprint)}\n`));
      await appendFile(path, `${JSON.stringify({ ...entry, run })}\n`);
    },
  };
}

/** Where `openJournal` keeps a journal's full fingerprint. */
export function journalMetaPath(journal: string): string {
  return `${journal}.meta.json`;
}
