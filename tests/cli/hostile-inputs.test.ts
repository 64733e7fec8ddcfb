/**
 * Hostile inputs (issue 23), the CLI side: the real CLI (bin/tokenskip.mjs) in child processes.
 * Each case reproduces one reported failure: an input destroyed through a side file, a leaked temp
 * file, a γ that keeps nothing, duplicate ids, runs merged or misprinted by `report`, a tampered
 * resume, journals reused across runs, credentials echoed. Companion of ./fault-injection.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { repoRoot } from '../helpers/fixtures.ts';

vi.setConfig({ testTimeout: 600_000 });

const bin = path.join(repoRoot, 'bin/tokenskip.mjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    input,
    encoding: 'utf8',
    cwd: dir,
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI without blocking this process (a loopback server here must answer it). */
function cliAsync(args: string[]): Promise<ReturnType<typeof cli>> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
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
  mkdirSync(path.dirname(p), { recursive: true });
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
const fixtureQwen = path.join(repoRoot, 'models/fixtures/tiny-qwen2');
// A copy, so no "test fixture used as a model" warning joins the one line of a refusal.
const tinyQwen = path.join(dir, 'q-model');
cpSync(fixtureQwen, tinyQwen, { recursive: true });
/** A pid that is certainly dead: a process that has exited. */
const deadPid = () =>
  spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  }).stdout;

describe('1. a side file (lock, .partial, meta, journal) that is an input is refused, untouched', () => {
  const cots = gsm8k.slice(0, 2).join('\n') + '\n';

  it.each([
    [
      'compress, the lock',
      'y.jsonl.lock',
      (i: string) => ['compress', '--in', i, '--out', 'y.jsonl'],
    ],
    [
      'grade, the lock',
      'g.jsonl.lock',
      (i: string) => ['grade', '--dataset', 'gsm8k', '--in', i, '--out', 'g.jsonl'],
    ],
    [
      'compress, the resume fingerprint',
      'x.jsonl.partial.meta.json',
      (i: string) => ['compress', '--in', i, '--out', 'x.jsonl'],
    ],
    [
      'compress, the .partial',
      'p.jsonl.partial',
      (i: string) => ['compress', '--in', i, '--out', 'p.jsonl'],
    ],
    [
      'report, the lock of --out-md',
      'r.md.lock',
      (i: string) => ['report', '--in', i, '--out-md', 'r.md'],
    ],
    [
      'build --assign-gamma, the manifest',
      'a.jsonl.manifest.json',
      (i: string) => ['build', '--assign-gamma', '--traces', i, '--out', 'a.jsonl'],
    ],
  ])('%s', (_name, name, args) => {
    const content = name.startsWith('g.') || name.startsWith('r.') ? jsonl(GRADE_ROWS) : cots;
    const input = file(name, content.replaceAll('"q"', '"q","correct":true'));
    const before = readFileSync(input);
    expectRefused(
      cli(args(name)),
      1,
      /keeps its .* at '.*', which is the input file '.*'; the run would overwrite or delete it/,
    );
    expect(readFileSync(input)).toEqual(before);
    const out = args(name).at(-1)!;
    expect(existsSync(path.join(dir, out))).toBe(false);
  });

  it('collect and eval: the journal as --input is refused before the model loads', () => {
    const qs = file('j.out.json.journal.jsonl', jsonl([{ question: 'What is 1+1?', answer: '2' }]));
    const before = readFileSync(qs);
    for (const command of ['collect', 'eval']) {
      expectRefused(
        cli([
          command,
          '--input',
          qs,
          '--model-dir',
          '/nonexistent',
          '--onnx-model',
          '/nonexistent',
          '--out',
          'j.out.json',
        ]),
        1,
        /keeps its journal at '.*j\.out\.json\.journal\.jsonl', which is the input file/,
      );
    }
    expect(readFileSync(qs)).toEqual(before);
  });

  it('a file at the lock path that is not a tokenskip lock is never taken over or deleted', () => {
    const input = file('notlock.jsonl', jsonl(GRADE_ROWS));
    const lock = file('notlock.out.jsonl.lock', 'precious data\n');
    expectRefused(
      cli(['grade', '--dataset', 'gsm8k', '--in', input, '--out', 'notlock.out.jsonl']),
      1,
      /notlock\.out\.jsonl\.lock \(the lock of .*\) exists and is not a tokenskip lock/,
    );
    expect(readFileSync(lock, 'utf8')).toBe('precious data\n');
  });
});

describe('2. outputs are checked against every path a command reads', () => {
  it('report --tokenizer tok.json --out-md tok.json is refused; the tokenizer is unchanged', () => {
    const graded = file('rep.jsonl', jsonl([{ correct: true, output: 'a b c' }]));
    const tok = path.join(dir, 'tok.json');
    copyFileSync(path.join(tinyQwen, 'tokenizer.json'), tok);
    const before = readFileSync(tok);
    for (const flag of ['--out-md', '--out-json', '--out-csv']) {
      expectRefused(
        cli(['report', '--in', graded, '--tokenizer', tok, flag, tok]),
        1,
        new RegExp(`${flag} '.*tok\\.json' is the input file '.*tok\\.json'`),
      );
    }
    expect(readFileSync(tok)).toEqual(before);
  });

  it('a tokenizer folder stands for the files in it', () => {
    const graded = file('rep2.jsonl', jsonl([{ correct: true, output: 'a b c' }]));
    const folder = path.join(dir, 'tok-folder');
    cpSync(tinyQwen, folder, { recursive: true });
    const config = path.join(folder, 'tokenizer_config.json');
    const before = readFileSync(config);
    expectRefused(
      cli(['report', '--in', graded, '--tokenizer', folder, '--out-md', config]),
      1,
      /--out-md '.*tokenizer_config\.json' is a file inside the input folder '.*tok-folder'/,
    );
    expect(readFileSync(config)).toEqual(before);
  });

  it('build --out inside the model folder may not replace its files', () => {
    const traces = file('b2.traces.jsonl', gsm8k.slice(0, 3).join('\n') + '\n');
    const model = path.join(dir, 'b2-model');
    cpSync(tinyQwen, model, { recursive: true });
    const r = cli(['build', '--model', model, '--traces', traces, '--out', model]);
    expectRefused(r, 1, /--out '.*b2-model' is the input folder '.*b2-model'/);
  });
});

describe('3. temp files left by killed runs are removed by the next run', () => {
  it('grade: stale temps of this output go, live or foreign ones stay', () => {
    const input = file('tmp3.jsonl', jsonl(GRADE_ROWS));
    const sub = path.join(dir, 'tmp3');
    mkdirSync(sub);
    const dead = deadPid();
    const stale = [
      `.o.jsonl.${dead}.0123456789ab.tmp`,
      `.o.jsonl.manifest.json.${dead}.0123456789ac.tmp`,
    ];
    const kept = [
      `.o.jsonl.${process.pid}.0123456789ad.tmp`, // a live writer's
      `.other.jsonl.${dead}.0123456789ae.tmp`, // another output's
      `.o.jsonl.${dead}.notours.tmp`, // not our pattern
    ];
    for (const name of [...stale, ...kept]) writeFileSync(path.join(sub, name), 'x'.repeat(1000));
    const r = cli([
      'grade',
      '--dataset',
      'gsm8k',
      '--in',
      input,
      '--out',
      path.join(sub, 'o.jsonl'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(sub).sort()).toEqual(['o.jsonl', ...kept].sort());
  });

  it('grade killed three times, then a successful run: no temp file is left', async () => {
    const big = file(
      'tmp-big.jsonl',
      jsonl(
        Array.from({ length: 20000 }, (_, i) => ({
          ...GRADE_ROWS[0],
          id: i,
          output: `${'x '.repeat(200)}The final answer is: $\\boxed{${i}}$`,
        })),
      ),
    );
    const sub = path.join(dir, 'tmp-kill');
    mkdirSync(sub);
    const out = path.join(sub, 'o.jsonl');
    const temps = () => readdirSync(sub).filter((f) => f.endsWith('.tmp'));
    for (let k = 0; k < 3; k++) {
      const child = spawn(
        process.execPath,
        [bin, 'grade', '--dataset', 'gsm8k', '--in', big, '--out', out],
        { cwd: dir },
      );
      const exited = new Promise((resolve) => child.on('exit', resolve));
      const mine = `.o.jsonl.${child.pid}.`;
      for (let i = 0; i < 6000 && !temps().some((f) => f.startsWith(mine)); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      child.kill('SIGKILL');
      await exited;
      // Each run removed the one the run before it left: they never pile up.
      expect(temps()).toEqual([
        expect.stringMatching(new RegExp(`^${mine.replaceAll('.', '\\.')}`)),
      ]);
    }
    const r = cli(['grade', '--dataset', 'gsm8k', '--in', big, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(sub).filter((f) => f !== 'o.jsonl')).toEqual([]);
  });
});

describe('4. γ too small to keep any token is refused with exit 2 before any model loads', () => {
  it.each(['1e-17', '1e-320', '5e-324'])('compress --rate %s', (rate) => {
    const input = file('g4.jsonl', gsm8k.slice(0, 2).join('\n') + '\n');
    expectRefused(
      cli([
        'compress',
        '--model',
        '/nonexistent',
        '--in',
        input,
        '--out',
        'g4.out.jsonl',
        '--rate',
        rate,
      ]),
      2,
      new RegExp(`--rate ${rate} is too small to keep any token`),
    );
    expect(readdirSync(dir).filter((f) => f.startsWith('g4.out'))).toEqual([]);
  });

  it('--rates and stdin alike; a per-line γ too small is named by line', () => {
    expectRefused(
      cli(['compress', '--rates', '0.5,1e-17', '--in', 'x.jsonl', '--out', 'o-{rate}.jsonl']),
      2,
      /--rates\[1\] 1e-17 is too small to keep any token/,
    );
    expectRefused(
      cli(['compress', '--model', '/nonexistent', '--rate', '1e-320'], 'some text'),
      2,
      /--rate 1e-320 is too small to keep any token/,
    );
    const input = file(
      'g4b.jsonl',
      jsonl([
        { cot: 'a b c', gamma: 0.5 },
        { cot: 'a b c', gamma: 1e-17 },
      ]),
    );
    expectRefused(
      cli([
        'compress',
        '--model',
        '/nonexistent',
        '--in',
        input,
        '--rate-field',
        'gamma',
        '--out',
        'g4b.out.jsonl',
      ]),
      1,
      /g4b\.jsonl:2: field 'gamma' 1e-17 is too small to keep any token/,
    );
  });
});

describe('5. build refuses duplicate trace ids', () => {
  it('names the id and both lines; nothing is written', () => {
    const rows = gsm8k
      .slice(0, 4)
      .map((l, i) => ({ ...JSON.parse(l), id: i === 3 ? 'a1' : `a${i}` }));
    const traces = file('dup.traces.jsonl', jsonl(rows));
    expectRefused(
      cli(['build', '--model', tinyQwen, '--traces', traces, '--out', 'dup.out']),
      1,
      /dup\.traces\.jsonl: lines 2 and 4 have the same id "a1"; give every trace its own id/,
    );
    expect(existsSync(path.join(dir, 'dup.out', 'train.jsonl'))).toBe(false);
  });
});

describe('6 and 7. report keeps runs apart and prints γ as given', () => {
  it('two results.jsonl in different folders are two runs, not one', () => {
    const right = Array.from({ length: 10 }, () => ({ correct: true }));
    const wrong = Array.from({ length: 10 }, () => ({ correct: false }));
    file('a/results.jsonl', jsonl(right));
    file('b/results.jsonl', jsonl(wrong));
    const r = cli(['report', '--json', '--in', 'a/results.jsonl', '--in', 'b/results.jsonl']);
    expect(r.code, r.stderr).toBe(0);
    const runs = (
      JSON.parse(r.stdout) as { runs: { name: string; n: number; accuracyPct: number }[] }
    ).runs;
    expect(runs.map((x) => [x.name, x.n, x.accuracyPct])).toEqual([
      ['a/results.jsonl', 10, 100],
      ['b/results.jsonl', 10, 0],
    ]);
  });

  it('the same file twice is refused (its lines would count twice)', () => {
    file('twice.jsonl', jsonl([{ correct: true }]));
    expectRefused(
      cli(['report', '--in', 'twice.jsonl', '--in', './twice.jsonl']),
      2,
      /--in '\.\/twice\.jsonl' is the same file as --in 'twice\.jsonl'/,
    );
  });

  it('γ 0.95 and 0.55 keep their digits beside 0.9 and 0.6', () => {
    const input = file(
      'gammas.jsonl',
      jsonl(
        [1, 0.95, 0.9, 0.6, 0.55].map((gamma) => ({ correct: true, gamma, method: `m${gamma}` })),
      ),
    );
    const r = cli(['report', '--in', input]);
    expect(r.code, r.stderr).toBe(0);
    const gammas = r.stdout
      .trim()
      .split('\n')
      .slice(2)
      .map((row) => row.split('|')[2]!.trim());
    expect(gammas).toEqual(['1.0', '0.95', '0.9', '0.6', '0.55']);
  });

  it('15. Markdown cells are escaped: pipes, line breaks and HTML', () => {
    const input = file(
      'md.jsonl',
      jsonl([
        {
          correct: true,
          method: 'x\n| injected | row |',
          dataset: 'evil|col',
          model: '<img src=x onerror=alert(1)>',
        },
      ]),
    );
    const r = cli(['report', '--in', input]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    const columns = (line: string) => line.split('|').length;
    expect(columns(lines[0]!)).toBe(columns(lines[2]!));
    expect(lines[0]).toContain('evil&#124;col Acc. (Δ)');
    expect(lines[2]).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(lines[2]).toContain('x &#124; injected &#124; row &#124;');
    expect(r.stdout).not.toContain('<img');
  });
});

describe('8. resume verifies the content it reuses', () => {
  it('a tampered .partial line is cut off and redone: the output equals an undisturbed run', async () => {
    const n = 16;
    file('tamper.jsonl', gsm8k.slice(0, n).join('\n') + '\n');
    const args = (out: string) => [
      'compress',
      '--in',
      'tamper.jsonl',
      '--out',
      out,
      '--batch-size',
      '2',
    ];
    const reference = path.join(dir, 'tamper.ref.jsonl');
    expect(cli(args(reference)).code).toBe(0);
    const expected = readFileSync(reference, 'utf8');

    const killed = path.join(dir, 'tamper.killed.jsonl');
    const child = spawn(process.execPath, [bin, ...args(killed)], { cwd: dir });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    for (let i = 0; i < 6000; i++) {
      await new Promise((r) => setTimeout(r, 10));
      if (
        existsSync(`${killed}.partial.sums`) &&
        readFileSync(`${killed}.partial.sums`, 'utf8').split('\n').length > 5
      )
        break;
    }
    child.kill('SIGKILL');
    await exited;
    const kept = readFileSync(`${killed}.partial`, 'utf8').split('\n').filter(Boolean);
    expect(kept.length).toBeGreaterThan(3);
    expect(kept.length).toBeLessThan(n);
    const line = JSON.parse(kept[1]!) as Record<string, unknown>;
    kept[1] = JSON.stringify({ ...line, compressed_prompt: 'TAMPERED' });
    const out = path.join(dir, 'tamper.out.jsonl');
    writeFileSync(`${out}.partial`, kept.join('\n') + '\n');
    for (const side of ['.partial.meta.json', '.partial.sums'])
      copyFileSync(`${killed}${side}`, `${out}${side}`);
    const r = cli(args(out));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/bytes after record 1 did not match/);
    expect(readFileSync(out, 'utf8')).toBe(expected);
    expect(readFileSync(out, 'utf8')).not.toContain('TAMPERED');
    for (const side of ['.partial', '.partial.meta.json', '.partial.sums'])
      expect(existsSync(`${out}${side}`)).toBe(false);
  }, 300_000);
});

describe('9. eval and collect journals belong to one run', () => {
  const questions = jsonl(
    Array.from({ length: 5 }, (_, i) => ({
      id: i,
      question: `What is ${i}+1?`,
      answer: String(i + 1),
    })),
  );
  const target = (input: string, out: string, extra: string[] = []) => [
    '--input',
    input,
    '--model-dir',
    tinyQwen,
    '--onnx-model',
    tinyQwen,
    '--max-tokens',
    '2',
    '--out',
    out,
    ...extra,
  ];

  it('eval --limit 5 then --limit 2 on one --out is refused, naming limit', () => {
    const qs = file('e9.jsonl', questions);
    const first = cli(['eval', ...target(qs, 'e9.json', ['--limit', '5', '--gammas', '1'])]);
    expect(first.code, first.stderr).toBe(0);
    const lines = readFileSync(path.join(dir, 'e9.json.journal.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(5);
    rmSync(path.join(dir, 'e9.json'));
    const second = cli(['eval', ...target(qs, 'e9.json', ['--limit', '2', '--gammas', '1'])]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      /e9\.json\.journal\.jsonl holds 5 answers of another eval run \(limit differ\).*delete .*e9\.json\.journal\.jsonl to start over/,
    );
    expect(existsSync(path.join(dir, 'e9.json'))).toBe(false);
    // The same command resumes: everything is in the journal.
    const again = cli(['eval', ...target(qs, 'e9.json', ['--limit', '5', '--gammas', '1'])]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'e9.json'), 'utf8')).n).toBe(5);
  });

  it('eval with another model, or collect with another input, is refused', () => {
    const qs = file('c9.jsonl', questions);
    const qs2 = file('c9-other.jsonl', questions.replace('What is 0+1?', 'What is 0+2?'));
    // Nothing kept (a random model answers wrong), but the journal holds every answer.
    const first = cli(['collect', ...target(qs, 'c9.out.jsonl')]);
    expect(first.stderr).toMatch(/no trace kept/);
    expect(
      readFileSync(path.join(dir, 'c9.out.jsonl.journal.jsonl'), 'utf8').trim().split('\n'),
    ).toHaveLength(5);
    expectRefused(
      cli(['collect', ...target(qs2, 'c9.out.jsonl')]),
      1,
      /holds 5 answers of another collect run \(input differ\)/,
    );

    const model = path.join(dir, 'e9-model');
    cpSync(tinyQwen, model, { recursive: true });
    const e1 = cli(['eval', ...target(qs, 'e9b.json', ['--gammas', '1'])]);
    expect(e1.code, e1.stderr).toBe(0);
    rmSync(path.join(dir, 'e9b.json'));
    // Same files, another folder: same hashes, so the journal is reused.
    const same = cli([
      'eval',
      ...target(qs, 'e9b.json', ['--gammas', '1']).map((a) => (a === tinyQwen ? model : a)),
    ]);
    expect(same.code, same.stderr).toBe(0);
    // One byte changed in the ONNX file: another model.
    const onnx = path.join(model, 'onnx/model.onnx');
    const bytes = readFileSync(onnx);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    writeFileSync(onnx, bytes);
    rmSync(path.join(dir, 'e9b.json'));
    const other = cli([
      'eval',
      ...[
        '--input',
        qs,
        '--model-dir',
        tinyQwen,
        '--onnx-model',
        model,
        '--max-tokens',
        '2',
        '--out',
        'e9b.json',
        '--gammas',
        '1',
      ],
    ]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/another eval run \(model differ\)/);
  });
});

describe('credentials in --endpoint', () => {
  it('user:pass@ travels as a Basic header and is never echoed', async () => {
    let authorization: string | undefined;
    const server = createServer((req, res) => {
      authorization = req.headers.authorization;
      res.writeHead(500).end('upstream broke');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const qs = file('cred.jsonl', jsonl([{ question: 'What is 1+1?', answer: '2' }]));
    try {
      const r = await cliAsync([
        'eval',
        '--input',
        qs,
        '--model-dir',
        tinyQwen,
        '--endpoint',
        `http://alice:s3cret-pw@127.0.0.1:${port}/v1`,
        '--retries',
        '0',
        '--gammas',
        '1',
        '--max-tokens',
        '2',
        '--out',
        'cred.json',
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(`HTTP 500 from http://\\*\\*\\*@127\\.0\\.0\\.1:${port}/v1/completions`),
      );
      expect(r.stderr + r.stdout).not.toContain('s3cret');
      expect(authorization).toBe(`Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}`);
      const bad = cli([
        'eval',
        ...[
          '--input',
          qs,
          '--model-dir',
          tinyQwen,
          '--endpoint',
          'ftp://bob:hunter2@x/v1',
          '--out',
          'cred2.json',
        ],
      ]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).not.toContain('hunter2');
    } finally {
      server.close();
    }
  });
});
