// The real CLI (`node bin/tokenskip.mjs grade|report`) on temp files: malformed lines reported by
// line number, --strict stops without touching the output, reports and token counting end to end.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/node/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/tokenskip.mjs', ...args],
      { cwd: ROOT, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const jsonl = (rows: unknown[]) =>
  rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
const readLines = async (path: string) =>
  (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokenskip-grade-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const GSM_INPUT = jsonl([
  {
    id: 'g1',
    question: 'q1',
    output: 'So 9 * 2 = 18.\n\nThe final answer is: $\\boxed{18}$',
    answer: '18',
    gamma: 1,
  },
  { id: 'g2', question: 'q2', output: 'The final answer is: $\\boxed{4}$', answer: '3', gamma: 1 },
  '{"id": "g3", "question": broken',
  { id: 'g4', question: 'q4', answer: '7' },
  '',
  { id: 'g5', question: 'q5', output: 'It costs 1,200 dollars', answer: '1,200', gamma: 1 },
]);

describe('tokenskip grade', () => {
  it('grades good lines, reports malformed ones by line number, keeps input fields', async () => {
    const input = join(dir, 'gsm.jsonl');
    const output = join(dir, 'gsm.graded.jsonl');
    await writeFile(input, GSM_INPUT);
    const run = await cli(['grade', '--dataset', 'gsm8k', '--in', input, '--out', output]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('gsm.jsonl:3: invalid JSON');
    expect(run.stderr).toContain("gsm.jsonl:4: field 'output' must be a string");
    // The summary is a message (stderr); stdout carries data only, and JSON with --json.
    expect(run.stderr).toContain('graded 3 lines, 2 correct (66.67%); 2 malformed skipped');
    expect(run.stdout).toBe('');
    const lines = await readLines(output);
    expect(lines.map((l) => [l.id, l.prediction, l.correct, l.gamma])).toEqual([
      ['g1', '18', true, 1],
      ['g2', '4', false, 1],
      ['g5', '1200', true, 1],
    ]);
  });

  it('--strict stops at the first malformed line and leaves the output untouched', async () => {
    const input = join(dir, 'strict.jsonl');
    const output = join(dir, 'strict.out.jsonl');
    await writeFile(input, GSM_INPUT);
    await writeFile(output, 'previous results\n');
    const run = await cli([
      'grade',
      '--dataset',
      'gsm8k',
      '--in',
      input,
      '--out',
      output,
      '--strict',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error [MALFORMED_JSONL]');
    expect(run.stderr).toContain('strict.jsonl:3: invalid JSON');
    expect(await readFile(output, 'utf8')).toBe('previous results\n');
    expect((await readdir(dir)).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('grades MATH lines into list predictions', async () => {
    const input = join(dir, 'math.jsonl');
    const output = join(dir, 'math.graded.jsonl');
    await writeFile(
      input,
      jsonl([
        {
          question: 'Find f.',
          output: 'so $f = \\boxed{\\dfrac{14}{3}}$',
          answer: '\\frac{14}{3}',
        },
        {
          question: 'Enter all solutions, separated by commas.',
          output: '$x = \\boxed{3, -1}$',
          answer: '-1, 3',
        },
        { question: 'Find it.', output: 'We get $\\boxed{4.67}$', answer: '\\frac{14}{3}' },
      ]),
    );
    const run = await cli(['grade', '--dataset', 'math', '--in', input, '--out', output]);
    expect(run.code).toBe(0);
    const lines = await readLines(output);
    expect(lines.map((l) => [l.prediction, l.correct])).toEqual([
      [['\\frac{14}{3}'], true],
      [['3', '-1'], true],
      [['4.67'], false],
    ]);
  });

  it('explains bad arguments and missing files', async () => {
    const bad = await cli(['grade', '--dataset', 'svamp', '--in', 'x', '--out', 'y']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--dataset must be gsm8k or math (got 'svamp')");
    const missing = await cli([
      'grade',
      '--dataset',
      'math',
      '--in',
      join(dir, 'nope.jsonl'),
      '--out',
      join(dir, 'o.jsonl'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');
  });
});

describe('tokenskip report', () => {
  it('prints the paper table and writes JSON and CSV, counting tokens with a tokenizer.json', async () => {
    const orig = join(dir, 'orig.jsonl');
    const short = join(dir, 'short.jsonl');
    const meta = { model: 'tiny', dataset: 'gsm8k' };
    await writeFile(
      orig,
      jsonl([
        {
          ...meta,
          method: 'Original',
          gamma: 1,
          original: true,
          correct: true,
          output: 'a b a b\n\nThe final answer is: $\\boxed{1}$',
          latency_s: 4,
        },
        {
          ...meta,
          method: 'Original',
          gamma: 1,
          original: true,
          correct: true,
          output: 'a b a b a b',
          latency_s: 2,
        },
      ]),
    );
    await writeFile(
      short,
      jsonl([
        {
          ...meta,
          method: 'TokenSkip',
          gamma: 0.5,
          correct: true,
          output: 'a b\n\nThe final answer is: $\\boxed{1}$',
          latency_ms: 1500,
        },
        {
          ...meta,
          method: 'TokenSkip',
          gamma: 0.5,
          correct: false,
          cot_tokens: 3,
          latency_s: 1.5,
          decode_tokens_per_s: 30,
        },
        '{"correct": "yes"}',
      ]),
    );
    await writeFile(
      join(dir, 'tokenizer.json'),
      JSON.stringify({
        version: '1.0',
        added_tokens: [],
        normalizer: null,
        pre_tokenizer: { type: 'Whitespace' },
        post_processor: null,
        decoder: null,
        model: { type: 'WordLevel', vocab: { '[UNK]': 0, a: 1, b: 2 }, unk_token: '[UNK]' },
      }),
    );
    const outJson = join(dir, 'report.json');
    const outCsv = join(dir, 'report.csv');
    const run = await cli([
      'report',
      '--in',
      orig,
      '--in',
      short,
      '--tokenizer',
      join(dir, 'tokenizer.json'),
      '--out-json',
      outJson,
      '--out-csv',
      outCsv,
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("short.jsonl:3: field 'correct' must be true or false");
    // orig: 5 tokens on average, 3 s; short: (2 + 3) / 2 = 2.5 tokens, 1.5 s.
    expect(run.stdout).toBe(
      [
        '| Model | Method | γ | GSM8K Acc. (Δ) | Tokens | Ratio | Latency (s) | Speedup |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        '| tiny | Original | 1.0 | 100.0 | 5.0 | 1.00 | 3.00 | 1.00x |',
        '| tiny | TokenSkip | 0.5 | 50.0 (-50.0) | 2.5 | 0.50 | 1.50 | 2.00x |',
        '',
      ].join('\n'),
    );
    const report = JSON.parse(await readFile(outJson, 'utf8')) as {
      meta: { tokenizer: string; malformedLines: number };
      runs: { name: string; decodeTokensPerS: number | null }[];
    };
    expect(report.meta.tokenizer).toContain('tokenizer.json');
    expect(report.meta.malformedLines).toBe(1);
    expect(report.runs.map((r) => [r.name, r.decodeTokensPerS])).toEqual([
      ['orig.jsonl', null],
      ['short.jsonl', 30],
    ]);
    const csv = (await readFile(outCsv, 'utf8')).trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[2]).toBe(
      'short.jsonl,tiny,gsm8k,TokenSkip,0.5,false,2,1,50,-50,2.5,0.5,1.5,2,30,orig.jsonl',
    );
  });
});

describe('command table', () => {
  async function inProcess(argv: string[]): Promise<Run> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await main(argv, { stdin: new PassThrough(), stdout, stderr });
    return { code, stdout: out, stderr: err };
  }

  it('lists grade and report next to compress, each with its own --help', async () => {
    const help = await inProcess(['--help']);
    expect(help.stdout).toMatch(/^ {2}grade +Grade model completions/m);
    expect(help.stdout).toMatch(/^ {2}report +Summarise graded runs/m);
    expect(help.stdout).toMatch(/^ {2}compress /m);
    expect((await inProcess(['grade', '--help'])).stdout).toContain('--dataset gsm8k|math');
    expect((await inProcess(['report', '--help'])).stdout).toContain('--out-csv FILE');
  });

  it('turns option errors into a coded error message', async () => {
    const run = await inProcess(['report']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error [INVALID_ARGUMENT]: Give at least one graded file');
  });
});
