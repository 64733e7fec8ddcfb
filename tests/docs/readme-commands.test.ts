/**
 * README.md runs (issue #21, "docs that run"): every command and URL in it is listed here with how
 * a test runs it, and this file fails when the README gains a command or URL nobody runs.
 *
 * - `run`: executed here as written (a shell, the repo root, a time limit), its output checked;
 * - `short`: executed here as its documented short variant (the README names it, or the command's
 *   own size flags), when the full command takes minutes to hours;
 * - `ranBy`: executed by another test, named;
 * - `notRun`: not executed by any test, with the reason (reported in the issue, not hidden).
 *
 * Commands are the README's inline code spans and ```sh lines that start with `npm`, `npx`,
 * `tokenskip`, a `VAR=value` prefix or a python interpreter. URLs are every http(s) address.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const README = readFileSync('README.md', 'utf8');
const PACKAGE = JSON.parse(readFileSync('package.json', 'utf8')) as {
  scripts: Record<string, string>;
};

const COMMAND = /^(?:[A-Z_]+=\S+ )*(?:npm|npx|tokenskip|\/usr\/bin\/python3|python3) /;

/** The README's commands: inline code spans and lines of ```sh blocks (comments dropped). */
function readmeCommands(md: string): string[] {
  const found = new Set<string>();
  const blocks = [...md.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  for (const block of blocks)
    for (const line of block.split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command) found.add(command);
    }
  const prose = md.replace(/```[\s\S]*?```/g, '');
  // A span that is only a program's name (`tokenskip`, the CLI) names it; it is not a command.
  for (const m of prose.matchAll(/`([^`\n]+)`/g))
    if (COMMAND.test(`${m[1]!} `) && /\s/.test(m[1]!.trim())) found.add(m[1]!.trim());
  return [...found];
}

function readmeUrls(md: string): string[] {
  return [...new Set(md.match(/https?:\/\/[^\s)>`'"]+/g) ?? [])];
}

type Plan =
  | { run: string; expect: RegExp; timeoutS: number; short?: string }
  | { ranBy: string }
  | { notRun: string };

const tmp = mkdtempSync(path.join(os.tmpdir(), 'readme-commands-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const cli = 'node bin/tokenskip.mjs';
/** Builds dist/ unless an earlier test built the same sources (tests/helpers/app-build.ts). */
const appBuild = 'npx tsx tests/helpers/app-build.ts';
const help = (command: string): Plan => ({
  run: `${cli} ${command} --help`,
  expect: new RegExp(`Usage: tokenskip ${command.split(' ')[0]}`),
  timeoutS: 60,
  short: 'a command named in prose without arguments: its --help runs and names it',
});

const PLANS: Record<string, Plan> = {
  'npm install && npm start': {
    ranBy:
      'this file: `npm start` (the dev server, test below); `npm install` is not run here (it would rewrite node_modules, hard-linked between worktrees on this machine)',
  },
  'npm test': {
    notRun:
      'the whole suite: typecheck, lint, unit, Python and every e2e spec (hours here); its parts are the other tests',
  },
  // One `vite build` per `npm test`: the tests that need the built app share dist/ (see
  // tests/helpers/app-build.ts); here its `npm run build` log is checked.
  'npm run build': {
    run: `${appBuild} --log`,
    short:
      '`npm run build -- --manifest`, once per state of the sources, shared by every test that needs the built app (tests/helpers/app-build.ts); its log',
    expect: /built in/,
    timeoutS: 900,
  },
  'npm run screenshots': {
    notRun: 'retakes 40 screenshots into docs/screenshots (minutes, and rewrites tracked files)',
  },
  'npm run bench:bundle': {
    run: `${appBuild} && npm run bench:bundle -- --dist dist`,
    short: 'measures the shared build (`--dist dist`) instead of building again',
    expect: /target < 250 KB, ratio [\d.]+ of the target: met[\s\S]*WebLLM's library: 1 chunk/,
    timeoutS: 900,
  },
  'npm run bench:first-visit': {
    run: `${appBuild} && npm run bench:first-visit -- --runs 1 --dist dist`,
    short: 'one cold/warm pair instead of the median of three, served from the shared build',
    expect:
      /driven by a bare DevTools pipe[\s\S]*cold \(fresh profile\), first heat map \([\w, ]+ scores\): [\d.]+ s[\s\S]*cold \(fresh profile\), live scores from the model in this browser: [\d.]+ s[\s\S]*warm \(same profile[^\n]*first heat map \([\w, ]+ scores\): [\d.]+ s[\s\S]*warm \(same profile\), live scores from the model in this browser: [\d.]+ s/,
    timeoutS: 900,
  },
  'npm run bench:first-visit -- --runs 3 --driver playwright --settle-ms 0': {
    run: `${appBuild} && npm run bench:first-visit -- --runs 1 --dist dist --driver playwright --settle-ms 0`,
    short: 'one cold/warm pair, served from the shared build',
    expect:
      /driven by Playwright, page opened 0 ms after[\s\S]*cold \(fresh profile\), live scores from the model in this browser: [\d.]+ s[\s\S]*warm \(same profile\), live scores from the model in this browser: [\d.]+ s/,
    timeoutS: 900,
  },
  'npm run bench:first-visit -- --runs 5 --open new-tab': {
    run: `${appBuild} && npm run bench:first-visit -- --runs 1 --dist dist --open new-tab`,
    short: 'one cold/warm pair, served from the shared build',
    expect:
      /in a new tab, nothing attached[\s\S]*cold \(fresh profile\), first heat map \(reference, prerendered scores\): [\d.]+ s[\s\S]*warm \(same profile\), live scores from the model in this browser: [\d.]+ s/,
    timeoutS: 900,
  },
  'tokenskip compress': {
    run: `printf 'Tom has 3 apples and buys 2 more, so he has 5 apples.' | ${cli} compress --model tiny-lingua-mbert --rate 0.5`,
    short: 'one CoT on stdin with a shipped scorer',
    expect: /\S/,
    timeoutS: 120,
  },
  'tokenskip compress --model bench/.models/tiny-lingua-mbert-base --in in.jsonl --out c{rate}.jsonl --rates 0.9,0.8,0.7,0.6,0.5 --threads 2':
    {
      run: `printf '%s\\n' '{"cot":"Tom has 3 apples and buys 2 more, so he has 5 apples."}' '{"cot":"8 - 2 = 6, so 6 are left."}' > ${tmp}/in.jsonl && ${cli} compress --model tiny-lingua-mbert --in ${tmp}/in.jsonl --out '${tmp}/c{rate}.jsonl' --rates 0.9,0.8,0.7,0.6,0.5 --threads 2 && wc -l ${tmp}/c0.5.jsonl`,
      short:
        'the same flags on 2 CoTs with the shipped tiny-lingua-mbert (the 90-CoT BERT-base run needs bench/.models from scripts/make_scorer_fixtures.py --size base)',
      expect: /^2 /m,
      timeoutS: 180,
    },
  'tokenskip grade': help('grade'),
  'tokenskip report': help('report'),
  'tokenskip eval': help('eval'),
  'tokenskip collect / build / train / merge / export': {
    run: ['collect', 'build', 'train', 'merge', 'export']
      .map((c) => `${cli} ${c} --help`)
      .join(' && '),
    short: 'commands named in prose: each --help runs',
    expect: /Usage: tokenskip export/,
    timeoutS: 120,
  },
  'tokenskip data arith': {
    run: `${cli} data arith --out ${tmp}/arith --train 5 --val 2 --test 2 --json`,
    short: '5/2/2 problems instead of 5000/500/1000',
    expect: /"train"/,
    timeoutS: 60,
  },
  'tokenskip mini': {
    ranBy:
      "tests/trainer/mini-pipeline.test.ts, as `tokenskip mini --quick` (the README's short variant) at smoke size",
  },
  'tokenskip mini --quick': {
    ranBy:
      'tests/trainer/mini-pipeline.test.ts, at smoke size in `npm test` (`--recipe tests/trainer/mini-smoke.json`: every step and the resume, 3 training steps each); the whole quick recipe with `TOKENSKIP_MINI_TEST=quick npx vitest run tests/trainer/mini-pipeline.test.ts`',
  },
  'TOKENSKIP_MINI_TEST=quick npx vitest run tests/trainer/mini-pipeline.test.ts': {
    notRun:
      'the whole quick recipe (minutes); `npm test` runs the same test at smoke size (tests/trainer/mini-smoke.json)',
  },
  'tokenskip models ls / pull / rm / verify': {
    ranBy: 'tests/cli/models-cli.test.ts (ls, pull from a loopback hub, rm, verify)',
  },
  'tokenskip models pull <id>': {
    ranBy: 'tests/cli/models-cli.test.ts (`pull acme-tiny` from a loopback HF_ENDPOINT)',
  },
  'npm run bench:peer': {
    notRun:
      'minutes to an hour (90 CoTs × 3 γ, both sides); needs bench/.models (make_scorer_fixtures.py --size base)',
  },
  'npm run bench:generate': { notRun: 'minutes (100 questions × γ, 5 rounds)' },
  'npm run bench:memory': { notRun: 'compresses a generated 1,000 MB JSONL (tens of minutes)' },
  'npm run bench:large -- --cached wasm': {
    notRun: 'a 2.24 GB scorer in Chromium (5.9 GiB RSS, several minutes)',
  },
  'npm run bench:generate -- --model models/mini/tokenskip --questions 100 --skip-fixed-cost': {
    notRun: 'minutes (100 questions × 3 γ × 5 rounds)',
  },
  'npx tsx bench/generate.bench.ts --browser --model models/mini/tokenskip --questions 40 --webgpu-questions 4':
    {
      notRun: 'WebGPU on SwiftShader decodes ~6 tokens/s: tens of minutes',
    },
  'BENCH_BROWSER_TEXTS=10 BENCH_ROUNDS=1 BENCH_LATENCY_RUNS=6 BENCH_GPU_TEXTS=2 npm run bench:peer -- --browser':
    {
      notRun: 'needs bench/.models and runs WebGPU on SwiftShader (tens of minutes)',
    },
  'BENCH_ROUNDS=2 BENCH_REPEAT=2 npm run bench:compress -- --browser': {
    notRun: 'needs bench/.models (BERT-base shape); minutes',
  },
  'BENCH_TEXTS=3 BENCH_ROUNDS=1 BENCH_LATENCY_RUNS=3 npm run bench:peer -- --large': {
    notRun: 'needs the 2.24 GB generated scorer (make_large_scorer.py)',
  },
  'PYTHONPATH=trainer /usr/bin/python3 scripts/make_large_scorer.py --out work/large --dtype fp16':
    {
      notRun: 'writes a 2.24 GB model (PyTorch, minutes)',
    },
};

const URL_PLANS: Record<string, Plan> = {
  'http://127.0.0.1:5173': {
    ranBy: 'this file: `npm start` serves the Learn page there (test below, on a free port)',
  },
  'https://arxiv.org/abs/2502.12067': {
    notRun: 'an external paper link; this machine has no network but the npm registry',
  },
  'https://arxiv.org/abs/2505.17827': {
    notRun: 'an external paper link; this machine has no network but the npm registry',
  },
};

function sh(command: string, timeoutS: number) {
  // GNU timeout runs the command in its own process group and signals the whole group, so a
  // timed-out bench leaves no browser or server behind.
  const r = spawnSync('timeout', ['-k', '10', String(timeoutS), 'bash', '-c', command], {
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

describe('README.md: every command and URL has a plan', () => {
  it('lists every command the README gives, and no command it no longer gives', () => {
    const commands = readmeCommands(README);
    expect(commands.length).toBeGreaterThan(10);
    expect(commands.filter((c) => !(c in PLANS))).toEqual([]);
    expect(Object.keys(PLANS).filter((c) => !commands.includes(c))).toEqual([]);
  });

  it('lists every URL the README gives', () => {
    const urls = readmeUrls(README);
    expect(urls.filter((u) => !(u in URL_PLANS))).toEqual([]);
    expect(Object.keys(URL_PLANS).filter((u) => !urls.includes(u))).toEqual([]);
  });

  it('names npm scripts that exist', () => {
    for (const c of readmeCommands(README))
      for (const m of c.matchAll(/npm run ([\w:-]+)/g))
        expect(PACKAGE.scripts, `${c}`).toHaveProperty([m[1]!]);
  });
});

describe('README.md commands, run', () => {
  for (const [command, plan] of Object.entries(PLANS)) {
    if (!('run' in plan)) continue;
    it(
      `${plan.short ? '(short variant) ' : ''}${command}`,
      { timeout: plan.timeoutS * 1000 + 20_000 },
      () => {
        const { code, out } = sh(plan.run, plan.timeoutS);
        expect(code, out.slice(-3000)).toBe(0);
        expect(out).toMatch(plan.expect);
      },
    );
  }
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

describe('README.md: `npm start` serves the app at http://127.0.0.1:5173', () => {
  it(
    'answers with the app page (on a free port: 5173 may be taken on a shared machine)',
    { timeout: 120_000 },
    async () => {
      const port = await freePort();
      // `npm start` is `vite --host 127.0.0.1`; npm passes the extra flags to vite.
      const child = spawn('npm', ['start', '--', '--port', String(port), '--strictPort'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        // Vite colours its URL (the port in bold) when CI or a terminal asks for colour.
        env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      });
      let log = '';
      child.stdout.on('data', (d: Buffer) => (log += String(d)));
      child.stderr.on('data', (d: Buffer) => (log += String(d)));
      try {
        const url = `http://127.0.0.1:${port}/`;
        let html = '';
        for (let i = 0; i < 200 && !html; i++) {
          await new Promise((r) => setTimeout(r, 300));
          html = await fetch(url).then(
            (r) => (r.ok ? r.text() : ''),
            () => '',
          );
        }
        expect(html, log).toContain('<div id="app"');
        expect(stripVTControlCharacters(log)).toContain(`http://127.0.0.1:${port}/`);
      } finally {
        process.kill(-child.pid!, 'SIGTERM');
      }
    },
  );
});
