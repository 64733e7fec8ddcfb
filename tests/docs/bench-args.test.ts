/**
 * Every `npm run bench:*` script answers a bad command line the way the CLI does (bench/bench-args.ts):
 * one line naming the flag and exit status 2, never a stack trace; `--help` prints its doc comment.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { docComment } from '../../bench/bench-args.ts';

const run = promisify(execFile);
const benches = readdirSync('bench').filter((f) => f.endsWith('.bench.ts'));
const scripts = (
  JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** Runs a bench with `args`; its exit status and output, whatever the status. */
async function bench(file: string, args: string[]) {
  try {
    const { stdout, stderr } = await run('node_modules/.bin/tsx', [`bench/${file}`, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('bench command lines', () => {
  it('every bench file has its npm script', () => {
    for (const file of benches) {
      const name = file.replace(/\.bench\.ts$/, '');
      expect(scripts[`bench:${name}`], file).toBe(`tsx bench/${file}`);
    }
  });

  it('an unknown flag is one line and exit status 2, in every bench', async () => {
    const results = await Promise.all(benches.map((file) => bench(file, ['--no-such-flag'])));
    results.forEach((result, i) => {
      const name = benches[i]!.replace(/\.bench\.ts$/, '');
      expect(result.code, name).toBe(2);
      expect(result.stderr.trim(), name).toBe(
        `bench:${name}: Unknown option '--no-such-flag'. Run 'npm run bench:${name} -- --help' for the options.`,
      );
    });
  }, 60_000);

  it('--help prints the doc comment; a flag missing its value says so', async () => {
    const help = await bench('first-visit.bench.ts', ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('`npm run bench:first-visit`: how long a visitor waits');
    expect(help.stdout).not.toMatch(/^\s*\*/m);
    const missing = await bench('first-visit.bench.ts', ['--runs']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Option '--runs <value>' argument missing.");
  }, 30_000);

  it('docComment strips the stars and nothing else', () => {
    expect(docComment('/**\n * one\n *   two\n *\n */\nimport x;')).toBe('one\n  two');
    expect(docComment('import x;')).toBe('');
  });
});
