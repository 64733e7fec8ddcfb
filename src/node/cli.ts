/**
 * `tokenskip` command-line entry: dispatches to the command table.
 *
 *   npx tokenskip compress --rate 0.5 < cot.txt
 *
 * Exit status: 0 done, 1 failed (bad input, I/O, the model), 2 bad command line. Every failure is
 * one line on stderr (`tokenskip <command>: error [CODE]: what happened and what to do`), never a
 * stack trace (TOKENSKIP_DEBUG=1 adds one for unexpected errors).
 */
import { commands } from './commands/index.ts';
import { quickAnswer, unknownCommand } from './commands/table.mjs';
import type { CommandIO } from './commands/types.ts';
import { TokenSkipError } from '../core/errors.ts';
import { describeSystemError } from './system-errors.ts';
import { UsageError } from './args.ts';

/** The one line (exit status) for anything a command throws. */
export function describeFailure(name: string, error: unknown): { line: string; code: number } {
  const prefix = `tokenskip ${name}: error`;
  if (error instanceof TokenSkipError) {
    return {
      line: `${prefix} [${error.code}]: ${error.message}`,
      code: error instanceof UsageError ? 2 : 1,
    };
  }
  const system = describeSystemError(error);
  if (system) {
    return { line: `${prefix} [${(error as NodeJS.ErrnoException).code}]: ${system}`, code: 1 };
  }
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return {
      line: `${prefix} [INPUT_TOO_LARGE]: the input is nested too deeply or is too large to process (${error.message}). Flatten or split it.`,
      code: 1,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  const stack = process.env.TOKENSKIP_DEBUG && error instanceof Error ? `\n${error.stack}` : '';
  return {
    line: `${prefix} [INTERNAL]: ${message.split('\n')[0]} (unexpected; TOKENSKIP_DEBUG=1 shows where)${stack}`,
    code: 1,
  };
}

export async function main(argv: string[], io: CommandIO = process): Promise<number> {
  const quick = quickAnswer(argv);
  if (quick) {
    if (quick.stdout) io.stdout.write(quick.stdout);
    if (quick.stderr) io.stderr.write(quick.stderr);
    return quick.code;
  }
  const [name = '', ...rest] = argv;
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(unknownCommand(name));
    return 2;
  }
  const end = rest.indexOf('--');
  const flags = end < 0 ? rest : rest.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) {
    io.stdout.write(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    const { line, code } = describeFailure(name, error);
    io.stderr.write(`${line}\n`);
    return code;
  }
}
