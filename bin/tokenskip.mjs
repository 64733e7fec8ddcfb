#!/usr/bin/env node
// Entry point of `npx tokenskip`: runs the TypeScript CLI through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

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
process.exitCode = await main(process.argv.slice(2));
