/**
 * Safe reading and writing for the CLI: the one atomic writer, output locks, and the checks that
 * keep a command from destroying its own input or writing where it should not.
 *
 * - `writeFileAtomic`: data goes to a temp file created exclusively (`wx`) beside the target with a
 *   unique name, is flushed, then renamed over the target; a failure leaves the target untouched.
 * - `checkOutput`: refuses an output that is one of the inputs (same file by inode, however it is
 *   named: hard link, `./x` vs `x`), a symbolic link, a folder, or a device / FIFO / socket.
 * - `withOutputLock`: `<out>.lock`, created with O_EXCL and holding the pid, so a second run on the
 *   same output refuses instead of interleaving; a lock whose process is dead is taken over (only a
 *   file that holds a pid and nothing else: anything else at that path is refused, never deleted).
 * - `guardOutputs`: what every command calls with ALL it reads (files and folders) and every output
 *   with its side files (lock, `.partial`, `.partial.meta.json`, journal, manifest): refuses before
 *   anything is touched when an output or a side file is an input, then takes the locks and removes
 *   temp files (`.<name>.<pid>.<hex>.tmp`) left by killed runs of the same output whose pid is dead.
 * - `checkInputPath` / `checkTextHead` / `decodeInput`: an input file as UTF-8 text; a BOM is
 *   skipped, UTF-16 or binary files and folders are named as such.
 */
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import {
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  type FileHandle,
} from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
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
    // An input folder (a model) stands for every file in it: an existing file there is read.
    if (info.isDirectory() && (await isInside(out, input))) {
      throw new TokenSkipError(
        'INVALID_ARGUMENT',
        `${what} '${out}' is a file inside the input folder '${input}'; writing it would change that input. Give an output path outside it.`,
      );
    }
  }
}

/** Whether the existing file `path` lies inside the folder `folder` (links resolved). */
async function isInside(path: string, folder: string): Promise<boolean> {
  const [file, dir] = await Promise.all([
    realpath(path).catch(() => undefined),
    realpath(folder).catch(() => undefined),
  ]);
  return (
    file !== undefined && dir !== undefined && file.startsWith(dir.endsWith(sep) ? dir : dir + sep)
  );
}

/** An output a command writes, with the files it keeps beside it. */
export interface OutputSpec {
  path: string;
  /** How the output is named in messages (`--out`, `--out-md`). */
  what?: string;
  /** A folder of outputs (build, train, merge, export) rather than one file. */
  folder?: boolean;
  /** Files inside the folder that the command writes (each checked against the inputs). */
  files?: readonly string[];
  /** Side files kept beside the output: `[path, what it is]` (`.partial`, journal, manifest). */
  side?: readonly (readonly [string, string])[];
}

/**
 * Refuses, before anything is touched, an output or any of its side files (its lock included)
 * that is one of `inputs`: every path the command reads, files or folders, undefined ones skipped.
 */
export async function checkOutputs(
  outputs: readonly OutputSpec[],
  inputs: readonly (string | undefined)[],
): Promise<void> {
  const read = inputs.filter((i): i is string => typeof i === 'string' && i !== '');
  for (const o of outputs) {
    const what = o.what ?? '--out';
    if (o.folder) {
      await checkOutputFolder(o.path, read, what);
      for (const f of o.files ?? []) await checkOutput(join(o.path, f), read, `${what} (its ${f})`);
    } else {
      await checkOutput(o.path, read, what);
    }
    const side: (readonly [string, string])[] = [[lockPathFor(o.path), 'lock'], ...(o.side ?? [])];
    for (const [path, kind] of side) {
      const info = await stat(path).catch(() => undefined);
      if (!info) continue;
      for (const input of read) {
        const other = await stat(input).catch(() => undefined);
        if (other && other.dev === info.dev && other.ino === info.ino) {
          throw new TokenSkipError(
            'INVALID_ARGUMENT',
            `${what} '${o.path}' keeps its ${kind} at '${path}', which is the input file '${input}'; the run would overwrite or delete it. Give another ${what} (or rename the input).`,
          );
        }
      }
    }
  }
}

/**
 * `checkOutputs`, then `fn` holding every output's lock; temp files that killed runs left beside
 * the outputs are removed once the locks are held (see `removeStaleTemps`).
 */
export async function guardOutputs<T>(
  outputs: readonly OutputSpec[],
  inputs: readonly (string | undefined)[],
  fn: () => Promise<T>,
): Promise<T> {
  await checkOutputs(outputs, inputs);
  const read = inputs.filter((i): i is string => typeof i === 'string' && i !== '');
  return withOutputLock(
    outputs.map((o) => o.path),
    async () => {
      for (const o of outputs) await removeStaleTemps(o.path, read);
      return fn();
    },
  );
}

/** `.<name>.<pid>.<12 hex>.tmp`: the temp files `writeFileAtomic` and `AtomicFileWriter` create. */
const TEMP = /^\.(.+)\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes the temp files a killed run of `out` left (ours by name: `.<out's name…>.<pid>.<hex>.tmp`
 * beside it, or anywhere inside a folder output), only when process `<pid>` is dead and the file
 * is not one of `inputs`. Called with `out`'s lock held, so no live writer of `out` is robbed.
 * Returns how many were removed.
 */
export async function removeStaleTemps(
  out: string,
  inputs: readonly string[] = [],
): Promise<number> {
  const candidates: string[] = [];
  const folder = await stat(out).catch(() => undefined);
  if (folder?.isDirectory()) {
    const walk = async (dir: string, depth: number): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const path = join(dir, entry.name);
        if (entry.isDirectory() && depth < 3) await walk(path, depth + 1);
        else if (entry.isFile() && TEMP.test(entry.name)) candidates.push(path);
      }
    };
    await walk(out, 0);
  }
  const name = basename(out.replace(/[/\\]+$/, ''));
  for (const entry of await readdir(dirname(out.replace(/[/\\]+$/, '')) || '.').catch(() => [])) {
    const m = TEMP.exec(entry);
    if (m && (m[1] === name || m[1]!.startsWith(`${name}.`))) {
      candidates.push(join(dirname(out.replace(/[/\\]+$/, '')), entry));
    }
  }
  const ids = new Set<string>();
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (info) ids.add(`${info.dev}:${info.ino}`);
  }
  let removed = 0;
  for (const path of candidates) {
    const pid = Number(TEMP.exec(basename(path))![2]);
    if (pid === process.pid || isAlive(pid)) continue;
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile() || ids.has(`${info.dev}:${info.ino}`)) continue;
    await rm(path, { force: true });
    removed++;
  }
  return removed;
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
    // Only what `acquire` writes (a pid and a newline; empty if it died between create and write)
    // is a lock: any other file at that path is someone's data and is never taken over.
    if (!/^(\d+\n?)?$/.test(content)) {
      throw new TokenSkipError(
        'OUTPUT_IN_USE',
        `${lock} (the lock of ${out}) exists and is not a tokenskip lock (it holds other data); it was left alone. Move or rename that file, or give another output path.`,
      );
    }
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
