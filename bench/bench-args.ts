/**
 * The command line of every `npm run bench:*` script: node:util parseArgs, strict, answered the way
 * the `tokenskip` CLI answers (src/node/args.ts): an unknown flag or a missing value is one line and
 * exit status 2, not a stack trace; `--help` prints the bench's own doc comment, which is where each
 * bench documents its flags and environment variables.
 *
 *   const { values } = benchArgs(import.meta.url, { runs: { type: 'string', default: '3' } });
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { firstSentence } from '../src/node/args.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The leading `/** … *\/` comment of the bench file, without its stars. */
export function docComment(source: string): string {
  const match = /^\s*\/\*\*([\s\S]*?)\*\//.exec(source);
  if (!match) return '';
  return match[1]!
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

/**
 * Parses `process.argv` for the bench at `benchUrl` (its `import.meta.url`). Prints the bench's doc
 * comment and exits 0 on `--help`; prints one line and exits 2 on a bad command line.
 */
export function benchArgs<const O extends Options>(benchUrl: string, options: O) {
  const file = fileURLToPath(benchUrl);
  const script = `bench:${path.basename(file).replace(/\.bench\.ts$/, '')}`;
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(docComment(readFileSync(file, 'utf8')));
    process.exit(0);
  }
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (error) {
    console.error(
      `${script}: ${firstSentence((error as Error).message)}. Run 'npm run ${script} -- --help' for the options.`,
    );
    process.exit(2);
  }
}
