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
import { createHash } from 'node:crypto';
import { createBar } from '../pipeline/progress.ts';
import { TokenSkipError, toTokenSkipError } from '../../core/errors.ts';
import {
  validateRate,
  validateText,
  type LinguaOptions,
} from '../../core/compression/llmlingua2.ts';
import {
  choiceOption,
  gammaListOption,
  gammaOption,
  optionalNumber,
  parseCommandArgs,
  usageErrors,
  UsageError,
} from '../args.ts';
import { warnIfFixture } from '../fixtures.ts';
import { checkOutputs, guardOutputs } from '../output.ts';
import { commandInfo } from './table.mjs';
import { DEFAULT_MODELS } from '../../core/models/registry.ts';
import {
  compressItems,
  scoreItems,
  selectItem,
  conditionFields,
  loadCausalCliScorer,
  loadLingua2CliScorer,
  parseCausalSettings,
  parseScorer,
  scoreInput,
  type CausalCliSettings,
  type CompressItem,
  type LoadedCliScorer,
} from './compress-scorers.ts';
import {
  readJsonlRecords,
  resumableSideFiles,
  ResumableJsonlWriter,
  type JsonRecord,
} from '../jsonl.ts';
import type { Command, CommandIO } from './types.ts';

function parseForceTokens(value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  if (value.trim().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || parsed.some((t) => typeof t !== 'string')) {
      throw new UsageError('--force-tokens as JSON must be an array of strings.');
    }
    return parsed as string[];
  }
  return value.split(',').map((t) => t.replaceAll('\\n', '\n').replaceAll('\\t', '\t'));
}

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

interface Values {
  [name: string]: string | boolean | undefined;
}

/** Checks every flag before any file is read; problems are UsageErrors (exit 2). */
function checkFlags(v: Values) {
  const str = (name: string) => v[name] as string | undefined;
  const scorerName = parseScorer(str('scorer'));
  const rate = gammaOption('--rate', str('rate') ?? '0.5');
  const rates = str('rates') !== undefined ? gammaListOption('--rates', str('rates')!) : undefined;
  if (rates) {
    if (v.rate !== undefined || v['rate-field'])
      throw new UsageError('--rates replaces --rate and --rate-field; give one of them.');
    if (!v.in || !v.out)
      throw new UsageError('--rates needs --in FILE.jsonl and --out with {rate} in it.');
    if (!String(v.out).includes('{rate}'))
      throw new UsageError(
        `--rates writes one file per γ: put {rate} in --out (e.g. --out compressed-{rate}.jsonl), got '${String(v.out)}'.`,
      );
  }
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
    ];
    const given = causalOnly.filter((name) => v[name] !== undefined);
    if (given.length > 0) {
      throw new UsageError(`--${given.join(', --')}: only for --scorer cts or ppl.`);
    }
  } else {
    const linguaOnly = ['force-tokens', 'model', 'batch-size'];
    const flags = [
      'force-reserve-digit',
      'drop-consecutive',
      'real-boundaries',
      'space-between-chunks',
      'join-cjk',
      'chinese-words',
      'keep-unknown',
    ];
    const given = [
      ...linguaOnly.filter((name) => v[name] !== undefined),
      ...flags.filter((name) => v[name]),
      ...(v['token-to-word'] !== 'mean' ? ['token-to-word'] : []),
    ];
    if (given.length > 0) {
      throw new UsageError(
        `--${given.join(', --')}: only for --scorer llmlingua2` +
          (given.includes('model') ? '; the CTS/perplexity model is --ref-model.' : '.'),
      );
    }
    causal = parseCausalSettings({
      scorer: scorerName,
      'ref-model': str('ref-model'),
      condition: str('condition'),
      window: str('window'),
      'max-tokens': str('max-tokens'),
      selection: str('selection'),
    });
  }
  // CTS needs the question and/or answer beside each text.
  const needs = scorerName === 'cts' && causal ? conditionFields(causal.options.condition) : [];
  const tokenToWord = choiceOption('--token-to-word', str('token-to-word'), [
    'mean',
    'first',
  ] as const);
  const batchSize = optionalNumber('--batch-size', str('batch-size'), { integer: true, min: 1 });
  const options: Partial<LinguaOptions> = {
    forceTokens: parseForceTokens(str('force-tokens')),
    forceReserveDigit: Boolean(v['force-reserve-digit']),
    dropConsecutive: Boolean(v['drop-consecutive']),
    tokenToWord,
    realBoundaries: Boolean(v['real-boundaries']),
    spaceBetweenChunks: Boolean(v['space-between-chunks']),
    joinCjk: Boolean(v['join-cjk']),
    chineseWords: Boolean(v['chinese-words']),
    keepUnknown: Boolean(v['keep-unknown']),
    ...(batchSize !== undefined ? { batchSize } : {}),
  };
  const threads = optionalNumber('--threads', str('threads'), { integer: true, min: 1 });
  const limit = optionalNumber('--limit', str('limit'), { integer: true, min: 1 });
  const scorerOptions = {
    threads,
    ...(str('onnx-file') ? { onnxFile: str('onnx-file')! } : {}),
  };
  if (!v.in) {
    if (v.out || v['rate-field'] || limit !== undefined)
      throw new UsageError('--out, --rate-field and --limit need --in FILE.jsonl.');
    if (v['question-field'] !== 'question' || v['answer-field'] !== 'answer')
      throw new UsageError(
        '--question-field and --answer-field need --in FILE.jsonl; on stdin use --question/--answer.',
      );
    for (const what of needs) {
      if (!str(what)?.trim())
        throw new UsageError(
          `--scorer cts --condition ${causal!.options.condition} needs --${what} TEXT on stdin input.`,
        );
    }
  } else if (!v.out) {
    throw new UsageError('--in needs --out FILE.jsonl for the results.');
  }
  return { scorerName, rate, rates, causal, needs, options, scorerOptions, limit };
}

/** The fields `compress` adds to each record; a resumed line must carry them. */
const RESULT_FIELDS = ['compressed_prompt', 'origin_tokens', 'compressed_tokens', 'ratio', 'rate'];

export const compressCommand: Command = {
  ...commandInfo('compress'),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values: v } = parseCommandArgs('compress', argv, {
      rate: { type: 'string' },
      rates: { type: 'string' },
      'rate-field': { type: 'string' },
      model: { type: 'string' },
      in: { type: 'string' },
      field: { type: 'string', default: 'cot' },
      out: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      limit: { type: 'string' },
      'force-tokens': { type: 'string' },
      'force-reserve-digit': { type: 'boolean', default: false },
      'drop-consecutive': { type: 'boolean', default: false },
      'token-to-word': { type: 'string', default: 'mean' },
      'real-boundaries': { type: 'boolean', default: false },
      'space-between-chunks': { type: 'boolean', default: false },
      'join-cjk': { type: 'boolean', default: false },
      'chinese-words': { type: 'boolean', default: false },
      'keep-unknown': { type: 'boolean', default: false },
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
    });
    const { scorerName, rate, rates, causal, needs, options, scorerOptions, limit } = usageErrors(
      () => checkFlags(v),
    );
    const loadScorer = (): Promise<LoadedCliScorer> => {
      if (scorerName === 'llmlingua2') {
        const model = v.model ?? DEFAULT_MODELS.scorer;
        warnIfFixture(io.stderr, v.model ? '--model' : 'the default scorer', model);
        return loadLingua2CliScorer(model, scorerOptions, options);
      }
      warnIfFixture(io.stderr, '--ref-model', causal!.refModel);
      return loadCausalCliScorer(scorerName, causal!, scorerOptions);
    };

    if (!v.in) {
      // `echo` and heredocs end with a newline the user did not mean as part of the CoT.
      const text = validateText((await readStdin(io.stdin)).replace(/\r?\n$/, ''), 'stdin');
      const loaded = await loadScorer();
      const [result] = await compressItems(loaded, [
        {
          text,
          rate,
          ...(v.question !== undefined ? { question: v.question } : {}),
          ...(v.answer !== undefined ? { answer: v.answer } : {}),
        },
      ]);
      await loaded.release();
      if (!result) throw new TokenSkipError('INTERNAL', 'The scorer returned no result.');
      io.stdout.write(v.text ? `${result.compressed_prompt}\n` : `${JSON.stringify(result)}\n`);
      return 0;
    }

    const inFile = v.in;
    const field = v.field;
    // One output per γ: `--rate` (or `--rate-field`) writes --out, `--rates` one file per γ.
    const targets = rates
      ? rates.map((g) => ({ out: v.out!.replaceAll('{rate}', String(g)), rate: g }))
      : [{ out: v.out!, rate }];
    // Every path this command reads: the input and the model folders.
    const inputs = [
      inFile,
      scorerName === 'llmlingua2' ? (v.model ?? DEFAULT_MODELS.scorer) : causal?.refModel,
    ];
    const outputs = targets.map(({ out }) => ({
      path: out,
      side: resumableSideFiles(out),
    }));
    await checkOutputs(outputs, inputs);
    // The input is streamed (bounded memory, whatever its size): one pass checks every record
    // before any work, so bad input leaves no output behind; the next passes do the work.
    const toItem = (record: JsonRecord, line: number): CompressItem => {
      const where = `${inFile}:${line}`;
      const text = validateText(record[field], `${where}: field '${field}'`);
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
      const item: CompressItem = {
        text,
        rate: v['rate-field']
          ? validateRate(record[v['rate-field']], `${where}: field '${v['rate-field']}'`)
          : rate,
      };
      for (const what of needs) item[what] = String(record[v[`${what}-field`]]);
      return item;
    };
    const hash = createHash('sha256');
    let count = 0;
    let fieldError: unknown;
    for await (const { record, line } of readJsonlRecords(inFile, {
      onChunk: (chunk) => hash.update(chunk),
    })) {
      // A malformed line anywhere is reported before a bad field (as when the file was parsed
      // whole first): the first field error is kept and thrown once every line has parsed.
      try {
        if (!fieldError) toItem(record, line);
      } catch (error) {
        fieldError = error;
      }
      count++;
    }
    if (fieldError) throw fieldError;
    const sha256 = hash.digest('hex');
    const total = limit === undefined ? count : Math.min(count, limit);
    /** The first `total` records of the input, streamed again. */
    const records = async function* () {
      let n = 0;
      if (total === 0) return;
      for await (const entry of readJsonlRecords(inFile)) {
        yield entry;
        if (++n >= total) return;
      }
    };
    return guardOutputs(outputs, inputs, async () => {
      const loaded = await loadScorer();
      // Input the model would reject (a CTS condition longer than the window) fails here, before
      // any output file exists.
      for await (const { record, line } of records()) {
        try {
          loaded.scorer.check(scoreInput(toItem(record, line)));
        } catch (error) {
          const e = toTokenSkipError(error);
          throw new TokenSkipError(e.code, `${inFile}:${line}: ${e.message}`);
        }
      }
      // Each file's job is the single-rate run's, so either run can resume the other's output.
      const fingerprint = (target: number) => ({
        input: sha256,
        field,
        rate: target,
        rateField: v['rate-field'] ?? null,
        ...(limit !== undefined ? { limit } : {}),
        model: loaded.scorer.model,
        ...loaded.settings,
        ...(needs.length > 0
          ? { questionField: v['question-field'], answerField: v['answer-field'] }
          : {}),
      });
      /**
       * A forward-only cursor over the input: `sourceAt(i)` moves to record i and keeps it, so
       * one pass serves a writer's resume check and then the work from where it stopped.
       */
      const cursor = () => {
        const input = records();
        let current: { index: number; record: JsonRecord; line: number } | undefined;
        let next = 0;
        return async (i: number) => {
          while (next <= i) {
            const step = await input.next();
            if (step.done) return undefined;
            current = { index: next++, ...step.value };
          }
          return current?.index === i ? current : undefined;
        };
      };
      const writers: ResumableJsonlWriter[] = [];
      for (const t of targets) {
        const sourceAt = cursor();
        // A kept line must be the output of its input record: every input field unchanged, the
        // result fields present.
        const matches = async (record: JsonRecord, i: number): Promise<boolean> => {
          const source = (await sourceAt(i))?.record;
          if (!source) return false;
          for (const [key, value] of Object.entries(source)) {
            if (RESULT_FIELDS.includes(key) || key === 'word_labels') continue;
            if (JSON.stringify(record[key]) !== JSON.stringify(value)) return false;
          }
          return (
            typeof record.compressed_prompt === 'string' &&
            typeof record.origin_tokens === 'number' &&
            typeof record.compressed_tokens === 'number' &&
            Array.isArray(record.word_labels)
          );
        };
        const writer = await ResumableJsonlWriter.open(
          t.out,
          fingerprint(t.rate),
          v.fresh,
          matches,
        );
        writers.push(writer);
        if (writer.repairedBytes > 0) {
          io.stderr.write(
            `${writer.partial}: ${writer.repairedBytes} bytes after record ${writer.done} did not match the input (a torn write, a duplicate or foreign lines); cut off, and redone from there.\n`,
          );
        }
        if (writer.done > 0)
          io.stderr.write(`Resuming ${t.out}: ${writer.done} of ${total} records already done.\n`);
      }
      const done = writers.reduce((n, w) => Math.min(n, w.done), Infinity);

      const showBar = v['no-progress']
        ? false
        : (v.progress ?? Boolean((io.stderr as NodeJS.WriteStream).isTTY));
      const bar = showBar
        ? createBar(io.stderr, 'compress', total, 'records | {eta_formatted} left', v.progress)
        : undefined;
      bar?.update(done);

      const sourceAt = cursor();
      const group = options.batchSize ?? 50;
      for (let start = done; start < total; start += group) {
        const batch: { record: JsonRecord; item: CompressItem }[] = [];
        for (let i = start; i < Math.min(start + group, total); i++) {
          const source = await sourceAt(i);
          if (!source) {
            throw new TokenSkipError(
              'INVALID_ARGUMENT',
              `${inFile} changed while it was being compressed (record ${i + 1} is gone); run again.`,
            );
          }
          batch.push({ record: source.record, item: toItem(source.record, source.line) });
        }
        // One scoring pass serves every γ: the scores do not depend on it.
        const scored = await scoreItems(
          loaded,
          batch.map((b) => b.item),
        );
        for (const [k, writer] of writers.entries()) {
          const rows: JsonRecord[] = batch
            .map(({ record, item }, j) => ({
              ...record,
              ...selectItem(loaded, scored[j]!, rates ? rates[k]! : item.rate),
            }))
            .filter((_, j) => start + j >= writer.done);
          if (rows.length > 0) await writer.append(rows);
        }
        bar?.update(start + batch.length);
      }
      bar?.stop();
      for (const writer of writers) await writer.finish();
      await loaded.release();
      for (const t of targets) io.stderr.write(`Wrote ${total} records to ${t.out}.\n`);
      const { modelCalls, scoreMs } = loaded.stats;
      if (rates && modelCalls > 0) {
        io.stderr.write(
          `Scored ${total - done} records once for ${rates.length} γ: ${modelCalls} ${loaded.callUnit}, ${(scoreMs / 1000).toFixed(1)} s; ` +
            `re-scoring per γ (as the reference does) would take ${modelCalls * rates.length} ${loaded.callUnit}, about ${((scoreMs * (rates.length - 1)) / 1000).toFixed(1)} s more.\n`,
        );
      }
      if (v.json) {
        io.stdout.write(
          `${JSON.stringify({
            out: targets.length === 1 ? targets[0]!.out : targets.map((t) => t.out),
            records: total,
            resumed: done,
            model: loaded.scorer.model,
            ...(rates
              ? { rates, modelCalls, modelCallsPerRateRescoring: modelCalls * rates.length }
              : {}),
          })}\n`,
        );
      }
      return 0;
    });
  },
};
