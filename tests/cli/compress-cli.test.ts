/**
 * `tokenskip compress` as a user runs it: the real CLI in a child process, real files, the fixture
 * model on onnxruntime-node.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  appendFileSync,
  closeSync,
  openSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commands } from '../../src/node/commands/index.ts';
import { describeSystemError } from '../../src/node/system-errors.ts';
import { repoRoot } from '../helpers/fixtures.ts';

const bin = path.join(repoRoot, 'bin/tokenskip.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: 'utf8',
    cwd: dir,
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const gsm8k = readFileSync(path.join(repoRoot, 'data/gsm8k/train.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean);
function writeInput(name: string, n: number): string {
  const file = path.join(dir, name);
  writeFileSync(file, gsm8k.slice(0, n).join('\n') + '\n');
  return file;
}
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('tokenskip compress', () => {
  it('lists every command of the command table in its help', () => {
    const { stdout } = cli(['--help']);
    for (const c of commands) expect(stdout).toContain(c.name);
  });

  it('compresses one text from stdin and prints the reference fields', () => {
    const { code, stdout } = cli(
      ['compress', '--rate', '0.5'],
      'Janet sells 16 - 3 - 4 = 9 duck eggs a day.\n',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual([
      'compressed_prompt',
      'origin_tokens',
      'compressed_tokens',
      'ratio',
      'rate',
      'word_labels',
    ]);
    expect(result.origin_tokens).toBe(19); // the trailing newline of echo is not part of the CoT
    expect(result.compressed_tokens as number).toBeLessThan(19);
    expect(result.ratio).toMatch(/^\d+\.\dx$/);
    expect((result.word_labels as unknown[]).length).toBe(14);
  });

  it('compresses a JSONL file: every line keeps its fields and gains the results', () => {
    const input = writeInput('in.jsonl', 12);
    const out = path.join(dir, 'out.jsonl');
    const { code, stderr } = cli([
      'compress',
      '--in',
      input,
      '--out',
      out,
      '--rate',
      '0.6',
      '--model',
      'tiny-lingua-mbert',
    ]);
    expect(code, stderr).toBe(0);
    const rows = lines(out);
    expect(rows).toHaveLength(12);
    rows.forEach((row, i) => {
      const original = JSON.parse(gsm8k[i]!) as Record<string, unknown>;
      expect(row).toMatchObject(original);
      expect(typeof row.compressed_prompt).toBe('string');
      expect(row.compressed_tokens as number).toBeLessThan(row.origin_tokens as number);
      for (const [word, label] of row.word_labels as [string, number][])
        expect(typeof word === 'string' && (label === 0 || label === 1)).toBe(true);
    });
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('takes γ per record from --rate-field', () => {
    const file = path.join(dir, 'gammas.jsonl');
    const cot = (JSON.parse(gsm8k[3]!) as { cot: string }).cot;
    writeFileSync(file, [0.3, 1].map((gamma) => JSON.stringify({ cot, gamma })).join('\n'));
    const out = path.join(dir, 'gammas.out.jsonl');
    // XLM-R's decoder gives the text back unchanged at γ = 1 (WordPiece's clean-up would respace
    // '$2' and change the counts, as the reference does), so the ratio is exactly 1.0x.
    const args = ['compress', '--in', file, '--out', out, '--rate-field', 'gamma'];
    expect(cli([...args, '--model', 'tiny-lingua-xlmr']).code).toBe(0);
    const [low, full] = lines(out);
    expect(low!.compressed_tokens as number).toBeLessThan(full!.compressed_tokens as number);
    expect(full!.ratio).toBe('1.0x');
  });

  it('resumes an interrupted run and ends with the same output as an uninterrupted one', async () => {
    const input = writeInput('big.jsonl', 400);
    const reference = path.join(dir, 'reference.jsonl');
    expect(cli(['compress', '--in', input, '--out', reference, '--batch-size', '4']).code).toBe(0);

    const out = path.join(dir, 'resumed.jsonl');
    const child = spawn(
      process.execPath,
      [bin, 'compress', '--in', input, '--out', out, '--batch-size', '4'],
      { cwd: dir },
    );
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Kill it hard once some groups are written, as a crash or a power cut would.
    for (let i = 0; i < 2000; i++) {
      await new Promise((r) => setTimeout(r, 10));
      if (
        existsSync(`${out}.partial`) &&
        readFileSync(`${out}.partial`, 'utf8').split('\n').length > 20
      )
        break;
    }
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(out)).toBe(false);
    appendFileSync(`${out}.partial`, '{"torn": "half a li'); // a write cut short

    const resumed = cli(['compress', '--in', input, '--out', out, '--batch-size', '4']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/Resuming .*: \d+ of 400 records already done/);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(reference, 'utf8'));
  }, 180_000);

  it('refuses to resume a partial output made with other settings unless --fresh', () => {
    const input = writeInput('other.jsonl', 3);
    const out = path.join(dir, 'other.out.jsonl');
    writeFileSync(`${out}.partial`, '');
    writeFileSync(`${out}.partial.meta.json`, '{"input":"something else"}');
    const refused = cli(['compress', '--in', input, '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--fresh');
    expect(cli(['compress', '--in', input, '--out', out, '--fresh']).code).toBe(0);
    expect(lines(out)).toHaveLength(3);
  });
});

describe('tokenskip compress: bad input leaves no output', () => {
  // Exit 2: a bad command line (flag or flag value); exit 1: bad input data or a missing model.
  const cases: [string, string, string[], number, RegExp][] = [
    ['malformed JSON', '{"cot": "a b c"}\n{"cot": oops}\n', [], 1, /bad\.jsonl:2: not valid JSON/],
    [
      'a line that is not an object',
      '{"cot": "a"}\n[1, 2]\n',
      [],
      1,
      /:2: each line must be a JSON object/,
    ],
    [
      'a missing field',
      '{"cot": "a b"}\n{"text": "a b"}\n',
      [],
      1,
      /:2: field 'cot' must be a string/,
    ],
    ['an empty text', '{"cot": "a b"}\n\n{"cot": "   "}\n', [], 1, /:3: field 'cot' is empty/],
    ['γ above 1', '{"cot": "a b"}\n', ['--rate', '1.5'], 2, /--rate must be a number in \(0, 1\]/],
    ['γ not a number', '{"cot": "a b"}\n', ['--rate', 'half'], 2, /--rate must be a number/],
    ['γ in hex', '{"cot": "a b"}\n', ['--rate', '0x1'], 2, /--rate must be a number in/],
    [
      'a bad per-record γ',
      '{"cot": "a b", "g": 0}\n',
      ['--rate-field', 'g'],
      1,
      /field 'g' must be a number in \(0, 1\]/,
    ],
    [
      'an unknown option',
      '{"cot": "a b"}\n',
      ['--ratio', '0.5'],
      2,
      /Unknown option '--ratio'\. Run 'tokenskip compress --help'/,
    ],
    ['a missing model', '{"cot": "a b"}\n', ['--model', 'nope'], 1, /Unknown scorer model 'nope'/],
  ];
  it.each(cases)('%s', (_name, content, extra, exit, message) => {
    const input = path.join(dir, 'bad.jsonl');
    writeFileSync(input, content);
    const out = path.join(dir, 'bad.out.jsonl');
    const { code, stderr } = cli(['compress', '--in', input, '--out', out, ...extra]);
    expect(code).toBe(exit);
    expect(stderr).toMatch(message);
    if (exit === 2) expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out) || existsSync(`${out}.partial`)).toBe(false);
  });

  it('rejects a text over 1,000,000 characters with a hint', () => {
    const { code, stderr } = cli(['compress'], 'word '.repeat(210_000));
    expect(code).toBe(1);
    expect(stderr).toMatch(/INPUT_TOO_LARGE.*Split it/);
  });
});

describe('tokenskip compress: the file system fails', () => {
  it('a full disk behind stdout gets a clear message, not a stack trace', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [bin, 'compress'], {
        input: 'Janet sells 16 eggs.',
        stdio: ['pipe', full, 'pipe'],
        encoding: 'utf8',
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/error \[ENOSPC\].*No space left on the device/);
      expect(r.stderr).not.toMatch(/at .*node:internal/);
    } finally {
      closeSync(full);
    }
  });

  it('describes the errors a long run can meet and says what to do', () => {
    let enospc: unknown;
    try {
      writeFileSync('/dev/full', 'x');
    } catch (error) {
      enospc = error;
    }
    expect(describeSystemError(enospc)).toMatch(
      /No space left on the device.*run the same command again/,
    );
    expect(describeSystemError(new Error('plain'))).toBeUndefined();
  });
});
