/**
 * The run `collect` and `eval` share: open the target model, read the questions, resume the
 * journal, then answer every pending job greedily with the TokenSkip prompt, grade it and append
 * it to the journal, with as many jobs in flight as the back-end has slots. What each command
 * keeps of an answer (`entry`) and writes at the end is its own.
 *
 *   const run = await answerQuestions({ command: 'eval', flags, stderr, jobs, entry, ... });
 */
import { TokenSkipError } from '../../core/errors.ts';
import { gradeSample } from '../../core/eval/index.ts';
import type { GradeResult } from '../../core/eval/grade.ts';
import { inferencePrompt, splitCot } from '../../core/prompts/tokenskip-format.ts';
import { openJournal, type JsonRecord } from '../jsonl.ts';
import { createBar } from './progress.ts';
import { readQuestions } from './questions.ts';
import { openTargetModel, targetFingerprint, type TargetModelFlags } from './target-model.ts';
import { encode } from './tokenizer.ts';

type Questions = Awaited<ReturnType<typeof readQuestions>>;
type Format = Awaited<ReturnType<typeof openTargetModel>>['format'];

/** One prompt to answer: a question at a γ, under a journal key. */
export interface AnswerJob {
  key: string;
  /** Index into the questions. */
  i: number;
  gamma?: number;
  /** Names the job in a failure message. */
  label: string;
}

/** A graded answer, for the command to turn into its journal entry. */
export interface Answer {
  output: string;
  grade: GradeResult;
  /** The CoT (the output before the final-answer sentence) and its length in target tokens. */
  cot: string;
  cotTokens: number;
  /** Seconds from the request to the graded answer. */
  latencyS: number;
}

export interface AnswerRun<E> {
  command: 'collect' | 'eval';
  flags: TargetModelFlags;
  journal: string;
  stderr: NodeJS.WritableStream;
  backoffMs?: number;
  /** Settings beside the model's in the journal's fingerprint. */
  fingerprint: (format: Format) => Record<string, unknown>;
  /** Every job, done or not, in order. */
  jobs: (questions: Questions['questions']) => AnswerJob[];
  /** The journal key of a journal line, or undefined for a line torn by a crash (redone). */
  keyOf: (line: Record<string, unknown>) => string | undefined;
  entry: (job: AnswerJob, answer: Answer, questions: Questions) => E;
  /** Said on stderr before work when some jobs are already done. */
  resuming?: (done: number, total: number) => string;
  /** The error's message when some jobs failed (all others are saved in the journal). */
  failed: (failures: string[], done: number) => string;
}

/** Answers the run's pending jobs; returns the questions, the format and every entry by key. */
export async function answerQuestions<E extends object>(run: AnswerRun<E>) {
  const { flags, stderr } = run;
  const { info, format, engine, ask, ready } = await openTargetModel(
    flags,
    run.backoffMs === undefined ? {} : { backoffMs: run.backoffMs },
  );
  const questions = await readQuestions(flags.input, flags.limit, flags.dataset);
  const opened = await openJournal(
    run.journal,
    await targetFingerprint(flags, run.fingerprint(format)),
    run.command,
    flags.out,
  );
  const done = new Map<string, E>();
  for (const line of opened.entries) {
    const key = run.keyOf(line);
    if (key !== undefined) done.set(key, line as unknown as E);
  }
  const all = run.jobs(questions.questions);
  if (done.size && run.resuming) stderr.write(run.resuming(done.size, all.length));
  const pending = all.filter((j) => !done.has(j.key));
  const bar = createBar(stderr, run.command, all.length);
  bar.update(done.size);
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < pending.length) {
      const job = pending[next++]!;
      const q = questions.questions[job.i]!;
      const t0 = performance.now();
      try {
        const output = await ask(inferencePrompt(format, q.question, job.gamma));
        const grade = gradeSample({
          dataset: questions.dataset,
          question: q.question,
          output,
          answer: q.answer,
        });
        const cot = splitCot(output);
        const answer: Answer = {
          output,
          grade,
          cot,
          cotTokens: encode(info.tokenizer, cot).length,
          latencyS: (performance.now() - t0) / 1000,
        };
        const entry = run.entry(job, answer, questions);
        await opened.append({ ...entry } as JsonRecord);
        done.set(job.key, entry);
      } catch (error) {
        failures.push(`${job.label}: ${(error as Error).message}`);
      }
      bar.update(done.size);
    }
  };
  // A model that cannot work (corrupt weights) stops here, once, before any sample.
  await ready();
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(engine.slots ?? 1, pending.length)) }, worker),
  );
  bar.stop();
  if (failures.length) {
    throw new TokenSkipError('DOWNLOAD_FAILED', run.failed(failures, done.size));
  }
  return { ...questions, format, done };
}
