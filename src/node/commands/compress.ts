import type { Command } from './types.ts';

export const compressCommand: Command = {
  name: 'compress',
  summary: 'Compress text or a JSONL file with LLMLingua-2',
  usage: 'Usage: tokenskip compress [options]\n',
  async run(_argv, io) {
    io.stderr.write('not yet\n');
    return 1;
  },
};
