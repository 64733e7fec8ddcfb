/**
 * `tokenskip collect`: run the target model greedily on training questions with the TokenSkip
 * instruction, grade, and keep correct traces whose CoT is <= 500 target tokens (docs/method.md#tokenskip-pipeline
 * step 1). Back-end: any OpenAI-compatible /v1/completions endpoint (vLLM, llama.cpp, Ollama), several
 * at once. Every finished sample is appended to `<out>.journal.jsonl`, so a killed run resumes where
 * it stopped; `<out>` itself is written atomically once every sample is done.
 *
 *   tokenskip collect --input data/gsm8k/train.jsonl --model-dir Qwen2.5-7B-Instruct \
 *     --endpoint http://gpu1:8000/v1 --endpoint http://gpu2:8000/v1 --served-model Qwen/Qwen2.5-7B-Instruct --out traces.jsonl
 *
 *   tokenskip collect --input questions.jsonl --model-dir base --onnx-model base-onnx --out traces.jsonl
 *
 * `--onnx-model` runs the app's ONNX engine in-process (onnxruntime-node) instead of endpoints.
 * Answers are graded with the project grader (src/core/eval, GSM8K or MATH rules).
 */
import { intOption, numberOption, parseCommandArgs, writeSummary } from '../args.ts';
import { guardOutputs } from '../output.ts';
import { commandInfo } from './table.mjs';
import { redactUrl } from '../../runtime/engines/openai/openai-engine.ts';
import { join } from 'node:path';
import type { Command } from './types.ts';
import {
  TARGET_MODEL_OPTIONS,
  targetModelFlags,
  checkJournaledRun,
} from '../pipeline/target-model.ts';
import { answerQuestions } from '../pipeline/answer-run.ts';
import { TokenSkipError } from '../../core/errors.ts';
import {
  baseVersions,
  digest,
  manifestPathFor,
  writeAtomic,
  writeManifest,
} from '../pipeline/manifest.ts';

interface JournalEntry {
  i: number;
  status: 'kept' | 'wrong' | 'too_long';
  record: Record<string, unknown>;
}

export const collectCommand: Command = {
  ...commandInfo('collect'),
  async run(argv, io) {
    const { values } = parseCommandArgs('collect', argv, {
      ...TARGET_MODEL_OPTIONS,
      backoff: { type: 'string', default: '0.5' },
      timeout: { type: 'string', default: '120' },
      'max-cot-tokens': { type: 'string', default: '500' },
    });
    const flags = targetModelFlags(values);
    const { input, out, modelDir, maxTokens } = flags;
    const maxCot = intOption('--max-cot-tokens', values['max-cot-tokens']);
    const backoffS = numberOption('--backoff', values.backoff, { min: 0 });
    const { journal, outputs, inputs } = await checkJournaledRun(flags, io.stderr);
    return guardOutputs(outputs, inputs, async () => {
      const {
        format,
        done,
        dataset: grading,
      } = await answerQuestions<JournalEntry>({
        command: 'collect',
        flags,
        journal,
        stderr: io.stderr,
        backoffMs: backoffS * 1000,
        fingerprint: (format) => ({ maxCot, format }),
        jobs: (questions) => questions.map((q, i) => ({ key: String(i), i, label: q.id })),
        // A line torn by a crash mid-write was skipped: that sample is simply done again.
        keyOf: (line) => (typeof line.i === 'number' ? String(line.i) : undefined),
        resuming: (n, total) => `collect: resuming, ${n} of ${total} samples already done.\n`,
        entry: ({ i }, answer, { rows, questions }) => {
          const status: JournalEntry['status'] = !answer.grade.correct
            ? 'wrong'
            : answer.cotTokens > maxCot
              ? 'too_long'
              : 'kept';
          const { output, cot, cotTokens } = answer;
          const { prediction } = answer.grade;
          const id = questions[i]!.id;
          return {
            i,
            status,
            record: { ...rows[i], id, prediction, output, cot, cot_tokens: cotTokens },
          };
        },
        failed: (failures, n) =>
          `${failures.length} samples failed (first: ${failures[0]}). ${n} are saved in ${journal}; run the same command again to retry the rest.`,
      });
      const entries = [...done.values()].sort((a, b) => a.i - b.i);
      const kept = entries.filter((e) => e.status === 'kept').map((e) => e.record);
      if (kept.length === 0) {
        // An empty trace file would only fail later steps with a vaguer message.
        const wrong = entries.filter((e) => e.status === 'wrong').length;
        throw new TokenSkipError(
          'EMPTY_INPUT',
          `no trace kept: ${wrong} of ${entries.length} answers were wrong and the rest too long, so ${out} was not written. The model cannot solve these questions yet; train it further or check --dataset and --max-tokens (answers are in ${journal}).`,
        );
      }
      await writeAtomic(
        out,
        kept.map((r) => JSON.stringify(r)).join('\n') + (kept.length ? '\n' : ''),
      );
      const counts = {
        total: entries.length,
        kept: kept.length,
        wrong: entries.filter((e) => e.status === 'wrong').length,
        too_long: entries.filter((e) => e.status === 'too_long').length,
      };
      await writeManifest(manifestPathFor(out), {
        command: 'collect',
        inputs: [await digest(input), await digest(join(modelDir, 'tokenizer.json'))],
        settings: {
          endpoints: values.endpoint.map(redactUrl),
          onnx_model: values['onnx-model'] ?? null,
          served_model: values['served-model'],
          format,
          maxTokens,
          maxCot,
          limit: values.limit ?? null,
          grader: `src/core/eval gradeSample (${grading})`,
          backend: values['onnx-model'] ? 'onnx' : 'openai',
        },
        outputs: [await digest(out)],
        versions: baseVersions(),
        results: counts,
      });
      writeSummary(
        io,
        values.json,
        `collect: kept ${counts.kept} of ${counts.total} (${counts.wrong} wrong, ${counts.too_long} too long) -> ${out}`,
        { out, ...counts },
      );
      return 0;
    });
  },
};
