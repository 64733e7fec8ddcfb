/**
 * Safe reading and writing for the CLI: the one atomic writer, output locks, and the checks that
 * keep a command from destroying its own input or writing where it should not.
 *
 * - `writeFileAtomic`: data goes to a temp file created exclusively (`wx`) beside the target with a
 *   unique name, is flushed, then renamed over the target; a failure leaves the target untouched.
 * - `checkOutput`: refuses an output that is one of the inputs (same file by inode, however it is
 *   named: hard link, `./x` vs `x`), a symbolic link, a folder, or a device / FIFO / socket.
 * - `withOutputLock`: `<out>.lock`, created with O_EXCL and holding the pid, so a second run on the
 *   same output refuses instead of interleaving; a lock whose process is dead is taken over.
 * - `checkInputPath` / `checkTextHead` / `decodeInput`: an input file as UTF-8 text; a BOM is
 *   skipped, UTF-16 or binary files and folders are named as such.
 */
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { lstat, mkdir, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TokenSkipError } from '../core/errors.ts';

const code = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

/** Throws unless `path` is absent or a regular file (not a link, folder, device, FIFO, socket). */
async function checkTarget(path: string, what: string): Promise<void> {
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    if (code(error) === 'ENOENT') return;
    throw error;
  }
  if (info.isSymbolicLink()) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `${what} '${path}' is a symbolic link; refusing to write through it. Give the path of a regular file.`,
    );
  }
  if (info.isDirectory()) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `${what} '${path}' is a folder; give a file path for the output.`,
    );
  }
  if (!info.isFile()) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `${what} '${path}' is not a regular file (a device, FIFO or socket); refusing to replace it. Give a file path.`,
    );
  }
}

/**
 * Refuses to write `out` when it is one of `inputs` (compared by device and inode, so hard links
 * and other spellings of the same path are caught) or is not a plain file path.
 */
export async function checkOutput(
  out: string,
  inputs: readonly string[],
  what = '--out',
): Promise<void> {
  await checkTarget(out, what);
  let target;
  try {
    target = await stat(out);
  } catch {
    return; // not there yet: it cannot be an input
  }
  for (const input of inputs) {
    let info;
    try {
      info = await stat(input);
    } catch {
      continue;
    }
    if (info.dev === target.dev && info.ino === target.ino) {
      throw new TokenSkipError(
        'INVALID_ARGUMENT',
        `${what} '${out}' is the input file '${input}'; writing it would destroy the input. Give another output path.`,
      );
    }
  }
}

/** Writes `data` to a unique temp file beside `path` (created with `wx`), then renames it over `path`. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  { mkdirs = false }: { mkdirs?: boolean } = {},
): Promise<void> {
  await checkTarget(path, 'output');
  if (mkdirs) await mkdir(dirname(path), { recursive: true });
  const temp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  let created = false;
  try {
    const handle = await open(temp, 'wx');
    created = true;
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    if (created) await rm(temp, { force: true });
    throw error;
  }
}

/**
 * `writeFileAtomic` for output produced piece by piece (memory bounded by `flushAt`): pieces go to
 * an exclusive temp file beside `path`; `commit` flushes and renames it over `path`, `abort`
 * removes it, so `path` is either untouched or complete.
 */
export class AtomicFileWriter {
  private buffered: string[] = [];
  private size = 0;
  private constructor(
    readonly path: string,
    private readonly temp: string,
    private readonly handle: FileHandle,
    private readonly flushAt: number,
  ) {}

  static async open(path: string, flushAt = 1 << 20): Promise<AtomicFileWriter> {
    await checkTarget(path, 'output');
    const temp = join(
      dirname(path),
      `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
    );
    return new AtomicFileWriter(path, temp, await open(temp, 'wx'), flushAt);
  }

  async write(text: string): Promise<void> {
    this.buffered.push(text);
    this.size += text.length;
    if (this.size >= this.flushAt) await this.flush();
  }

  private async flush(): Promise<void> {
    const text = this.buffered.join('');
    this.buffered = [];
    this.size = 0;
    if (text) await this.handle.write(text);
  }

  async commit(): Promise<void> {
    try {
      await this.flush();
      await this.handle.sync();
      await this.handle.close();
      await rename(this.temp, this.path);
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.temp, { force: true });
  }
}

/** Creates `path` empty and exclusively (fails if anything, even a dangling link, is there). */
export async function createExclusive(path: string): Promise<void> {
  const handle = await open(path, 'wx');
  await handle.close();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return code(error) === 'EPERM';
  }
}

const held = new Set<string>();
let exitHook = false;

/** `<out>.lock` beside the output (a folder output gets `<folder>.lock`). */
export function lockPathFor(out: string): string {
  return `${out.replace(/[/\\]+$/, '') || out}.lock`;
}

async function acquire(out: string): Promise<string> {
  const lock = lockPathFor(out);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      held.add(lock);
      if (!exitHook) {
        exitHook = true;
        process.on('exit', () => {
          for (const l of held) {
            try {
              unlinkSync(l);
            } catch {
              // already gone
            }
          }
        });
      }
      return lock;
    } catch (error) {
      if (code(error) !== 'EEXIST') throw error;
    }
    const content = await readFile(lock, 'utf8').catch(() => '');
    const pid = Number.parseInt(content, 10);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
      throw new TokenSkipError(
        'OUTPUT_IN_USE',
        `${out} is being written by another run (pid ${pid}; lock ${lock}). Wait for it to finish; delete the lock only if no tokenskip process ${pid} is running.`,
      );
    }
    // Stale: its process is gone. Move it aside (only one taker's rename succeeds), check that
    // what was moved is the stale lock we saw, and try again.
    const aside = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
    try {
      await rename(lock, aside);
    } catch (error) {
      if (code(error) === 'ENOENT') continue;
      throw error;
    }
    const moved = await readFile(aside, 'utf8').catch(() => '');
    if (moved !== content) {
      await rename(aside, lock).catch(() => undefined);
      break;
    }
    await rm(aside, { force: true });
  }
  throw new TokenSkipError(
    'OUTPUT_IN_USE',
    `${out} is being written by another run (lock ${lockPathFor(out)}). Wait for it to finish.`,
  );
}

async function release(lock: string): Promise<void> {
  if (!held.delete(lock)) return;
  const content = await readFile(lock, 'utf8').catch(() => '');
  if (Number.parseInt(content, 10) === process.pid) await rm(lock, { force: true });
}

/** Runs `fn` holding the lock of every output in `outs`; the locks are released however it ends. */
export async function withOutputLock<T>(outs: readonly string[], fn: () => Promise<T>): Promise<T> {
  const locks: string[] = [];
  try {
    for (const out of outs) locks.push(await acquire(out));
    return await fn();
  } finally {
    for (const lock of locks.reverse()) await release(lock);
  }
}

/**
 * Refuses input that is not UTF-8 text, judged by its first bytes (`head`, the first chunk read):
 * a UTF-16 byte order mark, or zero bytes (UTF-16 without a mark, or a binary file).
 */
export function checkTextHead(head: Uint8Array, path: string, what = '--in'): void {
  const named = `${what} file '${path}'`;
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new TokenSkipError(
      'MALFORMED_JSONL',
      `${named} is UTF-16 text (byte order mark ${head[0] === 0xff ? 'FF FE' : 'FE FF'}); save it as UTF-8 and run again.`,
    );
  }
  const start = head.subarray(0, 4096);
  const nul = start.indexOf(0);
  if (nul >= 0) {
    let zerosAtOdd = 0;
    let zerosAtEven = 0;
    start.forEach((b, i) => {
      if (b === 0) {
        if (i % 2) zerosAtOdd++;
        else zerosAtEven++;
      }
    });
    // UTF-16 puts its zeros at one parity; zeros everywhere (/dev/zero, a sparse file) are binary.
    const utf16 =
      Math.max(zerosAtOdd, zerosAtEven) > start.length / 4 &&
      Math.min(zerosAtOdd, zerosAtEven) < start.length / 16;
    throw new TokenSkipError(
      'MALFORMED_JSONL',
      utf16
        ? `${named} looks like UTF-16 text (every other byte is zero); save it as UTF-8 and run again.`
        : `${named} is a binary file (a zero byte at offset ${nul}), not JSONL text.`,
    );
  }
}

/** Decodes an input file: UTF-8 (a leading BOM skipped); UTF-16 and binary files are named as such. */
export function decodeInput(bytes: Uint8Array, path: string, what = '--in'): string {
  checkTextHead(bytes, path, what);
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start));
  } catch {
    throw new TokenSkipError(
      'MALFORMED_JSONL',
      `${what} file '${path}' is not valid UTF-8 text; convert it to UTF-8 and run again.`,
    );
  }
}

/** Checks that an input path can be read as a file; a missing file or a folder gets a message with the path. */
export async function checkInputPath(path: string, what = '--in'): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `Cannot read ${what} file '${path}': ${code(error) === 'ENOENT' ? 'ENOENT, no such file' : (code(error) ?? (error as Error).message)}. Check the path.`,
      { cause: error },
    );
  }
  if (info.isDirectory()) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `${what} '${path}' is a folder, not a file; give the path of the JSONL file.`,
    );
  }
}

/** The message for an input file that exists but cannot be read (permissions, I/O error). */
export function unreadableInput(path: string, what: string, error: unknown): TokenSkipError {
  return new TokenSkipError(
    'INVALID_ARGUMENT',
    `Cannot read ${what} file '${path}': ${code(error) ?? (error as Error).message}. Check the path and its permissions.`,
    { cause: error },
  );
}

/** Reads an input file's bytes whole (small files only; JSONL goes through ./line-reader.ts). */
export async function readInputBytes(path: string, what = '--in'): Promise<Buffer> {
  await checkInputPath(path, what);
  try {
    return await readFile(path);
  } catch (error) {
    throw unreadableInput(path, what, error);
  }
}

/** Refuses an output folder that is one of the input folders (the same folder by inode). */
export async function checkOutputFolder(
  out: string,
  inputs: readonly string[],
  what = '--out',
): Promise<void> {
  let target;
  try {
    target = await stat(out);
  } catch {
    return;
  }
  if (!target.isDirectory()) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `${what} '${out}' exists and is not a folder; give a folder path.`,
    );
  }
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (info && info.dev === target.dev && info.ino === target.ino) {
      throw new TokenSkipError(
        'INVALID_ARGUMENT',
        `${what} '${out}' is the input folder '${input}'; writing there would overwrite the input. Give another folder.`,
      );
    }
  }
}
