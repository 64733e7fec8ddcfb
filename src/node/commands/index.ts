/** The command table of `tokenskip`: one entry per sub-command, kept in sync with the CLI by a test. */
import type { Command } from './types.ts';
import { compressCommand } from './compress.ts';
import { gradeCommand } from './grade.ts';
import { reportCommand } from './report.ts';

export const commands: Command[] = [compressCommand, gradeCommand, reportCommand];
