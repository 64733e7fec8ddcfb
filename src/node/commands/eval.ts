/**
 * `tokenskip eval`: the TokenSkip benchmark, headless, against OpenAI-compatible endpoints serving a
 * merged TokenSkip model: for each γ, greedy answers to the test questions with the TokenSkip prompt
 * (docs/method.md, step 5), accuracy, CoT tokens (target tokenizer), actual ratio and speedup
 * against γ = 1. Resumable through `<out>.journal.jsonl`, like collect.
 *
 *   tokenskip eval --input data/gsm8k/test.jsonl --model-dir merged --endpoint http://127.0.0.1:8000/v1 --out eval.json
 *
 * `--onnx-model DIR` runs the app's ONNX engine in-process instead of endpoints. Grading is the
 * project grader (src/core/eval), GSM8K or MATH rules.
 */
import { gammaListOption, parseCommandArgs, UsageError, writeSummary } from '../args.ts';
import { guardOutputs } from '../output.ts';
import { commandInfo } from './table.mjs';
import { redactUrl } from '../../runtime/engines/openai/openai-engine.ts';
import type { Command } from './types.ts';
import {
  TARGET_MODEL_OPTIONS,
  targetModelFlags,
  checkJournaledRun,
} from '../pipeline/target-model.ts';
import { answerQuestions } from '../pipeline/answer-run.ts';
import { GAMMAS } from '../../core/prompts/tokenskip-format.ts';
import { summarizeRuns, type RunInput } from '../../core/eval/metrics.ts';
import {
  baseVersions,
  digest,
  manifestPathFor,
  writeAtomic,
  writeManifest,
} from '../pipeline/manifest.ts';

export interface Sample {
  key: string;
  gamma: number;
  correct: boolean;
  cot_tokens: number;
  latency_s: number;
  prediction?: string | string[];
}

export const evalCommand: Command = {
  ...commandInfo('eval'),
  async run(argv, io) {
    const { values } = parseCommandArgs('eval', argv, {
      ...TARGET_MODEL_OPTIONS,
      gammas: { type: 'string', default: GAMMAS.join(',') },
      timeout: { type: 'string', default: '300' },
    });
    const flags = targetModelFlags(values);
    const { input, out, modelDir, maxTokens } = flags;
    const gammas = gammaListOption('--gammas', values.gammas);
    for (const g of gammas) {
      if (!GAMMAS.includes(g as (typeof GAMMAS)[number])) {
        throw new UsageError(`--gammas: ${g} is not one of ${GAMMAS.join(', ')}.`);
      }
    }
    const { journal, outputs, inputs } = await checkJournaledRun(flags, io.stderr);
    return guardOutputs(outputs, inputs, async () => {
      const {
        done,
        questions: qs,
        dataset,
      } = await answerQuestions<Sample>({
        command: 'eval',
        flags,
        journal,
        stderr: io.stderr,
        fingerprint: (format) => ({ format }),
        // Keyed `γ:index`, so another --gammas list reuses the answers it shares with this one.
        jobs: (questions) =>
          gammas.flatMap((g) =>
            questions.map((_, i) => ({ key: `${g}:${i}`, i, gamma: g, label: `${g}:${i}` })),
          ),
        // A line torn by a crash was skipped by readJournal: that sample is redone.
        keyOf: (line) => (typeof line.key === 'string' ? line.key : undefined),
        entry: (job, answer) => ({
          key: job.key,
          gamma: job.gamma!,
          correct: answer.grade.correct,
          cot_tokens: answer.cotTokens,
          latency_s: answer.latencyS,
          prediction: answer.grade.prediction,
        }),
        failed: (failures) =>
          `${failures.length} requests failed (first: ${failures[0]}); run the same command again to finish.`,
      });
      const report = summarize([...done.values()], gammas);
      await writeAtomic(
        out,
        `${JSON.stringify({ input, model: modelDir, n: qs.length, results: report }, null, 2)}\n`,
      );
      await writeManifest(manifestPathFor(out), {
        command: 'eval',
        inputs: [await digest(input)],
        settings: {
          gammas,
          maxTokens,
          endpoints: values.endpoint.map(redactUrl),
          limit: values.limit ?? null,
          grader: `src/core/eval gradeSample (${dataset})`,
          backend: values['onnx-model'] ? 'onnx' : 'openai',
        },
        outputs: [await digest(out)],
        versions: baseVersions(),
      });
      writeSummary(
        io,
        values.json,
        `eval: ${qs.length} questions x ${gammas.length} γ -> ${out}\n` +
          report
            .map(
              (r) =>
                `  γ ${r.gamma}: accuracy ${(100 * r.accuracy).toFixed(1)}%` +
                (r.delta_acc === null || r.gamma === 1
                  ? ''
                  : ` (ΔAcc ${r.delta_acc >= 0 ? '+' : ''}${(100 * r.delta_acc).toFixed(1)})`) +
                `, ${r.cot_tokens.toFixed(1)} CoT tokens, ${r.latency_s.toFixed(2)} s` +
                (r.speedup === null || r.gamma === 1 ? '' : `, ${r.speedup.toFixed(2)}x`),
            )
            .join('\n'),
        report,
      );
      return 0;
    });
  },
};

export interface GammaResult {
  gamma: number;
  accuracy: number;
  /** Accuracy minus γ = 1's, as a fraction; null when γ = 1 was not evaluated. */
  delta_acc: number | null;
  cot_tokens: number;
  latency_s: number;
  actual_ratio: number | null;
  speedup: number | null;
}

/**
 * Per-γ means through the metrics the Benchmark page uses (`summarizeRuns`), with γ = 1 as the
 * baseline; the report keeps its snake_case fields and fractions for the scripts that read it.
 */
export function summarize(samples: Sample[], gammas: number[]): GammaResult[] {
  const runs: RunInput[] = gammas.map((g) => ({
    name: `γ ${g}`,
    gamma: g,
    original: g === 1,
    samples: samples
      .filter((x) => x.gamma === g)
      .map((x) => ({ correct: x.correct, cotTokens: x.cot_tokens, latencyS: x.latency_s })),
  }));
  return summarizeRuns(runs).map((r) => ({
    gamma: r.gamma,
    accuracy: r.accuracyPct / 100,
    delta_acc: r.deltaAccPct === null ? null : r.deltaAccPct / 100,
    cot_tokens: r.meanCotTokens ?? 0,
    latency_s: r.meanLatencyS ?? 0,
    actual_ratio: r.actualRatio,
    speedup: r.speedup,
  }));
}
