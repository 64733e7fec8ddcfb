/**
 * Fault injection: the real CLI (bin/tokenskip.mjs) in child processes, fed bad command lines,
 * hostile paths, broken files and interrupted runs. Each case asserts its exact outcome: refused
 * with one clear line and the documented exit status (2 bad command line, 1 failed), or output
 * identical to an undisturbed run.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { commandTable } from '../../src/node/commands/table.mjs';
import { nanWeights } from '../helpers/corrupt-onnx.ts';
import { repoRoot } from '../helpers/fixtures.ts';

// Many cases start several CLI processes each; on a busy machine one start can take seconds.
vi.setConfig({ testTimeout: 600_000 });

const bin = path.join(repoRoot, 'bin/tokenskip.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], input?: string, env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: 'utf8',
    cwd: dir,
    env,
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit `code`, exactly one line on stderr matching `message`, no stack trace. */
function expectRefused(r: ReturnType<typeof cli>, code: number, message: RegExp) {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

const file = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const GRADE_ROWS = [
  { id: 1, question: 'q', output: 'The final answer is: $\\boxed{18}$', answer: '18' },
  { id: 2, question: 'q', output: 'The final answer is: $\\boxed{4}$', answer: '3' },
];
const gsm8k = readFileSync(path.join(repoRoot, 'data/gsm8k/train.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean);

describe('the command line', () => {
  // Every command takes some required flags first; the bad flag must win over them.
  const numeric: Record<string, string[]> = {
    compress: ['--batch-size', 'abc'],
    grade: ['--dataset', 'gsm8k', '--in', 'a', '--out', 'b', '--timeout-ms', 'abc'],
    report: [],
    collect: [
      '--input',
      'a',
      '--model-dir',
      'm',
      '--out',
      'o',
      '--endpoint',
      'http://x',
      '--retries',
      'abc',
    ],
    build: ['--model', 'm', '--traces', 't', '--out', 'o', '--cutoff', 'abc'],
    train: ['--base', 'b', '--data', 'd', '--out', 'o', '--epochs', 'abc'],
    merge: [],
    export: ['mlc', '--model', 'm', '--out', 'o', '--context-window', 'abc'],
    eval: [
      '--input',
      'a',
      '--model-dir',
      'm',
      '--out',
      'o',
      '--endpoint',
      'http://x',
      '--retries',
      'abc',
    ],
  };

  it.each(commandTable.map((c) => c.name))('%s: an unknown flag is exit 2, one line', (name) => {
    expectRefused(
      cli([name, '--bogus', '1']),
      2,
      new RegExp(`^tokenskip ${name}: .*Unknown option '--bogus'.*'tokenskip ${name} --help'`),
    );
  });

  it.each(Object.entries(numeric).filter(([, a]) => a.length > 0))(
    '%s: a non-numeric number is exit 2, naming the flag',
    (name, args) => {
      const flag = args.at(-2)!;
      expectRefused(cli([name, ...args]), 2, new RegExp(`${flag} must be an? .*got 'abc'`));
    },
  );

  it('eval --retries abc names the flag instead of "failed after NaN attempts"', () => {
    const base = ['eval', ...numeric.eval!.slice(0, -2)];
    expectRefused(
      cli([...base, '--retries', 'abc']),
      2,
      /--retries must be an integer >= 0, got 'abc'/,
    );
    expectRefused(cli([...base, '--retries=-1']), 2, /--retries must be an integer >= 0, got '-1'/);
  });

  it('merge and report: a bad value is exit 2', () => {
    expectRefused(
      cli(['merge', '--base', 'b', '--adapter', 'a', '--out', 'o', '--dtype', 'float8']),
      2,
      /--dtype must be float32, bfloat16 or float16, got 'float8'/,
    );
    expectRefused(cli(['report']), 2, /Give at least one graded file/);
  });

  it('one γ parser: 0x1, empty and 1e are refused by every command that takes γ', () => {
    const evalBase = ['eval', ...numeric.eval!.slice(0, -2)];
    for (const bad of ['0x1', '', '1e']) {
      expectRefused(
        cli(['compress', `--rate=${bad}`], 'a b'),
        2,
        /--rate must be a number in \(0, 1\]/,
      );
      expectRefused(
        cli([...evalBase, `--gammas=${bad === '' ? '' : `1,${bad}`}`]),
        2,
        bad === '' ? /--gammas is empty/ : /--gammas\[1\] must be a number in \(0, 1\]/,
      );
    }
    expectRefused(
      cli(['build', '--model', 'm', '--traces', 't', '--out', 'o', '--compressed', '0x1:f.jsonl']),
      2,
      /--compressed must be a number in \(0, 1\]/,
    );
  });

  it('--api-key is refused: secrets come from the environment', () => {
    expectRefused(
      cli(['collect', ...numeric.collect!.slice(0, -2), '--api-key', 'sk-secret']),
      2,
      /--api-key is not taken on the command line.*TOKENSKIP_API_KEY or OPENAI_API_KEY/,
    );
  });

  it('--version prints the package version', () => {
    const version = (
      JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }
    ).version;
    expect(cli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('help: `help` and `--help` exit 0, no command prints help and exits 2', () => {
    const help = cli(['help']);
    expect(help.code).toBe(0);
    for (const c of commandTable) expect(help.stdout).toMatch(new RegExp(`^  ${c.name} `, 'm'));
    expect(cli(['--help']).stdout).toBe(help.stdout);
    const bare = cli([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe(help.stdout);
    const evalHelp = cli(['help', 'eval']);
    expect(evalHelp.code).toBe(0);
    expect(evalHelp.stdout).toBe(cli(['eval', '--help']).stdout);
    expect(evalHelp.stdout).toContain('--gammas LIST');
    expectRefused(cli(['help', 'nope']), 2, /^tokenskip: unknown command 'nope'/);
    expectRefused(cli(['nope']), 2, /^tokenskip: unknown command 'nope'/);
  });

  it('summaries go to stderr, and --json puts a machine-readable one on stdout', () => {
    const input = file('sum.jsonl', jsonl(GRADE_ROWS));
    const plain = cli(['grade', '--dataset', 'gsm8k', '--in', input, '--out', 'sum.out.jsonl']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toMatch(/graded 2 lines, 1 correct/);
    const json = cli([
      'grade',
      '--json',
      '--dataset',
      'gsm8k',
      '--in',
      input,
      '--out',
      'sum.out.jsonl',
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({ graded: 2, correct: 1, malformed: 0 });
  });

  it('a test fixture used as a model gets a warning on stderr', () => {
    // The default scorer is the shipped mini scorer (trained, not a fixture): no warning.
    const r = cli(['compress', '--rate', '0.5', '--text'], 'Janet sells 16 eggs a day.');
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/warning/);
    const named = cli(
      ['compress', '--model', 'tiny-lingua-mbert', '--text'],
      'Janet sells 16 eggs.',
    );
    expect(named.stderr).toMatch(/warning: --model 'tiny-lingua-mbert' is a test fixture/);
  });
});

describe('outputs are locked', () => {
  it('a run refuses an output another live run holds, and leaves it untouched', () => {
    const input = file('lock.jsonl', jsonl(GRADE_ROWS));
    const out = file('lock.out.jsonl', 'previous\n');
    writeFileSync(`${out}.lock`, `${process.pid}\n`); // this test runner is alive
    expectRefused(
      cli(['grade', '--dataset', 'gsm8k', '--in', input, '--out', out]),
      1,
      new RegExp(
        `\\[OUTPUT_IN_USE\\]: .*lock\\.out\\.jsonl is being written by another run \\(pid ${process.pid}`,
      ),
    );
    expect(readFileSync(out, 'utf8')).toBe('previous\n');
    const input2 = file('lock2.jsonl', gsm8k.slice(0, 2).join('\n'));
    writeFileSync(path.join(dir, 'lock2.out.jsonl.lock'), `${process.pid}\n`);
    expectRefused(
      cli(['compress', '--in', input2, '--out', 'lock2.out.jsonl']),
      1,
      /\[OUTPUT_IN_USE\]/,
    );
    expect(existsSync(path.join(dir, 'lock2.out.jsonl.partial'))).toBe(false);
  });

  it('a stale lock (its process is dead) is taken over, and released at the end', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    }).stdout;
    const input = file('stale.jsonl', jsonl(GRADE_ROWS));
    const out = path.join(dir, 'stale.out.jsonl');
    writeFileSync(`${out}.lock`, `${dead}\n`);
    const r = cli(['grade', '--dataset', 'gsm8k', '--in', input, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });

  it('two compress runs on one output: the second refuses while the first runs', async () => {
    const input = file('race.jsonl', gsm8k.slice(0, 200).join('\n'));
    const out = path.join(dir, 'race.out.jsonl');
    const first = spawn(
      process.execPath,
      [bin, 'compress', '--in', input, '--out', out, '--batch-size', '2'],
      { cwd: dir },
    );
    const exited = new Promise((resolve) => first.on('exit', resolve));
    for (let i = 0; i < 3000 && !existsSync(`${out}.partial`); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expectRefused(
      cli(['compress', '--in', input, '--out', out, '--batch-size', '2']),
      1,
      new RegExp(`being written by another run \\(pid ${first.pid}`),
    );
    first.kill('SIGKILL');
    await exited;
  }, 120_000);
});

describe('inputs are never overwritten; outputs must be plain files', () => {
  const rows = jsonl(GRADE_ROWS);

  it.each([
    [
      'report --out-csv = --in',
      (f: string) => ['report', '--in', f, '--out-csv', f],
      /--out-csv '.*' is the input file/,
    ],
    [
      'grade --out = --in',
      (f: string) => ['grade', '--dataset', 'gsm8k', '--in', f, '--out', f],
      /--out '.*' is the input file/,
    ],
    [
      'compress --out = --in',
      (f: string) => ['compress', '--in', f, '--out', f],
      /--out '.*' is the input file/,
    ],
    [
      'build --assign-gamma --out = --traces',
      (f: string) => ['build', '--assign-gamma', '--traces', f, '--out', f],
      /--out '.*' is the input file/,
    ],
  ])('%s is refused and the input is unchanged', (_name, args, message) => {
    const input = file('same.jsonl', rows.replace('"q"', '"q","correct":true,"cot":"c"'));
    const before = readFileSync(input);
    expectRefused(cli(args(input)), 1, message);
    expect(readFileSync(input)).toEqual(before);
  });

  it('another name for the input (a hard link, ./x) is caught by inode', () => {
    const input = file('linked.jsonl', rows);
    const hard = path.join(dir, 'hard.jsonl');
    linkSync(input, hard);
    expectRefused(
      cli(['grade', '--dataset', 'gsm8k', '--in', './linked.jsonl', '--out', hard]),
      1,
      /is the input file '\.\/linked\.jsonl'/,
    );
    expect(readFileSync(input, 'utf8')).toBe(rows);
  });

  it('an output that is a symbolic link is not written through', () => {
    const input = file('sym-in.jsonl', rows);
    const target = file('sym-target.jsonl', 'keep me\n');
    const link = path.join(dir, 'sym-out.jsonl');
    symlinkSync(target, link);
    expectRefused(
      cli(['grade', '--dataset', 'gsm8k', '--in', input, '--out', link]),
      1,
      /--out '.*sym-out\.jsonl' is a symbolic link; refusing to write through it/,
    );
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
  });

  it('--out /dev/null (a device) is refused, even for root, and the device stays', () => {
    const input = file('dev.jsonl', rows);
    expectRefused(
      cli(['grade', '--dataset', 'gsm8k', '--in', input, '--out', '/dev/null']),
      1,
      /--out '\/dev\/null' is not a regular file \(a device, FIFO or socket\)/,
    );
    expect(spawnSync('test', ['-c', '/dev/null']).status).toBe(0);
  });

  it('an output that is a folder is named as such, not as a full disk', () => {
    const input = file('eisdir.jsonl', rows);
    mkdirSync(path.join(dir, 'a-folder'));
    const r = cli(['grade', '--dataset', 'gsm8k', '--in', input, '--out', 'a-folder']);
    expectRefused(r, 1, /--out 'a-folder' is a folder; give a file path/);
    expect(r.stderr).not.toMatch(/disk|space/i);
  });

  it('leaves no temp files beside the output', () => {
    const input = file('tmp-in.jsonl', rows);
    const sub = path.join(dir, 'tmp-check');
    mkdirSync(sub);
    expect(
      cli(['grade', '--dataset', 'gsm8k', '--in', input, '--out', path.join(sub, 'o.jsonl')]).code,
    ).toBe(0);
    expect(readdirSync(sub)).toEqual(['o.jsonl']);
  });
});

describe('report', () => {
  it('escapes CSV cells a spreadsheet would run as formulas', () => {
    const input = file(
      'inject.jsonl',
      ['=HYPERLINK("http://x")', '+1', '-2+3', '@SUM(A1)', '\tx']
        .map((method) => JSON.stringify({ correct: true, method, model: 'm' }))
        .join('\n'),
    );
    const csv = path.join(dir, 'inject.csv');
    expect(cli(['report', '--in', input, '--out-csv', csv]).code).toBe(0);
    const cells = readFileSync(csv, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((row) => row.split(',')[3]);
    expect(cells).toEqual(['"\'=HYPERLINK(""http://x"")"', "'+1", "'-2+3", "'@SUM(A1)", '"\'\tx"']);
  });

  it('rejects γ outside (0, 1] and negative latencies, by line', () => {
    const input = file(
      'bad-report.jsonl',
      jsonl([
        { correct: true, gamma: 1, latency_s: 1 },
        { correct: true, gamma: 1.5 },
        { correct: true, gamma: 0 },
        { correct: true, gamma: 1, latency_s: -3 },
      ]),
    );
    const r = cli(['report', '--in', input]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /bad-report\.jsonl:2: field 'gamma' must be a number in \(0, 1\], got 1\.5/,
    );
    expect(r.stderr).toMatch(
      /bad-report\.jsonl:3: field 'gamma' must be a number in \(0, 1\], got 0/,
    );
    expect(r.stderr).toMatch(
      /bad-report\.jsonl:4: field 'latency_s' must be a number >= 0, got -3/,
    );
    expectRefused(
      cli(['report', '--strict', '--in', input]),
      1,
      /bad-report\.jsonl:2: field 'gamma'/,
    );
  });
});

describe('input files', () => {
  const rows = jsonl(GRADE_ROWS);
  const grade = (input: string, out: string) =>
    cli(['grade', '--dataset', 'gsm8k', '--in', input, '--out', out]);

  it('a UTF-8 byte order mark is skipped: same output as without it', () => {
    expect(grade(file('plain.jsonl', rows), 'plain.out.jsonl').code).toBe(0);
    const bom = grade(file('bom.jsonl', `\uFEFF${rows}`), 'bom.out.jsonl');
    expect(bom.code, bom.stderr).toBe(0);
    expect(bom.stderr).not.toMatch(/skipping/);
    expect(readFileSync(path.join(dir, 'bom.out.jsonl'))).toEqual(
      readFileSync(path.join(dir, 'plain.out.jsonl')),
    );
  });

  it('UTF-16 and binary files are named as such', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rows, 'utf16le')]);
    expectRefused(
      grade(file('u16.jsonl', le), 'x.jsonl'),
      1,
      /u16\.jsonl' is UTF-16 text \(byte order mark FF FE\); save it as UTF-8/,
    );
    expectRefused(
      grade(file('u16nobom.jsonl', Buffer.from(rows, 'utf16le')), 'x.jsonl'),
      1,
      /looks like UTF-16 text/,
    );
    expectRefused(
      grade(
        file(
          'bin.jsonl',
          Buffer.from([
            0x7b, 0x00, 0x01, 0x02, 0xff, 0x00, 0x00, 0x10, 0x7d, 0x0a, 0x41, 0x42, 0x43, 0x44,
            0x45, 0x46, 0x47,
          ]),
        ),
        'x.jsonl',
      ),
      1,
      /is a binary file/,
    );
    expectRefused(
      cli(['compress', '--in', path.join(dir, 'u16.jsonl'), '--out', 'y.jsonl']),
      1,
      /is UTF-16 text/,
    );
  });

  it('a folder given as --in gets a clear message with its path', () => {
    mkdirSync(path.join(dir, 'in-folder'));
    expectRefused(grade('in-folder', 'x.jsonl'), 1, /--in 'in-folder' is a folder, not a file/);
    expectRefused(
      cli(['compress', '--in', 'in-folder', '--out', 'y.jsonl']),
      1,
      /--in 'in-folder' is a folder, not a file/,
    );
  });

  it('deeply nested JSON is refused by line, not with a stack overflow', () => {
    const deep = `{"cot": "a b", "x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const input = file('deep.jsonl', `${JSON.stringify(GRADE_ROWS[0])}\n${deep}\n`);
    const g = grade(input, 'deep.out.jsonl');
    expect(g.code, g.stderr).toBe(0);
    expect(g.stderr).toMatch(/deep\.jsonl:2: nested deeper than 1000 levels/);
    expect(g.stderr).not.toMatch(/call stack/);
    expectRefused(
      cli(['compress', '--in', input, '--out', 'deep.c.jsonl']),
      1,
      /deep\.jsonl:2: nested deeper than 1000 levels/,
    );
  });

  it('--in /dev/zero stops at once with one line instead of reading forever', () => {
    expectRefused(
      cli(['compress', '--in', '/dev/zero', '--out', 'zero.jsonl']),
      1,
      /^tokenskip compress: error \[MALFORMED_JSONL\]: --in file '\/dev\/zero' is a binary file \(a zero byte at offset 0\), not JSONL text\.$/,
    );
    expectRefused(grade('/dev/zero', 'zero.jsonl'), 1, /--in file '\/dev\/zero' is a binary file/);
    expect(existsSync(path.join(dir, 'zero.jsonl'))).toBe(false);
  });

  it('a line past the 32 MiB limit is refused by number before it is buffered whole', () => {
    // 40 MB with no newline: a whole-file reader would take it all; the limit stops it at 32 MiB.
    const input = file(
      'long-line.jsonl',
      Buffer.concat([Buffer.from(`${rows}{"cot": "`), Buffer.alloc(40_000_000, 0x61)]),
    );
    const message =
      /long-line\.jsonl:3: line longer than 32 MiB \(33554432 bytes\), the limit for one JSONL record; check that this is a JSONL file, or shorten that record\.$/;
    expectRefused(grade(input, 'long.out.jsonl'), 1, message);
    expectRefused(cli(['compress', '--in', input, '--out', 'long.c.jsonl']), 1, message);
    expect(readdirSync(dir).filter((f) => f.startsWith('long.'))).toEqual([]);
  });

  it('compress --limit N writes the first N records of a full run, after checking every line', () => {
    const lines = gsm8k.slice(0, 5);
    const input = file('limit.jsonl', lines.join('\n') + '\n');
    expect(cli(['compress', '--in', input, '--out', 'limit.full.jsonl']).code).toBe(0);
    const r = cli(['compress', '--in', input, '--out', 'limit.3.jsonl', '--limit', '3']);
    expect(r.code, r.stderr).toBe(0);
    const full = readFileSync(path.join(dir, 'limit.full.jsonl'), 'utf8').split('\n');
    expect(readFileSync(path.join(dir, 'limit.3.jsonl'), 'utf8')).toBe(
      full.slice(0, 3).join('\n') + '\n',
    );
    // The last line is past the limit, yet still checked before any work.
    const bad = file('limit.bad.jsonl', `${lines.join('\n')}\n{"cot": 1}\n`);
    expectRefused(
      cli(['compress', '--in', bad, '--out', 'limit.bad.out.jsonl', '--limit', '1']),
      1,
      /limit\.bad\.jsonl:6: field 'cot' must be a string/,
    );
    expect(existsSync(path.join(dir, 'limit.bad.out.jsonl.partial'))).toBe(false);
  });

  it('invalid UTF-8 is named with its line', () => {
    const input = file(
      'latin1.jsonl',
      Buffer.concat([Buffer.from(rows), Buffer.from([0x7b, 0xe9, 0x7d, 0x0a])]),
    );
    expectRefused(
      grade(input, 'latin1.out.jsonl'),
      1,
      /--in file '.*latin1\.jsonl' is not valid UTF-8 text \(line 3\); convert it to UTF-8/,
    );
  });

  it('a 500,000-character CoT with a huge answer list is graded without a stack overflow', () => {
    const list = Array.from({ length: 200_000 }, (_, i) => i % 10).join(',');
    const output = `${'step '.repeat(20_000)}The final answer is $\\boxed{${list}}$`;
    expect(output.length).toBeGreaterThan(500_000);
    const input = file(
      'huge.jsonl',
      jsonl([{ question: 'List them, separated by commas.', output, answer: '1' }]),
    );
    const r = cli(['grade', '--dataset', 'math', '--in', input, '--out', 'huge.out.jsonl']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/graded 1 lines, 0 correct/);
  });
});

describe('compress resumes only verified output', () => {
  const n = 24;
  const input = () => file('resume.jsonl', gsm8k.slice(0, n).join('\n') + '\n');
  const args = (out: string) => [
    'compress',
    '--in',
    'resume.jsonl',
    '--out',
    out,
    '--batch-size',
    '2',
  ];

  it('garbage, duplicated or foreign lines in .partial are cut off and redone: output identical', async () => {
    input();
    const reference = path.join(dir, 'resume.ref.jsonl');
    expect(cli(args(reference)).code).toBe(0);
    const expected = readFileSync(reference, 'utf8');
    const refLines = expected.split('\n').filter(Boolean);

    // A run killed part-way, as a crash would.
    const killed = path.join(dir, 'resume.killed.jsonl');
    const child = spawn(process.execPath, [bin, ...args(killed)], { cwd: dir });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    for (let i = 0; i < 6000; i++) {
      await new Promise((r) => setTimeout(r, 10));
      if (
        existsSync(`${killed}.partial`) &&
        readFileSync(`${killed}.partial`, 'utf8').split('\n').length > 8
      )
        break;
    }
    child.kill('SIGKILL');
    await exited;
    const partial = readFileSync(`${killed}.partial`, 'utf8');
    const kept = partial
      .slice(0, partial.lastIndexOf('\n') + 1)
      .split('\n')
      .filter(Boolean);
    expect(kept.length).toBeGreaterThan(2);
    expect(kept.length).toBeLessThan(n);

    const variants: [string, string, RegExp | undefined][] = [
      ['clean', kept.join('\n') + '\n', undefined],
      [
        'garbage',
        `${kept.join('\n')}\nnot json at all\n${kept.at(-1)}\n`,
        /did not match the input/,
      ],
      ['duplicate', `${kept.join('\n')}\n${kept.at(-1)}\n`, /did not match the input/],
      // A line from another record in the middle: everything from there is redone.
      [
        'foreign',
        [...kept.slice(0, 2), refLines[n - 1], ...kept.slice(3)].join('\n') + '\n',
        /after record 2 did not match/,
      ],
      ['torn', `${kept.join('\n')}\n{"cot": "half a li`, /did not match the input/],
    ];
    for (const [name, content, note] of variants) {
      const out = path.join(dir, `resume.${name}.jsonl`);
      writeFileSync(`${out}.partial`, content);
      copyFileSync(`${killed}.partial.meta.json`, `${out}.partial.meta.json`);
      // The line hashes the killed run recorded: lines that do not match them are redone.
      copyFileSync(`${killed}.partial.sums`, `${out}.partial.sums`);
      const r = cli(args(out));
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      if (note) expect(r.stderr, name).toMatch(note);
      expect(r.stderr, name).toMatch(new RegExp(`Resuming .*: \\d+ of ${n} records already done`));
      expect(readFileSync(out, 'utf8'), name).toBe(expected);
      expect(existsSync(`${out}.partial`)).toBe(false);
    }
  }, 300_000);
});

describe('build reruns only when its outputs are the ones its manifest records', () => {
  const files = [
    'train.jsonl',
    'val.jsonl',
    'llamafactory/tokenskip_train.json',
    'llamafactory/tokenskip_val.json',
    'llamafactory/dataset_info.json',
  ];
  const build = (out: string, seed: number) =>
    cli([
      'build',
      '--model',
      path.join(repoRoot, 'models/fixtures/tiny-qwen2'),
      '--traces',
      'build.traces.jsonl',
      '--out',
      out,
      '--seed',
      String(seed),
      '--val',
      '0.3',
    ]);
  const contents = (out: string) => files.map((f) => readFileSync(path.join(dir, out, f), 'utf8'));

  it('a foreign, deleted or truncated output is rebuilt, identical to an undisturbed build', () => {
    file('build.traces.jsonl', gsm8k.slice(0, 20).join('\n') + '\n');
    expect(build('b.ref', 1).code).toBe(0);
    expect(build('b.other', 2).code).toBe(0);
    const reference = contents('b.ref');
    expect(contents('b.other')[0]).not.toBe(reference[0]);

    const unchanged = build('b.ref', 1);
    expect(unchanged.code).toBe(0);
    expect(unchanged.stderr).toMatch(/b\.ref is up to date/);

    const disturb: [string, (out: string) => void, RegExp][] = [
      // A seed-2 run killed after train.jsonl, beside the manifest of the seed-1 run.
      [
        'foreign train.jsonl',
        (out) => copyFileSync(path.join(dir, 'b.other/train.jsonl'), path.join(out, 'train.jsonl')),
        /train\.jsonl is not the file its manifest records/,
      ],
      [
        'deleted train.jsonl',
        (out) => rmSync(path.join(out, 'train.jsonl')),
        /train\.jsonl is missing/,
      ],
      [
        'truncated val.jsonl',
        (out) => {
          const val = path.join(out, 'val.jsonl');
          writeFileSync(val, readFileSync(val).subarray(0, 100));
        },
        /val\.jsonl is not the file its manifest records/,
      ],
    ];
    for (const [name, act, note] of disturb) {
      const out = path.join(dir, `b.${name.replaceAll(' ', '-')}`);
      expect(build(out, 1).code).toBe(0);
      act(out);
      const r = build(out, 1);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(r.stderr, name).toMatch(note);
      expect(r.stderr, name).not.toMatch(/up to date/);
      expect(contents(path.relative(dir, out)), name).toEqual(reference);
      expect(build(out, 1).stderr, name).toMatch(/is up to date/);
    }
  });

  it('a rebuild removes the old manifest before it writes, so a crash mid-way cannot hide', () => {
    const out = path.join(dir, 'b.failed');
    expect(build(out, 1).code).toBe(0);
    // A rebuild (other traces) that dies after it started: here on a bad last line.
    const good = readFileSync(path.join(dir, 'build.traces.jsonl'), 'utf8');
    file('build.traces.jsonl', `${good}{"id": 99, "cot": "no question"}\n`);
    const failed = build(out, 2);
    file('build.traces.jsonl', good);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(/build\.traces\.jsonl:21: missing field prediction or answer/);
    expect(existsSync(path.join(out, 'manifest.json'))).toBe(false);
    const r = build(out, 1);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/up to date/);
    expect(contents('b.failed')).toEqual(contents('b.ref'));
  });
});

describe('models are checked before any work', () => {
  /** A copy of a fixture model whose float weights are all NaN (it loads and runs; outputs NaN). */
  const nanCopy = (fixture: string) => {
    const to = path.join(dir, `${fixture}-nan`);
    cpSync(path.join(repoRoot, 'models/fixtures', fixture), to, { recursive: true });
    expect(
      nanWeights(
        path.join(repoRoot, 'models/fixtures', fixture, 'onnx/model.onnx'),
        path.join(to, 'onnx/model.onnx'),
      ),
    ).toBeGreaterThan(0);
    return to;
  };
  const nanLogits = (model: string) =>
    new RegExp(
      `error \\[MODEL_OUTPUT_INVALID\\]: Model check on load failed for '.*${model}': ${model}.* returned NaN logits: its weights are corrupt`,
    );

  it('a scorer or reference LM with NaN weights is refused on load; nothing is written', () => {
    const input = file('nan.jsonl', gsm8k.slice(0, 3).join('\n') + '\n');
    const scorer = nanCopy('tiny-lingua-mbert');
    expectRefused(
      cli(['compress', '--model', scorer, '--in', input, '--out', 'nan.out.jsonl']),
      1,
      nanLogits('tiny-lingua-mbert-nan'),
    );
    const lm = nanCopy('tiny-qwen2');
    expectRefused(
      cli([
        'compress',
        '--scorer',
        'ppl',
        '--ref-model',
        lm,
        '--in',
        input,
        '--out',
        'nan.out.jsonl',
      ]),
      1,
      nanLogits('tiny-qwen2-nan'),
    );
    expect(readdirSync(dir).filter((f) => f.startsWith('nan.out'))).toEqual([]);
  });

  it('a generation model with NaN weights stops collect on load, before any sample', () => {
    const lm = path.join(dir, 'tiny-qwen2-nan');
    if (!existsSync(lm)) nanCopy('tiny-qwen2');
    const qs = file(
      'nan.questions.jsonl',
      jsonl([
        { id: 0, question: 'What is 1+1?', answer: '2' },
        { id: 1, question: 'What is 2+3?', answer: '5' },
      ]),
    );
    expectRefused(
      cli([
        'collect',
        '--input',
        qs,
        '--model-dir',
        lm,
        '--onnx-model',
        lm,
        '--max-tokens',
        '4',
        '--out',
        'nan.collected.jsonl',
      ]),
      1,
      nanLogits('tiny-qwen2-nan'),
    );
    expect(readdirSync(dir).filter((f) => f.startsWith('nan.collected'))).toEqual([]);
  });

  it('a folder the registry lists must match its hashes: a flipped byte is named', () => {
    // A registry of our own (TOKENSKIP_REGISTRY) listing a copy of a shipped scorer.
    const registry = path.join(dir, 'registry');
    const manifest = JSON.parse(
      readFileSync(path.join(repoRoot, 'models/manifest.json'), 'utf8'),
    ) as {
      models: { id: string; source: { type: string; path?: string } }[];
    };
    const entry = manifest.models.find((e) => e.id === 'tiny-lingua-mbert')!;
    entry.id = 'tampered-scorer';
    entry.source = { type: 'path', path: 'models/tampered' };
    mkdirSync(path.join(registry, 'models'), { recursive: true });
    writeFileSync(
      path.join(registry, 'models/manifest.json'),
      JSON.stringify({ ...manifest, models: [entry] }),
    );
    const folder = path.join(registry, 'models/tampered');
    cpSync(path.join(repoRoot, 'models/fixtures/tiny-lingua-mbert'), folder, { recursive: true });
    const env = {
      ...process.env,
      TOKENSKIP_REGISTRY: path.join(registry, 'models/manifest.json'),
    };
    const text = 'Janet sells 16 - 3 - 4 = 9 duck eggs a day.';
    // Untouched: it runs, by folder and by id.
    expect(cli(['compress', '--model', folder], text, env).code).toBe(0);
    expect(cli(['compress', '--model', 'tampered-scorer'], text, env).code).toBe(0);
    const onnx = path.join(folder, 'onnx/model.onnx');
    const bytes = readFileSync(onnx);
    const at = bytes.length - 100;
    bytes[at] = bytes[at]! ^ 0xff;
    writeFileSync(onnx, bytes);
    const mismatch = new RegExp(
      `error \\[MODEL_FILE_CORRUPT\\]: .*tampered/onnx/model\\.onnx has ${bytes.length} bytes, sha256 [0-9a-f]{12}…; models/manifest\\.json \\(tampered-scorer\\) records ${bytes.length} bytes, [0-9a-f]{12}…: the file was changed or is corrupt`,
    );
    expectRefused(cli(['compress', '--model', folder], text, env), 1, mismatch);
    expectRefused(cli(['compress', '--model', 'tampered-scorer'], text, env), 1, mismatch);
  });
});

describe('limits are checked before work', () => {
  it('--max-tokens beyond the model positions is refused by collect and eval; nothing written', () => {
    // A copy of the fixture (512 positions), so no fixture warning joins the one line.
    const model = path.join(dir, 'limits-model');
    cpSync(path.join(repoRoot, 'models/fixtures/tiny-qwen2'), model, { recursive: true });
    const qs = file(
      'limits.questions.jsonl',
      jsonl([{ id: 0, question: 'What is 1+1?', answer: '2' }]),
    );
    const message =
      /error \[INPUT_TOO_LARGE\]: --max-tokens 4096 does not fit .*limits-model \(its config\.json\): it holds 512 positions \(max_position_embeddings\), prompt included; give at most 511\.$/;
    for (const command of ['collect', 'eval']) {
      expectRefused(
        cli([
          command,
          '--input',
          qs,
          '--model-dir',
          model,
          '--onnx-model',
          model,
          '--max-tokens',
          '4096',
          '--out',
          `limits.${command}.jsonl`,
        ]),
        1,
        message,
      );
    }
    expect(
      readdirSync(dir).filter((f) => f.startsWith('limits.') && !f.includes('questions')),
    ).toEqual([]);
  });
});
