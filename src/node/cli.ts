/**
 * `tokenskip` command-line entry: dispatches to the command table.
 *
 *   npx tokenskip compress --rate 0.5 < cot.txt
 */
import { commands } from './commands/index.ts';
import type { CommandIO } from './commands/types.ts';
import { TokenSkipError } from '../core/errors.ts';
import { describeSystemError } from './system-errors.ts';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: tokenskip <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'tokenskip <command> --help' for a command's options.\n`;
}

export async function main(argv: string[], io: CommandIO = process): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.stdout.write(help());
    return name ? 0 : 1;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`tokenskip: unknown command '${name}'.\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof TokenSkipError) {
      io.stderr.write(`tokenskip ${name}: error [${error.code}]: ${error.message}\n`);
      return 1;
    }
    const system = describeSystemError(error);
    if (system) {
      io.stderr.write(
        `tokenskip ${name}: error [${(error as NodeJS.ErrnoException).code}]: ${system}\n`,
      );
      return 1;
    }
    throw error;
  }
}
