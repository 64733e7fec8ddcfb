/**
 * `tokenskip data arith`: writes the TinyArith splits (src/core/datasets/arith.ts) as JSONL with
 * GSM8K's fields (question, answer, cot, id) plus `roles` (one letter per CoT word: e essential,
 * f filler, c context) and `steps`.
 *
 *   tokenskip data arith --out data/arith --seed 1 --train 5000 --val 500 --test 1000
 *
 * The shipped `data/arith/` is exactly this command's output; the same seed and sizes always give
 * the same bytes, and a larger --train extends the same stream (the first N problems never change).
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import type { Command } from './types.ts';
import { TokenSkipError } from '../../core/errors.ts';
import { arithSplits, type ArithProblem } from '../../core/datasets/arith.ts';
import { writeAtomic } from '../trainer/manifest.ts';

const USAGE = `Usage: tokenskip data arith --out DIR [options]

  --out DIR      folder for train.jsonl, val.jsonl and test.jsonl
  --seed N       base seed, 0 to 4294967295 (default 1)
  --train N      training problems (default 5000)
  --val N        validation problems (default 500)
  --test N       test problems (default 1000)
`;

function count(flag: string, value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `--${flag} must be a whole number (got '${value}').`,
    );
  }
  return Number(value);
}

export function arithLine(p: ArithProblem): string {
  const { id, question, cot, answer, steps, roles } = p;
  // Roles as one letter per CoT word (e essential, f filler, c context): a third of the JSON array's size.
  return JSON.stringify({
    question,
    answer,
    cot,
    id,
    steps,
    roles: roles.map((r) => r[0]).join(''),
  });
}

export const dataCommand: Command = {
  name: 'data',
  summary: 'Generate the TinyArith dataset (train/val/test JSONL) the mini models learn',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        seed: { type: 'string', default: '1' },
        train: { type: 'string', default: '5000' },
        val: { type: 'string', default: '500' },
        test: { type: 'string', default: '1000' },
      },
    });
    if (positionals[0] !== 'arith' || positionals.length !== 1) {
      throw new TokenSkipError('INVALID_ARGUMENT', `expected the dataset name 'arith'.\n${USAGE}`);
    }
    if (!values.out) throw new TokenSkipError('INVALID_ARGUMENT', `--out is required.\n${USAGE}`);
    const splits = arithSplits(count('seed', values.seed as string), {
      train: count('train', values.train as string),
      val: count('val', values.val as string),
      test: count('test', values.test as string),
    });
    const written: Record<string, number> = {};
    for (const split of ['train', 'val', 'test'] as const) {
      const rows = splits[split];
      await writeAtomic(
        join(values.out, `${split}.jsonl`),
        rows.map(arithLine).join('\n') + (rows.length ? '\n' : ''),
      );
      written[split] = rows.length;
    }
    io.stdout.write(`${JSON.stringify({ out: values.out, ...written })}\n`);
    return 0;
  },
};
