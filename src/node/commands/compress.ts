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
import { validateText, type LinguaOptions } from '../../core/compression/llmlingua2.ts';
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
import { toGamma } from '../../core/prompts/gamma.ts';
import { compressParseSpec, flagsNotFor } from './compress-flags.mjs';
import { DEFAULT_MODELS } from '../../core/models/registry.ts';
import {
  compressItems,
  ScoreOnce,
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
  const gamma = gammaOption('--rate', str('rate') ?? '0.5');
  const gammas = str('rates') !== undefined ? gammaListOption('--rates', str('rates')!) : undefined;
  if (gammas) {
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
    const given = flagsNotFor(v, 'llmlingua2');
    if (given.length > 0) {
      throw new UsageError(`--${given.join(', --')}: only for --scorer cts or ppl.`);
    }
  } else {
    const given = flagsNotFor(v, 'causal');
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
  return {
    scorerName,
    gamma,
    gammas,
    causal,
    needs,
    options,
    scorerOptions,
    limit,
    model: str('model'),
    inFile: str('in'),
    out: str('out'),
    field: str('field') ?? 'cot',
    rateField: str('rate-field'),
    fresh: Boolean(v.fresh),
    text: Boolean(v.text),
    json: Boolean(v.json),
    progress: v['no-progress'] ? false : (v.progress as boolean | undefined),
    forceProgress: v.progress as boolean | undefined,
    question: str('question'),
    answer: str('answer'),
    questionField: str('question-field') ?? 'question',
    answerField: str('answer-field') ?? 'answer',
  };
}

/** A checked command line. */
type Plan = ReturnType<typeof checkFlags>;

/** Loads the scorer the plan names (warning when it is a test fixture). */
function loadScorer(plan: Plan, io: CommandIO): Promise<LoadedCliScorer> {
  if (plan.scorerName === 'llmlingua2') {
    const model = plan.model ?? DEFAULT_MODELS.scorer;
    warnIfFixture(io.stderr, plan.model ? '--model' : 'the default scorer', model);
    return loadLingua2CliScorer(model, plan.scorerOptions, plan.options);
  }
  warnIfFixture(io.stderr, '--ref-model', plan.causal!.refModel);
  return loadCausalCliScorer(plan.scorerName, plan.causal!, plan.scorerOptions);
}

/** stdin mode: one text in, its result (JSON, or the text with --text) on stdout. */
async function compressStdin(plan: Plan, io: CommandIO): Promise<number> {
  // `echo` and heredocs end with a newline the user did not mean as part of the CoT.
  const text = validateText((await readStdin(io.stdin)).replace(/\r?\n$/, ''), 'stdin');
  const loaded = await loadScorer(plan, io);
  const [result] = await compressItems(loaded, [
    {
      text,
      gamma: plan.gamma,
      ...(plan.question !== undefined ? { question: plan.question } : {}),
      ...(plan.answer !== undefined ? { answer: plan.answer } : {}),
    },
  ]);
  await loaded.release();
  if (!result) throw new TokenSkipError('INTERNAL', 'The scorer returned no result.');
  io.stdout.write(plan.text ? `${result.compressed_prompt}\n` : `${JSON.stringify(result)}\n`);
  return 0;
}

/** The fields `compress` adds to each record; a resumed line must carry them. */
const RESULT_FIELDS = ['compressed_prompt', 'origin_tokens', 'compressed_tokens', 'ratio', 'rate'];

export const compressCommand: Command = {
  ...commandInfo('compress'),
  async run(argv: string[], io: CommandIO): Promise<number> {
    const { values } = parseCommandArgs('compress', argv, compressParseSpec());
    const plan = usageErrors(() => checkFlags(values));
    return plan.inFile === undefined ? compressStdin(plan, io) : compressJsonl(plan, io);
  },
};

/**
 * JSONL mode: every record of --in to --out (one file per γ with --rates), resumable. Each
 * distinct text is scored once, whatever its γ (--rate, --rates or --rate-field).
 */
async function compressJsonl(plan: Plan, io: CommandIO): Promise<number> {
  const { scorerName, gamma, gammas, causal, needs, options, limit, field } = plan;
  const inFile = plan.inFile!;
  // One output per γ: `--rate` (or `--rate-field`) writes --out, `--rates` one file per γ.
  const targets = gammas
    ? gammas.map((g) => ({ out: plan.out!.replaceAll('{rate}', String(g)), gamma: g }))
    : [{ out: plan.out!, gamma }];
  // Every path this command reads: the input and the model folders.
  const inputs = [
    inFile,
    scorerName === 'llmlingua2' ? (plan.model ?? DEFAULT_MODELS.scorer) : causal?.refModel,
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
      const name = what === 'question' ? plan.questionField : plan.answerField;
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
      gamma: plan.rateField
        ? toGamma(record[plan.rateField], `${where}: field '${plan.rateField}'`)
        : gamma,
    };
    for (const what of needs)
      item[what] = String(record[what === 'question' ? plan.questionField : plan.answerField]);
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
    const loaded = await loadScorer(plan, io);
    // Input the model would reject (a CTS condition longer than the window) fails here, before
    // any output file exists.
    // The same pass notes where each distinct input last occurs, so it is scored once.
    const reuse = new ScoreOnce(loaded);
    let index = 0;
    for await (const { record, line } of records()) {
      try {
        const item = toItem(record, line);
        reuse.see(item, index++);
        loaded.scorer.check(scoreInput(item));
      } catch (error) {
        const e = toTokenSkipError(error);
        throw new TokenSkipError(e.code, `${inFile}:${line}: ${e.message}`);
      }
    }
    // Each file's job is the single-rate run's, so either run can resume the other's output.
    const fingerprint = (target: number) => ({
      input: sha256,
      field,
      rate: target, // the key of earlier releases' fingerprints: their partial outputs resume
      rateField: plan.rateField ?? null,
      ...(limit !== undefined ? { limit } : {}),
      model: loaded.scorer.model,
      ...loaded.settings,
      ...(needs.length > 0
        ? { questionField: plan.questionField, answerField: plan.answerField }
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
        fingerprint(t.gamma),
        plan.fresh,
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

    const showBar = plan.progress ?? Boolean((io.stderr as NodeJS.WriteStream).isTTY);
    const bar = showBar
      ? createBar(
          io.stderr,
          'compress',
          total,
          'records | {eta_formatted} left',
          plan.forceProgress,
        )
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
      // One scoring pass serves every γ (the scores do not depend on it), and each distinct input
      // is scored once in the run.
      const scored = await reuse.score(
        batch.map((b) => b.item),
        start,
      );
      for (const [k, writer] of writers.entries()) {
        const rows: JsonRecord[] = batch
          .map(({ record, item }, j) => ({
            ...record,
            ...selectItem(loaded, scored[j]!, gammas ? gammas[k]! : item.gamma),
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
    const { modelCalls, scoreMs, textsScored } = loaded.stats;
    if (gammas && modelCalls > 0) {
      io.stderr.write(
        `Scored ${total - done} records once for ${gammas.length} γ: ${modelCalls} ${loaded.callUnit}, ${(scoreMs / 1000).toFixed(1)} s; ` +
          `re-scoring per γ (as the reference does) would take ${modelCalls * gammas.length} ${loaded.callUnit}, about ${((scoreMs * (gammas.length - 1)) / 1000).toFixed(1)} s more.\n`,
      );
    }
    if (textsScored < total - done) {
      io.stderr.write(
        `Scored ${textsScored} distinct texts for ${total - done} records: each text once, whatever its γ.\n`,
      );
    }
    if (plan.json) {
      io.stdout.write(
        `${JSON.stringify({
          out: targets.length === 1 ? targets[0]!.out : targets.map((t) => t.out),
          records: total,
          resumed: done,
          model: loaded.scorer.model,
          textsScored,
          modelCalls,
          ...(gammas
            ? { rates: gammas, modelCallsPerRateRescoring: modelCalls * gammas.length }
            : {}),
        })}\n`,
      );
    }
    return 0;
  });
}
