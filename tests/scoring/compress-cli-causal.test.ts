// `tokenskip compress --scorer cts|ppl` through the real CLI entry (in-process, real ORT and files):
// stdin and JSONL modes, the condition fields, and bad input that must leave no output file.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/node/cli.ts';

const ref = 'models/fixtures/tiny-qwen2';
let temp: string;

beforeAll(async () => {
  temp = await mkdtemp(path.join(tmpdir(), 'tokenskip-cts-cli-'));
});
afterAll(async () => {
  if (temp) await rm(temp, { recursive: true, force: true });
});

async function run(
  argv: string[],
  stdin = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
  let stdout = '';
  let stderr = '';
  io.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  io.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  io.stdin.end(stdin);
  const code = await main(['compress', ...argv], io);
  return { code, stdout, stderr };
}

const cot =
  'Janet sells 16 - 3 - 4 = 9 duck eggs a day.\nShe makes 9 * 2 = $18 every day at the market.';

describe('compress --scorer cts|ppl', () => {
  it('stdin: CTS conditioned on the question returns the reference result fields', async () => {
    const { code, stdout, stderr } = await run(
      [
        '--scorer',
        'cts',
        '--ref-model',
        ref,
        '--question',
        'How much does she make?',
        '--rate',
        '0.5',
      ],
      `${cot}\n`,
    );
    // Only the warning that the reference model is a test fixture.
    expect(stderr).toMatch(/^tokenskip: warning: --ref-model '.*' is a test fixture[^\n]*\n$/);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual(
      [
        'compressed_prompt',
        'compressed_tokens',
        'origin_tokens',
        'rate',
        'ratio',
        'word_labels',
      ].sort(),
    );
    expect(result.compressed_tokens as number).toBeLessThan(result.origin_tokens as number);
    expect(result.ratio).toMatch(/^\d+\.\dx$/);
  });

  it('stdin: perplexity gives a different selection than CTS on the same CoT', async () => {
    const args = ['--ref-model', ref, '--rate', '0.5', '--text'];
    const ppl = await run(['--scorer', 'ppl', ...args], cot);
    const cts = await run(
      ['--scorer', 'cts', '--condition', 'answer', '--answer', '18', ...args],
      cot,
    );
    expect(ppl.code).toBe(0);
    expect(cts.code).toBe(0);
    expect(ppl.stdout).not.toBe(cts.stdout);
  });

  it('JSONL: takes the condition from record fields and writes every record', async () => {
    const input = path.join(temp, 'in.jsonl');
    const out = path.join(temp, 'out.jsonl');
    const rows = [
      { id: 'a', q: 'How much?', answer: '18', cot },
      {
        id: 'b',
        q: 'How many bolts?',
        answer: 3,
        cot: 'It takes 2/2=1 bolt of white fiber\nSo 2+1=3 bolts',
      },
    ];
    await writeFile(input, rows.map((r) => JSON.stringify(r)).join('\n'));
    const { code, stderr } = await run([
      '--scorer',
      'cts',
      '--condition',
      'both',
      '--ref-model',
      ref,
      '--in',
      input,
      '--out',
      out,
      '--question-field',
      'q',
      '--rate',
      '0.7',
    ]);
    expect(stderr).toContain('Wrote 2 records');
    expect(code).toBe(0);
    const written = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(written.map((r: { id: string }) => r.id)).toEqual(['a', 'b']);
    for (const record of written) expect(record.compressed_prompt.length).toBeGreaterThan(0);
  });

  it('JSONL: a record without the condition field fails before any output', async () => {
    const input = path.join(temp, 'bad.jsonl');
    const out = path.join(temp, 'bad-out.jsonl');
    await writeFile(
      input,
      `${JSON.stringify({ cot, question: 'q' })}\n${JSON.stringify({ cot })}\n`,
    );
    const { code, stderr } = await run([
      '--scorer',
      'cts',
      '--ref-model',
      ref,
      '--in',
      input,
      '--out',
      out,
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/bad\.jsonl:2: CTS with condition question needs field 'question'/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('JSONL: a condition longer than the window fails before any output, naming the line', async () => {
    const input = path.join(temp, 'long.jsonl');
    const out = path.join(temp, 'long-out.jsonl');
    const long = 'How many eggs does she sell at the market every single day of the week? '.repeat(
      4,
    );
    await writeFile(
      input,
      `${JSON.stringify({ cot, question: 'q' })}\n${JSON.stringify({ cot, question: long })}\n`,
    );
    const { code, stderr } = await run([
      '--scorer',
      'cts',
      '--ref-model',
      ref,
      '--in',
      input,
      '--out',
      out,
      '--window',
      '40',
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /\[INPUT_TOO_LARGE\]: .*long\.jsonl:2: The CTS condition \(question\) is \d+ tokens, not shorter than the 40-token window/,
    );
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it.each([
    [['--scorer', 'cts'], /needs --ref-model DIR/, 2],
    [['--scorer', 'bert'], /--scorer must be llmlingua2, cts or ppl/, 2],
    [
      ['--scorer', 'ppl', '--ref-model', ref, '--force-tokens', 'a'],
      /--force-tokens: only for --scorer llmlingua2/,
      2,
    ],
    [['--condition', 'both'], /--condition: only for --scorer cts or ppl/, 2],
    [
      ['--scorer', 'cts', '--ref-model', ref, '--condition', 'title', '--question', 'q'],
      /condition must be question, answer or both/,
      2,
    ],
    [
      ['--scorer', 'ppl', '--ref-model', ref, '--window', '0'],
      /--window must be a positive integer/,
      2,
    ],
    [['--scorer', 'ppl', '--ref-model', path.join('models', 'nope')], /MODEL_NOT_FOUND/, 1],
  ])('rejects %j', async (argv, message, exit) => {
    const { code, stderr } = await run(argv, cot);
    expect(code).toBe(exit);
    expect(stderr).toMatch(message);
  });
});

describe('compress --ref-model ID', () => {
  it('resolves any causal model of the registry by id, and names a wrong one with the known ids', async () => {
    const byId = await run(
      ['--scorer', 'ppl', '--ref-model', 'tiny-qwen2', '--rate', '0.5', '--text'],
      cot,
    );
    const byFolder = await run(
      ['--scorer', 'ppl', '--ref-model', ref, '--rate', '0.5', '--text'],
      cot,
    );
    expect(byId.code).toBe(0);
    expect(byId.stdout).toBe(byFolder.stdout);
    expect(byId.stderr).toMatch(/--ref-model 'tiny-qwen2' is a test fixture/);
    const shipped = await run(
      ['--scorer', 'ppl', '--ref-model', 'mini-base', '--rate', '0.5', '--text'],
      cot,
    );
    expect(shipped.code).toBe(0);
    expect(shipped.stdout.length).toBeGreaterThan(0);
    const wrong = await run(['--scorer', 'ppl', '--ref-model', 'mini-scorer', '--text'], cot);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/Unknown reference model 'mini-scorer'.*mini-base/);
  });
});
