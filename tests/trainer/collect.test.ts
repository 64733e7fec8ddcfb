import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/node/cli.ts';
import { byteLevelTokenizer } from './tiny-tokenizer.ts';

const root = mkdtempSync(join(tmpdir(), 'collect-'));
const modelDir = join(root, 'model');
const servers: Server[] = [];
const requests: string[] = [];
let failAlways = true;
const seen = new Map<string, number>();

function answerFor(prompt: string): { status: number; body: string } | 'hang' {
  const q = /\n(Q\d+ [a-z]+)/.exec(prompt)?.[1] ?? '';
  requests.push(q);
  const n = (seen.get(q) ?? 0) + 1;
  seen.set(q, n);
  const ok = (text: string) => ({ status: 200, body: JSON.stringify({ choices: [{ text }] }) });
  if (q.endsWith('timeout') && n === 1) return 'hang';
  if (q.endsWith('garbage') && n === 1)
    return { status: 200, body: '<html>502 Bad Gateway</html>' };
  if (q.endsWith('fail') && failAlways) return { status: 500, body: 'internal error' };
  if (q.endsWith('wrong')) return ok('2 + 2 = 5.\n\nThe final answer is: $\\boxed{5}$');
  if (q.endsWith('long'))
    return ok(`${'Counting carefully. '.repeat(20)}\n\nThe final answer is: $\\boxed{4}$`);
  return ok('2 + 2 = 4.\n\nThe final answer is: $\\boxed{4}$');
}

async function serve(
  handler: (prompt: string) => { status: number; body: string } | 'hang',
): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const r = handler((JSON.parse(body) as { prompt: string }).prompt);
      if (r === 'hang') return; // never answers: the client must time out
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(r.body);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    stdin: process.stdin,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
  } as never;
  return main(['collect', ...args], io).then((code) => ({
    code,
    out: out.join(''),
    err: err.join(''),
  }));
}

beforeAll(() => {
  mkdirSync(modelDir);
  writeFileSync(join(modelDir, 'tokenizer.json'), JSON.stringify(byteLevelTokenizer()));
  writeFileSync(join(modelDir, 'config.json'), JSON.stringify({ model_type: 'qwen2' }));
  const qs = ['ok', 'timeout', 'garbage', 'wrong', 'long', 'fail', 'ok'];
  writeFileSync(
    join(root, 'questions.jsonl'),
    qs
      .map((k, i) => JSON.stringify({ id: `q${i}`, question: `Q${i} ${k}`, answer: '4' }))
      .join('\n') + '\n',
  );
});
afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  rmSync(root, { recursive: true, force: true });
});

describe('tokenskip collect against OpenAI-compatible endpoints on loopback', () => {
  it('retries timeouts and garbage, spreads over endpoints, fails cleanly, then resumes', async () => {
    const good = await serve(answerFor);
    let flakyHits = 0;
    // Overloaded for its first 2 requests, then a normal server: however the requests interleave,
    // no sample can spend all 4 of its attempts on it (this used to be timing-dependent).
    const flaky = await serve((prompt) =>
      flakyHits++ < 2 ? { status: 503, body: 'overloaded' } : answerFor(prompt),
    );
    const out = join(root, 'traces.jsonl');
    const args = [
      '--input',
      join(root, 'questions.jsonl'),
      '--model-dir',
      modelDir,
      '--endpoint',
      good,
      '--endpoint',
      flaky,
      '--out',
      out,
      '--timeout',
      '0.5',
      '--retries',
      '3',
      '--backoff',
      '0.01',
      '--concurrency',
      '2',
      '--max-cot-tokens',
      '50',
    ];
    const first = await run(args);
    expect(first.code).toBe(1);
    expect(first.err).toMatch(
      /1 samples failed \(first: q5: completion failed after 4 attempts: HTTP 50[03]/,
    );
    expect(first.err).toMatch(/run the same command again/);
    expect(existsSync(out)).toBe(false); // nothing half-written
    expect(flakyHits).toBeGreaterThan(0); // both endpoints were used; 503s were retried elsewhere
    expect(seen.get('Q1 timeout')).toBeGreaterThanOrEqual(2);
    expect(seen.get('Q2 garbage')).toBeGreaterThanOrEqual(2);

    failAlways = false;
    requests.length = 0;
    const second = await run([...args, '--json']);
    expect(second.code).toBe(0);
    expect(second.err).toMatch(/resuming, 6 of 7 samples already done/);
    expect(requests).toEqual(['Q5 fail']); // only the failed sample is asked again
    const summary = JSON.parse(second.out) as Record<string, number>;
    expect(summary).toMatchObject({ total: 7, kept: 5, wrong: 1, too_long: 1 });
    const kept = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(kept.map((r) => r.id)).toEqual(['q0', 'q1', 'q2', 'q5', 'q6']);
    expect(kept[0]).toMatchObject({ question: 'Q0 ok', prediction: '4', cot: '2 + 2 = 4.' });
    expect(JSON.parse(readFileSync(`${out}.manifest.json`, 'utf8')).results).toMatchObject({
      kept: 5,
    });
  });

  it('reports a malformed input line with its line number', async () => {
    writeFileSync(join(root, 'bad.jsonl'), '{"question": "a", "answer": "1"}\n{not json\n');
    const r = await run([
      '--input',
      join(root, 'bad.jsonl'),
      '--model-dir',
      modelDir,
      '--endpoint',
      'http://127.0.0.1:9/v1',
      '--out',
      join(root, 'bad-out.jsonl'),
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.jsonl:2: not valid JSON/);
  });
});

describe('tokenskip eval over γ values', () => {
  it('reports accuracy, CoT tokens, ratio and speedup per γ', async () => {
    // A fake TokenSkip model: at γ = 0.5 it writes half the CoT, and gets question 1 wrong.
    const url = await serve((prompt) => {
      const half = prompt.includes('<|eot_id|>0.5<|eot_id|>');
      const wrong = half && prompt.includes('Q1 ');
      const cot = half ? 'aaaa bbbb' : 'aaaa bbbb cccc dddd';
      const text = `${cot}\n\nThe final answer is: $\\boxed{${wrong ? 5 : 4}}$`;
      return { status: 200, body: JSON.stringify({ choices: [{ text }] }) };
    });
    const out = join(root, 'eval.json');
    const chunks: string[] = [];
    const io = {
      stdin: process.stdin,
      stdout: { write: (s: string) => chunks.push(s) },
      stderr: { write: () => true },
    } as never;
    const code = await main(
      [
        'eval',
        '--input',
        join(root, 'questions.jsonl'),
        '--model-dir',
        modelDir,
        '--endpoint',
        url,
        '--gammas',
        '1,0.5',
        '--limit',
        '4',
        '--out',
        out,
      ],
      io,
    );
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')).results as Record<string, number>[];
    expect(report.map((r) => [r.gamma, r.accuracy, r.cot_tokens, r.actual_ratio])).toEqual([
      [1, 1, 19, 1],
      [0.5, 0.75, 9, 9 / 19],
    ]);
    expect(existsSync(`${out}.manifest.json`)).toBe(true);
  });
});
