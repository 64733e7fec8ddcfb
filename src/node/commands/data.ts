/**
 * `tokenskip data arith`: writes the TinyArith splits (src/core/datasets/arith.ts) as JSONL with
 * GSM8K's fields (question, answer, cot, id) plus `roles` (one letter per CoT word: e essential,
 * f filler, c context) and `steps`.
 *
 *   tokenskip data arith --out data/arith --seed 1 --train 5000 --val 500 --test 1000
 *   tokenskip data arith --out work/en --languages en                # English only
 *
 * The shipped `data/arith/` is exactly this command's output; the same seed and sizes always give
 * the same bytes, and a larger --train extends the same stream (the first N problems never change).
 */
import { join } from 'node:path';
import type { Command } from './types.ts';
import { UsageError, parseCommandArgs, writeSummary } from '../args.ts';
import { commandInfo } from './table.mjs';
import {
  ARITH_LANGUAGES,
  arithSplits,
  type ArithLanguage,
  type ArithProblem,
} from '../../core/datasets/arith.ts';
import { writeAtomic } from '../pipeline/manifest.ts';
import { guardOutputs } from '../output.ts';

function count(flag: string, value: string): number {
  if (!/^\d+$/.test(value))
    throw new UsageError(`--${flag} must be a whole number, got '${value}'.`);
  return Number(value);
}

export function arithLine(p: ArithProblem): string {
  const { id, question, cot, answer, steps, roles, language } = p;
  // Roles as one letter per CoT word (e essential, f filler, c context): a third of the JSON array's size.
  return JSON.stringify({
    question,
    answer,
    cot,
    id,
    steps,
    roles: roles.map((r) => r[0]).join(''),
    ...(language ? { language } : {}),
  });
}

export const dataCommand: Command = {
  ...commandInfo('data'),
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      'data',
      argv,
      {
        out: { type: 'string' },
        seed: { type: 'string', default: '1' },
        train: { type: 'string', default: '5000' },
        val: { type: 'string', default: '500' },
        test: { type: 'string', default: '1000' },
        languages: { type: 'string', default: 'en,zh' },
      },
      { positionals: 1 },
    );
    if (positionals[0] !== 'arith')
      throw new UsageError(
        `expected the dataset name 'arith', e.g. 'tokenskip data arith --out DIR'.`,
      );
    if (!values.out) throw new UsageError('--out is required.');
    const languages = values.languages.split(',').map((l) => l.trim());
    const unknown = languages.filter((l) => !(ARITH_LANGUAGES as readonly string[]).includes(l));
    if (unknown.length > 0 || languages.length === 0)
      throw new UsageError(
        `--languages takes ${ARITH_LANGUAGES.join(' and/or ')}, comma-separated; got '${values.languages}'.`,
      );
    const splits = arithSplits(
      count('seed', values.seed),
      {
        train: count('train', values.train),
        val: count('val', values.val),
        test: count('test', values.test),
      },
      languages as ArithLanguage[],
    );
    const written: Record<string, number> = {};
    const out = values.out;
    // Locked like every output; temp files of a killed run are removed first.
    const files = ['train.jsonl', 'val.jsonl', 'test.jsonl'];
    await guardOutputs([{ path: out, folder: true, files }], [], async () => {
      for (const split of ['train', 'val', 'test'] as const) {
        const rows = splits[split];
        await writeAtomic(
          join(out, `${split}.jsonl`),
          rows.map(arithLine).join('\n') + (rows.length ? '\n' : ''),
        );
        written[split] = rows.length;
      }
    });
    writeSummary(
      io,
      values.json,
      `data: ${written.train} train, ${written.val} val, ${written.test} test problems -> ${values.out}`,
      { out: values.out, ...written },
    );
    return 0;
  },
};
