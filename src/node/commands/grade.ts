/**
 * `tokenskip grade`: grades model completions in a JSONL file the way TokenSkip's evaluation does.
 *
 *   npx tokenskip grade --dataset math --in outputs.jsonl --out graded.jsonl
 */
import { TokenSkipError } from '../../core/errors.ts';
import {
  gradeSample,
  isDataset,
  resetSymbolicStats,
  symbolicStats,
  DEFAULT_SYMBOLIC_TIMEOUT_MS,
  type Dataset,
  type SampleInput,
} from '../../core/eval/index.ts';
import { readJsonlLines } from '../jsonl.ts';
import { optionalNumber, parseCommandArgs, UsageError } from '../args.ts';
import { AtomicFileWriter, guardOutputs } from '../output.ts';
import { commandInfo } from './table.mjs';
import type { Command, CommandIO } from './types.ts';

/** Checks one parsed line; returns the sample, or why it cannot be graded. */
function toSample(value: unknown, dataset: Dataset): SampleInput | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'expected a JSON object';
  }
  const v = value as Record<string, unknown>;
  if (typeof v.output !== 'string')
    return "field 'output' must be a string (the model's completion)";
  const answer = v.answer;
  const answerOk =
    typeof answer === 'string' ||
    (typeof answer === 'number' && Number.isFinite(answer)) ||
    (dataset === 'math' && Array.isArray(answer) && answer.every((a) => typeof a === 'string'));
  if (!answerOk) {
    return dataset === 'math'
      ? "field 'answer' must be a string or a list of strings (the gold answer)"
      : "field 'answer' must be a string or a number (the gold answer)";
  }
  if (v.question !== undefined && typeof v.question !== 'string') {
    return "field 'question' must be a string";
  }
  return {
    dataset,
    question: (v.question as string | undefined) ?? '',
    output: v.output,
    answer: answer as SampleInput['answer'],
  };
}

function parseOptions(argv: string[]) {
  const { values } = parseCommandArgs('grade', argv, {
    dataset: { type: 'string' },
    in: { type: 'string' },
    out: { type: 'string' },
    strict: { type: 'boolean', default: false },
    'timeout-ms': { type: 'string' },
  });
  if (!isDataset(values.dataset)) {
    throw new UsageError(
      `--dataset must be gsm8k or math (got ${values.dataset === undefined ? 'nothing' : `'${values.dataset}'`}).`,
    );
  }
  if (!values.in) throw new UsageError('--in FILE.jsonl is required.');
  if (!values.out) throw new UsageError('--out FILE.jsonl is required.');
  const timeoutMs =
    optionalNumber('--timeout-ms', values['timeout-ms'], { min: 0, minExclusive: true }) ??
    DEFAULT_SYMBOLIC_TIMEOUT_MS;
  return {
    dataset: values.dataset,
    input: values.in,
    output: values.out,
    strict: values.strict,
    timeoutMs,
    json: values.json,
  };
}

export const gradeCommand: Command = {
  ...commandInfo('grade'),
  async run(argv, io) {
    const opts = parseOptions(argv);
    return guardOutputs([{ path: opts.output }], [opts.input], () => grade(opts, io));
  },
};

async function grade(opts: ReturnType<typeof parseOptions>, io: CommandIO): Promise<number> {
  resetSymbolicStats();
  // Streamed: each graded line is written as it comes (bounded memory), to a temp file that
  // becomes the output only when the whole input was graded.
  const writer = await AtomicFileWriter.open(opts.output);
  let graded = 0;
  let correct = 0;
  let malformed = 0;
  try {
    for await (const entry of readJsonlLines(opts.input)) {
      const problem = 'error' in entry ? entry.error : toSample(entry.value, opts.dataset);
      if (typeof problem === 'string') {
        const message = `${opts.input}:${entry.line}: ${problem}`;
        if (opts.strict) {
          throw new TokenSkipError(
            'MALFORMED_JSONL',
            `${message}. Fix the line (or run without --strict to skip it); nothing was written.`,
          );
        }
        io.stderr.write(`tokenskip grade: skipping ${message}\n`);
        malformed++;
        continue;
      }
      const result = gradeSample(problem, { symbolicTimeoutMs: opts.timeoutMs });
      const record = { ...(entry as { value: Record<string, unknown> }).value };
      record.prediction = result.prediction;
      record.correct = result.correct;
      await writer.write(`${JSON.stringify(record)}\n`);
      graded++;
      if (result.correct) correct++;
    }
    if (graded === 0) {
      throw new TokenSkipError(
        'EMPTY_INPUT',
        `${opts.input} has no gradable lines${malformed ? ` (${malformed} malformed)` : ''}; nothing was written.`,
      );
    }
  } catch (error) {
    await writer.abort();
    throw error;
  }
  await writer.commit();
  const stats = symbolicStats();
  io.stderr.write(
    `${opts.dataset}: graded ${graded} lines, ${correct} correct ` +
      `(${((100 * correct) / graded).toFixed(2)}%); ${malformed} malformed skipped; ` +
      `${stats.calls} symbolic checks (${stats.timeouts} timed out) -> ${opts.output}\n`,
  );
  if (opts.json) {
    io.stdout.write(
      `${JSON.stringify({
        dataset: opts.dataset,
        out: opts.output,
        graded: graded,
        correct,
        accuracy: correct / graded,
        malformed,
        symbolic_checks: stats.calls,
        symbolic_timeouts: stats.timeouts,
      })}\n`,
    );
  }
  return 0;
}
