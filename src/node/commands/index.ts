/** The command table of `tokenskip`: one entry per sub-command, kept in sync with the CLI by a test. */
import type { Command } from './types.ts';
import { compressCommand } from './compress.ts';
import { gradeCommand } from './grade.ts';
import { reportCommand } from './report.ts';
import { buildCommand } from './build.ts';
import { collectCommand } from './collect.ts';
import { trainCommand } from './train.ts';
import { mergeCommand } from './merge.ts';
import { exportCommand } from './export.ts';
import { evalCommand } from './eval.ts';
import { dataCommand } from './data.ts';
import { miniCommand } from './mini.ts';

export const commands: Command[] = [
  compressCommand,
  gradeCommand,
  reportCommand,
  collectCommand,
  buildCommand,
  trainCommand,
  mergeCommand,
  exportCommand,
  evalCommand,
  dataCommand,
  miniCommand,
];
