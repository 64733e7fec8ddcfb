/**
 * The command table of `tokenskip`: one entry per sub-command, kept in sync with the CLI by a test.
 * Names, summaries and usages come from the light table (./table.mjs); a command's implementation is
 * imported only when it runs, so help and version answer fast.
 */
import type { Command } from './types.ts';
import { commandTable, usageOf } from './table.mjs';

const loaders: Record<string, () => Promise<Command>> = {
  compress: async () => (await import('./compress.ts')).compressCommand,
  grade: async () => (await import('./grade.ts')).gradeCommand,
  report: async () => (await import('./report.ts')).reportCommand,
  collect: async () => (await import('./collect.ts')).collectCommand,
  build: async () => (await import('./build.ts')).buildCommand,
  train: async () => (await import('./train.ts')).trainCommand,
  merge: async () => (await import('./merge.ts')).mergeCommand,
  export: async () => (await import('./export.ts')).exportCommand,
  eval: async () => (await import('./eval.ts')).evalCommand,
  data: async () => (await import('./data.ts')).dataCommand,
  mini: async () => (await import('./mini.ts')).miniCommand,
  models: async () => (await import('./models.ts')).modelsCommand,
};

export const commands: Command[] = commandTable.map((info) => ({
  name: info.name,
  summary: info.summary,
  usage: usageOf(info.name) ?? info.usage,
  async run(argv, io) {
    const load = loaders[info.name];
    if (!load) throw new Error(`no implementation for command '${info.name}'`);
    return (await load()).run(argv, io);
  },
}));
