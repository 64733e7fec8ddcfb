/**
 * `tokenskip compress`: LLMLingua-2 compression of one text (stdin) or a JSONL file.
 *
 *   echo "Janet sells 16 - 3 - 4 = 9 duck eggs a day." | npx tokenskip compress --rate 0.5
 *   npx tokenskip compress --in cots.jsonl --field cot --out compressed.jsonl --rate 0.6
 *
 * Chunks from many records share one model call (50 rows, as the reference batches); output is
 * written group by group to `<out>.partial` and renamed at the end, so an interrupted run resumes.
 */
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { TokenSkipError } from '../../core/errors.ts';
import {
  scoreLingua2,
  selectLingua2,
  validateRate,
  validateText,
  type LinguaOptions,
} from '../../core/compression/llmlingua2.ts';
import { loadNodeScorer } from '../../runtime/node/scorer-node.ts';
import { readManifest } from '../../runtime/node/model-files.ts';
import { readJsonl, ResumableJsonlWriter, type JsonRecord } from '../jsonl.ts';
import type { Command, CommandIO } from './types.ts';

const usage = `Usage: tokenskip compress [options]

Compresses a chain of thought with LLMLingua-2: one text from stdin (prints the result as JSON), or
every record of a JSONL file (--in/--out; each output line keeps its fields and adds
compressed_prompt, origin_tokens, compressed_tokens, ratio, rate, word_labels).

Options:
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
  summary: 'Compress a CoT (stdin) or a JSONL file with LLMLingua-2',
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
    const rate = validateRate(v.rate ?? '0.5', '--rate');
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
    const modelSpec = v.model ?? readManifest().defaultScorer;
    const scorerOptions = {
      threads: positiveInt(v.threads, '--threads'),
      ...(v['onnx-file'] ? { onnxFile: v['onnx-file'] } : {}),
    };

    if (!v.in) {
      if (v.out || v['rate-field'])
        throw new TokenSkipError(
          'INVALID_ARGUMENT',
          '--out and --rate-field need --in FILE.jsonl.',
        );
      // `echo` and heredocs end with a newline the user did not mean as part of the CoT.
      const text = validateText((await readStdin(io.stdin)).replace(/\r?\n$/, ''), 'stdin');
      const scorer = await loadNodeScorer(modelSpec, scorerOptions);
      const [scored] = await scoreLingua2(
        [text],
        scorer.tokenizer,
        scorer.classifier,
        options,
        scorer.modelId,
      );
      const result = selectLingua2(scored!, rate, scorer.tokenizer);
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
      return v['rate-field']
        ? validateRate(record[v['rate-field']], `${where}: field '${v['rate-field']}'`)
        : rate;
    });
    const scorer = await loadNodeScorer(modelSpec, scorerOptions);
    const fingerprint = {
      input: input.sha256,
      field,
      rate,
      rateField: v['rate-field'] ?? null,
      model: scorer.modelId,
      options,
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
      const scored = await scoreLingua2(
        records.map((r) => r[field] as string),
        scorer.tokenizer,
        scorer.classifier,
        options,
        scorer.modelId,
      );
      const out: JsonRecord[] = records.map((record, j) => ({
        ...record,
        ...selectLingua2(scored[j]!, rates[start + j]!, scorer.tokenizer),
      }));
      await writer.append(out);
      bar?.update(start + records.length);
    }
    bar?.stop();
    await writer.finish();
    await scorer.classifier.release();
    io.stderr.write(`Wrote ${total} records to ${v.out}.\n`);
    return 0;
  },
};
