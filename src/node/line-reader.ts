/**
 * Input files read line by line with bounded memory: a file is streamed in 1 MiB chunks and split
 * at newlines, and a line is refused as soon as it grows past the per-line limit, before it is
 * buffered whole. So `--in /dev/zero`, a 1 GB JSONL file or a file with no newline at all cost
 * at most one chunk plus one line of memory, never the whole file (a whole-file read dies with
 * ERR_STRING_TOO_LONG past 512 MiB and grows without bound on an endless device).
 *
 * A newline byte (0x0a) never occurs inside a multi-byte UTF-8 sequence, so splitting bytes at
 * 0x0a and decoding each line on its own is exact.
 */
import { createReadStream } from 'node:fs';
import { TokenSkipError } from '../core/errors.ts';
import { checkInputPath, checkTextHead, unreadableInput } from './output.ts';

/**
 * Longest line accepted (bytes, newline excluded). A record holds at most a 1,000,000-character
 * CoT (6 MB even if every character were a \uXXXX escape) plus its question, answer and labels;
 * 32 MiB leaves room for all of that while keeping memory bounded.
 */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

export interface RawLine {
  /** 1-based line number. */
  number: number;
  /** The line's bytes, without the newline (a UTF-8 BOM at the start of the file removed). */
  bytes: Buffer;
  /** Byte offset in the file just after this line (after its newline when it has one). */
  end: number;
  /** False for a last line with no newline after it. */
  terminated: boolean;
}

export interface LineReaderOptions {
  /** How the file is named in messages (the flag it came from). */
  what?: string;
  maxLineBytes?: number;
  /** Sees every chunk of the file as read (to hash it). */
  onChunk?: (chunk: Buffer) => void;
  /** Check the head for UTF-16 / binary content and skip a UTF-8 BOM (default true). */
  text?: boolean;
}

const mib = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MiB`;

/** The error for a line longer than `max` bytes. */
export function lineTooLong(path: string, number: number, max: number): TokenSkipError {
  return new TokenSkipError(
    'MALFORMED_JSONL',
    `${path}:${number}: line longer than ${mib(max)} (${max} bytes), the limit for one JSONL record; check that this is a JSONL file, or shorten that record.`,
  );
}

/** Every line of `path`, streamed; memory holds one chunk and the current line only. */
export async function* readLines(
  path: string,
  options: LineReaderOptions = {},
): AsyncGenerator<RawLine> {
  const what = options.what ?? '--in';
  const max = options.maxLineBytes ?? MAX_LINE_BYTES;
  const text = options.text ?? true;
  await checkInputPath(path, what);
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  let pieces: Buffer[] = [];
  let pending = 0;
  let number = 1;
  let offset = 0;
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      options.onChunk?.(chunk);
      let data = chunk;
      let base = offset;
      offset += chunk.length;
      if (first) {
        first = false;
        if (text) {
          checkTextHead(chunk, path, what);
          if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
            data = chunk.subarray(3);
            base += 3;
          }
        }
      }
      let start = 0;
      for (;;) {
        const nl = data.indexOf(0x0a, start);
        if (nl < 0) break;
        const part = data.subarray(start, nl);
        if (pending + part.length > max) throw lineTooLong(path, number, max);
        const bytes = pieces.length > 0 ? Buffer.concat([...pieces, part]) : part;
        pieces = [];
        pending = 0;
        yield { number, bytes, end: base + nl + 1, terminated: true };
        number++;
        start = nl + 1;
      }
      if (start < data.length) {
        const rest = data.subarray(start);
        if (pending + rest.length > max) throw lineTooLong(path, number, max);
        // Copied: a slice would keep the whole 1 MiB chunk alive.
        pieces.push(Buffer.from(rest));
        pending += rest.length;
      }
    }
    if (pending > 0) {
      yield { number, bytes: Buffer.concat(pieces), end: offset, terminated: false };
    }
  } catch (error) {
    if (error instanceof TokenSkipError) throw error;
    throw unreadableInput(path, what, error);
  } finally {
    stream.destroy();
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A line's text; bytes that are not UTF-8 are an error naming the file and line. */
export function decodeLine(line: RawLine, path: string, what = '--in'): string {
  try {
    return utf8.decode(line.bytes);
  } catch {
    throw new TokenSkipError(
      'MALFORMED_JSONL',
      `${what} file '${path}' is not valid UTF-8 text (line ${line.number}); convert it to UTF-8 and run again.`,
    );
  }
}
