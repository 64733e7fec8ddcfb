/**
 * `tokenskip collect`: run the target model greedily on training questions with the TokenSkip
 * instruction, grade, and keep correct traces whose CoT is <= 500 target tokens (REFERENCE section 1
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
import { parseArgs } from 'node:util';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from './types.ts';
import { TokenSkipError } from '../../core/errors.ts';
import {
  PROMPT_FORMATS,
  chatFormatFor,
  familyOf,
  inferencePrompt,
  splitCot,
} from '../../core/trainer/tokenskip-format.ts';
import { gradeSample, type Dataset } from '../../core/eval/index.ts';
import { readJsonl, stringField } from '../trainer/jsonl.ts';
import { encode, loadModelInfo } from '../trainer/tokenizer.ts';
import { createOpenAiBackend, type CompletionBackend } from '../trainer/openai-backend.ts';
import { createOnnxBackend } from '../trainer/onnx-backend.ts';
import {
  baseVersions,
  digest,
  manifestPathFor,
  writeAtomic,
  writeManifest,
} from '../trainer/manifest.ts';
import { createBar } from '../trainer/progress.ts';

const USAGE = `Usage: tokenskip collect --input FILE --model-dir DIR --endpoint URL [--endpoint URL ...] --out FILE [options]

  --input FILE          questions (JSONL: question, answer; optional id)
  --model-dir DIR       target model folder: tokenizer.json (CoT length) and config.json (chat format)
  --endpoint URL        OpenAI-compatible base URL (e.g. http://127.0.0.1:8000/v1), repeatable
  --onnx-model DIR      instead of endpoints: the in-process ONNX engine on this transformers.js folder
  --dataset D           gsm8k or math grading rules (default: math when lines have 'problem')
  --served-model NAME   model name the endpoints serve (default: the folder name)
  --api-key KEY         bearer token (default: OPENAI_API_KEY)
  --concurrency N       in-flight requests per endpoint (default 4)
  --retries N           retries per sample, with exponential backoff (default 3)
  --backoff S           first backoff delay in seconds, doubled per retry (default 0.5)
  --timeout S           seconds per request (default 120)
  --max-tokens N        generation limit (default 512)
  --max-cot-tokens N    keep traces whose CoT has at most N target tokens (default 500)
  --limit N             only the first N questions
`;

interface JournalEntry {
  i: number;
  status: 'kept' | 'wrong' | 'too_long';
  record: Record<string, unknown>;
}

async function readJournal(path: string): Promise<Map<number, JournalEntry>> {
  const done = new Map<number, JournalEntry>();
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return done;
  }
  for (const line of text.split('\n')) {
    try {
      const e = JSON.parse(line) as JournalEntry;
      if (typeof e.i === 'number') done.set(e.i, e);
    } catch {
      // A line torn by a crash mid-write: that sample is simply done again.
    }
  }
  return done;
}

export const collectCommand: Command = {
  name: 'collect',
  summary:
    'Collect correct CoT traces from the target model (OpenAI-compatible endpoints; resumable)',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        input: { type: 'string' },
        'model-dir': { type: 'string' },
        endpoint: { type: 'string', multiple: true, default: [] },
        'onnx-model': { type: 'string' },
        dataset: { type: 'string' },
        'served-model': { type: 'string' },
        'api-key': { type: 'string' },
        concurrency: { type: 'string', default: '4' },
        retries: { type: 'string', default: '3' },
        backoff: { type: 'string', default: '0.5' },
        timeout: { type: 'string', default: '120' },
        'max-tokens': { type: 'string', default: '512' },
        'max-cot-tokens': { type: 'string', default: '500' },
        limit: { type: 'string' },
        out: { type: 'string' },
      },
    });
    const input = values.input;
    const modelDir = values['model-dir'];
    const out = values.out;
    if (!input || !modelDir || !out || (!values.endpoint?.length && !values['onnx-model'])) {
      throw new TokenSkipError(
        'INVALID_ARGUMENT',
        `--input, --model-dir, --out and one back-end (--endpoint or --onnx-model) are required.\n${USAGE}`,
      );
    }
    const num = (name: string, v: string | undefined, min = 0): number => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < min)
        throw new TokenSkipError('INVALID_ARGUMENT', `--${name} must be a number >= ${min}.`);
      return n;
    };
    const maxTokens = num('max-tokens', values['max-tokens'], 1);
    const maxCot = num('max-cot-tokens', values['max-cot-tokens'], 1);
    const info = await loadModelInfo(modelDir);
    const format = chatFormatFor(String(info.config.model_type));
    let rows = await readJsonl(input);
    if (values.limit) rows = rows.slice(0, num('limit', values.limit, 1));
    const dataset: Dataset = (values.dataset ??
      ('problem' in (rows[0] ?? {}) ? 'math' : 'gsm8k')) as Dataset;
    if (dataset !== 'gsm8k' && dataset !== 'math') {
      throw new TokenSkipError('INVALID_ARGUMENT', '--dataset must be gsm8k or math.');
    }
    const questions = rows.map((r, i) => ({
      id: String(r.id ?? i),
      question: stringField(r, ['question', 'problem'], `${input}:${i + 1}`),
      answer: stringField(r, ['answer'], `${input}:${i + 1}`),
    }));
    const backend: CompletionBackend = values['onnx-model']
      ? createOnnxBackend(values['onnx-model'], PROMPT_FORMATS[familyOf(format)].stop)
      : createOpenAiBackend({
          endpoints: values.endpoint ?? [],
          model: values['served-model'] ?? modelDir.replace(/\/+$/, '').split('/').pop()!,
          apiKey: values['api-key'] ?? process.env.OPENAI_API_KEY,
          concurrency: num('concurrency', values.concurrency, 1),
          retries: num('retries', values.retries),
          timeoutMs: num('timeout', values.timeout) * 1000,
          backoffMs: num('backoff', values.backoff) * 1000,
        });
    const journal = `${out}.journal.jsonl`;
    const done = await readJournal(journal);
    if (done.size)
      io.stderr.write(
        `collect: resuming, ${done.size} of ${questions.length} samples already done.\n`,
      );
    const pending = questions.map((_, i) => i).filter((i) => !done.has(i));
    const bar = createBar(io.stderr, 'collect', questions.length);
    bar.update(done.size);
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < pending.length) {
        const i = pending[next++] as number;
        const q = questions[i]!;
        try {
          const output = await backend.complete(inferencePrompt(format, q.question), { maxTokens });
          const grade = gradeSample({ dataset, question: q.question, output, answer: q.answer });
          const prediction = grade.prediction;
          const cot = splitCot(output);
          const cotTokens = encode(info.tokenizer, cot).length;
          const correct = grade.correct;
          const status: JournalEntry['status'] = !correct
            ? 'wrong'
            : cotTokens > maxCot
              ? 'too_long'
              : 'kept';
          const entry: JournalEntry = {
            i,
            status,
            record: { ...rows[i], id: q.id, prediction, output, cot, cot_tokens: cotTokens },
          };
          await appendFile(journal, `${JSON.stringify(entry)}\n`);
          done.set(i, entry);
        } catch (error) {
          failures.push(`${q.id}: ${(error as Error).message}`);
        }
        bar.update(done.size);
      }
    };
    await Promise.all(Array.from({ length: Math.min(backend.slots, pending.length) }, worker));
    bar.stop();
    if (failures.length) {
      throw new TokenSkipError(
        'DOWNLOAD_FAILED',
        `${failures.length} samples failed (first: ${failures[0]}). ${done.size} are saved in ${journal}; run the same command again to retry the rest.`,
      );
    }
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
        endpoints: values.endpoint,
        onnx_model: values['onnx-model'] ?? null,
        served_model: values['served-model'],
        format,
        maxTokens,
        maxCot,
        limit: values.limit ?? null,
        grader: `src/core/eval gradeSample (${dataset})`,
        backend: values['onnx-model'] ? 'onnx' : 'openai',
      },
      outputs: [await digest(out)],
      versions: baseVersions(),
      results: counts,
    });
    io.stdout.write(`${JSON.stringify({ out, ...counts })}\n`);
    return 0;
  },
};
