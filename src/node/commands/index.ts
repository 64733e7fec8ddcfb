/** The command table of `tokenskip`: one entry per sub-command, kept in sync with the CLI by a test. */
import type { Command } from './types.ts';
import { compressCommand } from './compress.ts';

export const commands: Command[] = [compressCommand];
