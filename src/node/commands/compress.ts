/**
 * `tokenskip compress`: LLMLingua-2, CTS or perplexity compression of one text (stdin) or a JSONL file.
 *
 *   echo "Janet sells 16 - 3 - 4 = 9 duck eggs a day." | npx tokenskip compress --rate 0.5
 *   npx tokenskip compress --in cots.jsonl --field cot --out compressed.jsonl --rate 0.6
 *   npx tokenskip compress --scorer cts --condition both --ref-model models/fixtures/tiny-qwen2 \
 *     --in cots.jsonl --out compressed.jsonl --rate 0.6
 *
 * Chunks from many records share one model call (50 rows, as the reference batches); output is
 * written group by group to `<out>.partial` and renamed at the end, so an interrupted run resumes.
 */
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { TokenSkipError, toTokenSkipError } from '../../core/errors.ts';
import {
  validateRate,
  validateText,
  type LinguaOptions,
} from '../../core/compression/llmlingua2.ts';
import { readManifest } from '../../runtime/node/model-files.ts';
import {
  conditionFields,
  loadCausalCompressor,
  loadLingua2Compressor,
  parseCausalSettings,
  parseScorer,
  type CausalCliSettings,
  type CompressItem,
  type RecordCompressor,
} from './compress-scorers.ts';
import { readJsonl, ResumableJsonlWriter, type JsonRecord } from '../jsonl.ts';
import type { Command, CommandIO } from './types.ts';

const usage = `Usage: tokenskip compress [options]

Compresses a chain of thought with LLMLingua-2, CTS or perplexity: one text from stdin (prints the
result as JSON), or every record of a JSONL file (--in/--out; each output line keeps its fields and
adds compressed_prompt, origin_tokens, compressed_tokens, ratio, rate, word_labels).

Options:
  --scorer NAME            llmlingua2 (default), cts (conditional token selection: log-prob gain
                           from the condition under a reference LM) or ppl (reference LM perplexity)
  --rate γ                 share of tokens to keep, in (0, 1] (default 0.5)
  --rate-field NAME        take γ per record from this field instead (JSONL mode)
  --model ID|DIR           manifest model id or model folder (default: the manifest's default)
  --in FILE.jsonl          input records
  --field NAME             record field holding the text (default: cot)
  --out FILE.jsonl         output file (written atomically; an interrupted run resumes)
  --fresh                  discard a partial output of an earlier run and start over
  --force-tokens LIST      tokens always kept: comma-separated, or a JSON array (\\n = newline)
  --force-reserve-digit    keep every token that holds a digit
  --drop-consecutive       drop a force token repeating the previous one
  --token-to-word MODE     mean (default) or first
  --real-boundaries        fix: feed <s>/</s> to XLM-R models instead of the reference's <unk>
  --space-between-chunks   fix: do not fuse the last and first words of adjacent chunks
  --batch-size N           rows per model call (default 50)
  --threads N              ONNX Runtime threads (default: cores, at most 4)
  --onnx-file PATH         ONNX graph inside the model folder (default per manifest)
  --text                   stdin mode: print only the compressed text
  --progress / --no-progress  force the progress bar on or off (default: on when stderr is a TTY)

CTS and perplexity (--scorer cts|ppl):
  --ref-model DIR|ID       reference causal LM in the transformers.js layout (required)
  --condition WHAT         CTS condition placed before the CoT: question (default), answer, both
  --question TEXT          stdin mode: the question (CTS with question/both)
  --answer TEXT            stdin mode: the answer (CTS with answer/both)
  --question-field NAME    JSONL mode: record field with the question (default: question)
  --answer-field NAME      JSONL mode: record field with the answer (default: answer)
  --window N               tokens per scoring window (default 1800)
  --max-tokens N           CoT tokens scored; the rest is dropped, as the reference does (default 5000)
  --selection MODE         reference (default: keep scores above the value at floor(N*γ)-1 per
                           window) or exact (keep round(N*γ) per window)
  (LLMLingua-2-only options such as --force-tokens are rejected with these scorers.)
`;

function parseForceTokens(value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  if (value.trim().startsWith('[')) {
    const parsed: unknown = JSON.parse(value);
    if (!Array.isArray(parsed) || parsed.some((t) => typeof t !== 'string')) {
      throw new TokenSkipError(
        'INVALID_ARGUMENT',
        '--force-tokens as JSON must be an array of strings.',
      );
    }
    return parsed as string[];
  }
  return value.split(',').map((t) => t.replaceAll('\\n', '\n').replaceAll('\\t', '\t'));
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `${name} must be a positive integer, got '${value}'.`,
    );
  return n;
}

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export const compressCommand: Command = {
  name: 'compress',
  summary: 'Compress a CoT (stdin) or a JSONL file with LLMLingua-2, CTS or perplexity',
  usage,
  async run(argv: string[], io: CommandIO): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        options: {
          rate: { type: 'string' },
          'rate-field': { type: 'string' },
          model: { type: 'string' },
          in: { type: 'string' },
          field: { type: 'string', default: 'cot' },
          out: { type: 'string' },
          fresh: { type: 'boolean', default: false },
          'force-tokens': { type: 'string' },
          'force-reserve-digit': { type: 'boolean', default: false },
          'drop-consecutive': { type: 'boolean', default: false },
          'token-to-word': { type: 'string', default: 'mean' },
          'real-boundaries': { type: 'boolean', default: false },
          'space-between-chunks': { type: 'boolean', default: false },
          'batch-size': { type: 'string' },
          threads: { type: 'string' },
          'onnx-file': { type: 'string' },
          text: { type: 'boolean', default: false },
          progress: { type: 'boolean' },
          'no-progress': { type: 'boolean' },
          scorer: { type: 'string' },
          'ref-model': { type: 'string' },
          condition: { type: 'string' },
          question: { type: 'string' },
          answer: { type: 'string' },
          'question-field': { type: 'string', default: 'question' },
          'answer-field': { type: 'string', default: 'answer' },
          window: { type: 'string' },
          'max-tokens': { type: 'string' },
          selection: { type: 'string' },
        },
        strict: true,
        allowPositionals: false,
      });
    } catch (error) {
      throw new TokenSkipError(
        'INVALID_ARGUMENT',
        `${(error as Error).message}. See 'tokenskip compress --help'.`,
      );
    }
    const v = parsed.values;
    const scorerName = parseScorer(v.scorer);
    const rate = validateRate(v.rate ?? '0.5', '--rate');
    let causal: CausalCliSettings | undefined;
    if (scorerName === 'llmlingua2') {
      const causalOnly = [
        'ref-model',
        'condition',
        'question',
        'answer',
        'window',
        'max-tokens',
        'selection',
      ] as const;
      const given = causalOnly.filter((name) => v[name] !== undefined);
      if (given.length > 0) {
        throw new TokenSkipError(
          'INVALID_ARGUMENT',
          `--${given.join(', --')}: only for --scorer cts or ppl.`,
        );
      }
    } else {
      const linguaOnly = ['force-tokens', 'model', 'batch-size'] as const;
      const flags = [
        'force-reserve-digit',
        'drop-consecutive',
        'real-boundaries',
        'space-between-chunks',
      ] as const;
      const given = [
        ...linguaOnly.filter((name) => v[name] !== undefined),
        ...flags.filter((name) => v[name]),
        ...(v['token-to-word'] !== 'mean' ? ['token-to-word'] : []),
      ];
      if (given.length > 0) {
        throw new TokenSkipError(
          'INVALID_ARGUMENT',
          `--${given.join(', --')}: only for --scorer llmlingua2` +
            (given.includes('model') ? '; the CTS/perplexity model is --ref-model.' : '.'),
        );
      }
      causal = parseCausalSettings({ ...v, scorer: scorerName });
    }
    // CTS needs the question and/or answer beside each text.
    const needs = scorerName === 'cts' && causal ? conditionFields(causal.options.condition) : [];
    const tokenToWord = v['token-to-word'];
    if (tokenToWord !== 'mean' && tokenToWord !== 'first') {
      throw new TokenSkipError(
        'INVALID_ARGUMENT',
        `--token-to-word must be 'mean' or 'first', got '${tokenToWord}'.`,
      );
    }
    const options: Partial<LinguaOptions> = {
      forceTokens: parseForceTokens(v['force-tokens']),
      forceReserveDigit: v['force-reserve-digit'],
      dropConsecutive: v['drop-consecutive'],
      tokenToWord,
      realBoundaries: v['real-boundaries'],
      spaceBetweenChunks: v['space-between-chunks'],
      ...(v['batch-size'] ? { batchSize: positiveInt(v['batch-size'], '--batch-size')! } : {}),
    };
    const scorerOptions = {
      threads: positiveInt(v.threads, '--threads'),
      ...(v['onnx-file'] ? { onnxFile: v['onnx-file'] } : {}),
    };
    const loadCompressor = (): Promise<RecordCompressor> =>
      scorerName === 'llmlingua2'
        ? loadLingua2Compressor(v.model ?? readManifest().defaultScorer, scorerOptions, options)
        : loadCausalCompressor(scorerName, causal!, scorerOptions);

    if (!v.in) {
      if (v.out || v['rate-field'])
        throw new TokenSkipError(
          'INVALID_ARGUMENT',
          '--out and --rate-field need --in FILE.jsonl.',
        );
      // `echo` and heredocs end with a newline the user did not mean as part of the CoT.
      if (v['question-field'] !== 'question' || v['answer-field'] !== 'answer')
        throw new TokenSkipError(
          'INVALID_ARGUMENT',
          '--question-field and --answer-field need --in FILE.jsonl; on stdin use --question/--answer.',
        );
      for (const what of needs) {
        if (!v[what]?.trim())
          throw new TokenSkipError(
            'INVALID_ARGUMENT',
            `--scorer cts --condition ${causal!.options.condition} needs --${what} TEXT on stdin input.`,
          );
      }
      const text = validateText((await readStdin(io.stdin)).replace(/\r?\n$/, ''), 'stdin');
      const compressor = await loadCompressor();
      const [result] = await compressor.compress([
        {
          text,
          rate,
          ...(v.question !== undefined ? { question: v.question } : {}),
          ...(v.answer !== undefined ? { answer: v.answer } : {}),
        },
      ]);
      await compressor.release();
      if (!result) throw new TokenSkipError('INTERNAL', 'The scorer returned no result.');
      io.stdout.write(v.text ? `${result.compressed_prompt}\n` : `${JSON.stringify(result)}\n`);
      return 0;
    }

    if (!v.out)
      throw new TokenSkipError('INVALID_ARGUMENT', '--in needs --out FILE.jsonl for the results.');
    const field = v.field;
    const input = await readJsonl(v.in);
    // Check every record before any work, so bad input leaves no output behind.
    const rates = input.records.map((record, i) => {
      const where = `${v.in}:${input.lines[i]}`;
      validateText(record[field], `${where}: field '${field}'`);
      for (const what of needs) {
        const name = v[`${what}-field`];
        const value = record[name];
        if (typeof value !== 'string' && typeof value !== 'number') {
          throw new TokenSkipError(
            'INVALID_ARGUMENT',
            `${where}: CTS with condition ${causal!.options.condition} needs field '${name}' ` +
              `(the ${what}); give it or set --${what}-field.`,
          );
        }
        if (String(value).trim() === '') {
          throw new TokenSkipError(
            'EMPTY_INPUT',
            `${where}: field '${name}' (the ${what}) is empty.`,
          );
        }
      }
      return v['rate-field']
        ? validateRate(record[v['rate-field']], `${where}: field '${v['rate-field']}'`)
        : rate;
    });
    const compressor = await loadCompressor();
    const items = input.records.map((r, i): CompressItem => {
      const item: CompressItem = { text: r[field] as string, rate: rates[i]! };
      for (const what of needs) item[what] = String(r[v[`${what}-field`]]);
      return item;
    });
    // Input the model would reject (a CTS condition longer than the window) fails here, before
    // any output file exists.
    items.forEach((item, i) => {
      try {
        compressor.check(item);
      } catch (error) {
        const e = toTokenSkipError(error);
        throw new TokenSkipError(e.code, `${v.in}:${input.lines[i]}: ${e.message}`);
      }
    });
    const fingerprint = {
      input: input.sha256,
      field,
      rate,
      rateField: v['rate-field'] ?? null,
      model: compressor.modelId,
      ...compressor.settings,
      ...(needs.length > 0
        ? { questionField: v['question-field'], answerField: v['answer-field'] }
        : {}),
    };
    const writer = await ResumableJsonlWriter.open(v.out, fingerprint, v.fresh);

    const total = input.records.length;
    const showBar = v['no-progress']
      ? false
      : (v.progress ?? Boolean((io.stderr as NodeJS.WriteStream).isTTY));
    const bar = showBar
      ? new SingleBar(
          {
            format: 'compress [{bar}] {value}/{total} records | {eta_formatted} left',
            stream: io.stderr,
          },
          Presets.shades_classic,
        )
      : undefined;
    bar?.start(total, writer.done);
    if (writer.done > 0)
      io.stderr.write(`Resuming ${v.out}: ${writer.done} of ${total} records already done.\n`);

    const group = options.batchSize ?? 50;
    for (let start = writer.done; start < total; start += group) {
      const records = input.records.slice(start, start + group);
      const results = await compressor.compress(items.slice(start, start + group));
      const out: JsonRecord[] = records.map((record, j) => ({ ...record, ...results[j]! }));
      await writer.append(out);
      bar?.update(start + records.length);
    }
    bar?.stop();
    await writer.finish();
    await compressor.release();
    io.stderr.write(`Wrote ${total} records to ${v.out}.\n`);
    return 0;
  },
};
