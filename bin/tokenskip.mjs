#!/usr/bin/env node
// Entry point of `npx tokenskip`: runs the TypeScript CLI through tsx, so there is no build step.
// Help and version come from the plain-JavaScript command table without loading tsx (fast).
import { quickAnswer } from '../src/node/commands/table.mjs';

const argv = process.argv.slice(2);
const quick = quickAnswer(argv);
if (quick) {
  if (quick.stdout) process.stdout.write(quick.stdout);
  if (quick.stderr) process.stderr.write(quick.stderr);
  process.exitCode = quick.code;
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/node/cli.ts');
  const { describeSystemError } = await import('../src/node/system-errors.ts');

  // Output piped into `head` (EPIPE) ends quietly; a full disk behind stdout gets a clear message.
  process.stdout.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(0);
    process.stderr.write(
      `tokenskip: error [${error.code}] writing to stdout: ${describeSystemError(error) ?? error.message}\n`,
    );
    process.exit(1);
  });
  process.exitCode = await main(argv);
}
