/**
 * `tokenskip grade`: grades model completions in a JSONL file the way TokenSkip's evaluation does.
 *
 *   npx tokenskip grade --dataset math --in outputs.jsonl --out graded.jsonl
 */
import { parseArgs } from 'node:util';
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
import { readJsonlFile, toJsonl, writeFileAtomic } from '../jsonl.ts';
import type { Command } from './types.ts';

const usage = `Usage: tokenskip grade --dataset gsm8k|math --in FILE.jsonl --out FILE.jsonl [--strict]

Grades model completions as TokenSkip's evaluation does (answer extraction, normalisation,
numeric / symbolic equivalence).

Each input line: {"question": "...", "output": "<the model's completion>", "answer": "<gold>"}
  gsm8k: "answer" is the gold number; math: the gold answer string (the contents of the
  solution's \\boxed{}), or a list of answers. Other fields are kept.
Each output line: the input fields plus "prediction" (a string; a list for math) and "correct".

Options:
  --dataset gsm8k|math   how answers are extracted and compared (required)
  --in FILE              input JSONL (required)
  --out FILE             output JSONL, written atomically (required)
  --strict               stop at the first malformed line; nothing is written
  --timeout-ms N         time limit of one symbolic comparison (default ${DEFAULT_SYMBOLIC_TIMEOUT_MS})
`;

interface Graded {
  record: Record<string, unknown>;
  correct: boolean;
}

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
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        dataset: { type: 'string' },
        in: { type: 'string' },
        out: { type: 'string' },
        strict: { type: 'boolean', default: false },
        'timeout-ms': { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new TokenSkipError('INVALID_ARGUMENT', `${(error as Error).message}.\n\n${usage}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `Unexpected argument '${positionals[0]}'.\n\n${usage}`,
    );
  }
  if (!isDataset(values.dataset)) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `--dataset must be gsm8k or math (got ${values.dataset === undefined ? 'nothing' : `'${values.dataset}'`}).`,
    );
  }
  if (!values.in) throw new TokenSkipError('INVALID_ARGUMENT', '--in FILE.jsonl is required.');
  if (!values.out) throw new TokenSkipError('INVALID_ARGUMENT', '--out FILE.jsonl is required.');
  let timeoutMs = DEFAULT_SYMBOLIC_TIMEOUT_MS;
  if (values['timeout-ms'] !== undefined) {
    timeoutMs = Number(values['timeout-ms']);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new TokenSkipError(
        'INVALID_ARGUMENT',
        '--timeout-ms must be a positive number of milliseconds.',
      );
    }
  }
  return {
    dataset: values.dataset,
    input: values.in,
    output: values.out,
    strict: values.strict,
    timeoutMs,
  };
}

export const gradeCommand: Command = {
  name: 'grade',
  summary: 'Grade model completions (GSM8K / MATH) as TokenSkip does',
  usage,
  async run(argv, io) {
    const opts = parseOptions(argv);
    const lines = await readJsonlFile(opts.input);
    resetSymbolicStats();
    const graded: Graded[] = [];
    let malformed = 0;
    for (const entry of lines) {
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
      graded.push({ record, correct: result.correct });
    }
    if (graded.length === 0) {
      throw new TokenSkipError(
        'EMPTY_INPUT',
        `${opts.input} has no gradable lines${malformed ? ` (${malformed} malformed)` : ''}; nothing was written.`,
      );
    }
    await writeFileAtomic(opts.output, toJsonl(graded.map((g) => g.record)));
    const correct = graded.filter((g) => g.correct).length;
    const stats = symbolicStats();
    io.stdout.write(
      `${opts.dataset}: graded ${graded.length} lines, ${correct} correct ` +
        `(${((100 * correct) / graded.length).toFixed(2)}%); ${malformed} malformed skipped; ` +
        `${stats.calls} symbolic checks (${stats.timeouts} timed out) -> ${opts.output}\n`,
    );
    return 0;
  },
};
