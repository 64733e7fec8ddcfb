/**
 * The one description of `tokenskip compress`'s flags: its parser spec (`compressParseSpec`), the
 * scorer each flag belongs to (`flagsNotFor`, checked in ./compress.ts) and its help text
 * (`compressOptionsHelp`, in ./table.mjs) all come from `COMPRESS_FLAGS`. Plain JavaScript, like
 * the command table, so `tokenskip compress --help` needs no TypeScript loader.
 */

/**
 * @typedef {object} CompressFlag
 * @property {string} name            the flag without `--`
 * @property {'string' | 'boolean'} type
 * @property {string | boolean} [default]
 * @property {string} [arg]           the value's name in the help (`--rate γ`)
 * @property {string} [usage]         the help's left column when it is not `--name ARG`
 * @property {string[]} [help]        the help's right column, one entry a line; none: no line
 * @property {'llmlingua2' | 'causal'} [only]  the scorers it applies to (others refuse it)
 * @property {'options' | 'causal'} section    where the help lists it
 * @property {string[]} [note]        lines printed after it, indented by two spaces
 */

/** @type {readonly CompressFlag[]} */
export const COMPRESS_FLAGS = [
  {
    name: 'scorer',
    type: 'string',
    arg: 'NAME',
    section: 'options',
    help: [
      'llmlingua2 (default), cts (conditional token selection: log-prob gain',
      'from the condition under a reference LM) or ppl (reference LM perplexity)',
    ],
  },
  {
    name: 'rate',
    type: 'string',
    arg: 'γ',
    section: 'options',
    help: ['share of tokens to keep, in (0, 1] (default 0.5)'],
  },
  {
    name: 'rate-field',
    type: 'string',
    arg: 'NAME',
    section: 'options',
    help: ['take γ per record from this field instead (JSONL mode)'],
  },
  {
    name: 'rates',
    type: 'string',
    arg: 'γ,γ,...',
    section: 'options',
    help: [
      'JSONL mode: score each record once and write one file per γ; --out',
      'holds {rate} (e.g. compressed-{rate}.jsonl); each file is the same as',
      "a --rate γ run's",
    ],
  },
  {
    name: 'model',
    type: 'string',
    arg: 'ID|DIR',
    only: 'llmlingua2',
    section: 'options',
    help: ["manifest model id or model folder (default: the manifest's default)"],
  },
  { name: 'in', type: 'string', arg: 'FILE.jsonl', section: 'options', help: ['input records'] },
  {
    name: 'field',
    type: 'string',
    default: 'cot',
    arg: 'NAME',
    section: 'options',
    help: ['record field holding the text (default: cot)'],
  },
  {
    name: 'out',
    type: 'string',
    arg: 'FILE.jsonl',
    section: 'options',
    help: ['output file (written atomically; an interrupted run resumes)'],
  },
  {
    name: 'fresh',
    type: 'boolean',
    default: false,
    section: 'options',
    help: ['discard a partial output of an earlier run and start over'],
  },
  {
    name: 'limit',
    type: 'string',
    arg: 'N',
    section: 'options',
    help: ['compress only the first N records (every record is still checked)'],
  },
  {
    name: 'force-tokens',
    type: 'string',
    arg: 'LIST',
    only: 'llmlingua2',
    section: 'options',
    help: ['tokens always kept: comma-separated, or a JSON array (\\n = newline)'],
  },
  {
    name: 'force-reserve-digit',
    type: 'boolean',
    default: false,
    only: 'llmlingua2',
    section: 'options',
    help: ['keep every token that holds a digit'],
  },
  {
    name: 'drop-consecutive',
    type: 'boolean',
    default: false,
    only: 'llmlingua2',
    section: 'options',
    help: ['drop a force token repeating the previous one'],
  },
  {
    name: 'token-to-word',
    type: 'string',
    default: 'mean',
    arg: 'MODE',
    only: 'llmlingua2',
    section: 'options',
    help: ['mean (default) or first'],
  },
  {
    name: 'real-boundaries',
    type: 'boolean',
    default: false,
    only: 'llmlingua2',
    section: 'options',
    help: ["fix: feed <s>/</s> to XLM-R models instead of the reference's <unk>"],
  },
  {
    name: 'space-between-chunks',
    type: 'boolean',
    default: false,
    only: 'llmlingua2',
    section: 'options',
    help: ['fix: do not fuse the last and first words of adjacent chunks'],
  },
  {
    name: 'join-cjk',
    type: 'boolean',
    default: false,
    only: 'llmlingua2',
    section: 'options',
    help: ['fix: no spaces between Chinese characters in the output ("小明有5个")'],
  },
  {
    name: 'chinese-words',
    type: 'boolean',
    default: false,
    only: 'llmlingua2',
    section: 'options',
    help: ['fix: keep or drop Chinese by word (Intl.Segmenter), not by character'],
  },
  {
    name: 'keep-unknown',
    type: 'boolean',
    default: false,
    only: 'llmlingua2',
    section: 'options',
    help: ['fix: a word the vocabulary cannot spell keeps its characters (no [UNK])'],
    note: [
      'With the shipped mini scorer (the default model) the fixes above, --force-reserve-digit and',
      '--force-tokens +,-,*,/,= are on, as the TokenSkip-mini recipe compressed its training data;',
      "the real LLMLingua-2 models keep the reference's defaults.",
    ],
  },
  {
    name: 'batch-size',
    type: 'string',
    arg: 'N',
    only: 'llmlingua2',
    section: 'options',
    help: ['rows per model call (default 50)'],
  },
  {
    name: 'threads',
    type: 'string',
    arg: 'N',
    section: 'options',
    help: ['ONNX Runtime threads (default: cores, at most 4)'],
  },
  {
    name: 'onnx-file',
    type: 'string',
    arg: 'PATH',
    section: 'options',
    help: ['ONNX graph inside the model folder (default per manifest)'],
  },
  {
    name: 'text',
    type: 'boolean',
    default: false,
    section: 'options',
    help: ['stdin mode: print only the compressed text'],
  },
  {
    name: 'progress',
    type: 'boolean',
    usage: '--progress / --no-progress',
    section: 'options',
    help: ['force the progress bar on or off (default: on when stderr is a TTY)'],
  },
  { name: 'no-progress', type: 'boolean', section: 'options' },
  {
    name: 'ref-model',
    type: 'string',
    arg: 'DIR|ID',
    only: 'causal',
    section: 'causal',
    help: [
      'reference causal LM (required): a folder in the transformers.js layout',
      'or a registry id (causal-lm in `tokenskip models ls`, e.g. mini-base)',
    ],
  },
  {
    name: 'condition',
    type: 'string',
    arg: 'WHAT',
    only: 'causal',
    section: 'causal',
    help: ['CTS condition placed before the CoT: question (default), answer, both'],
  },
  {
    name: 'question',
    type: 'string',
    arg: 'TEXT',
    only: 'causal',
    section: 'causal',
    help: ['stdin mode: the question (CTS with question/both)'],
  },
  {
    name: 'answer',
    type: 'string',
    arg: 'TEXT',
    only: 'causal',
    section: 'causal',
    help: ['stdin mode: the answer (CTS with answer/both)'],
  },
  {
    name: 'question-field',
    type: 'string',
    default: 'question',
    arg: 'NAME',
    section: 'causal',
    help: ['JSONL mode: record field with the question (default: question)'],
  },
  {
    name: 'answer-field',
    type: 'string',
    default: 'answer',
    arg: 'NAME',
    section: 'causal',
    help: ['JSONL mode: record field with the answer (default: answer)'],
  },
  {
    name: 'window',
    type: 'string',
    arg: 'N',
    only: 'causal',
    section: 'causal',
    help: ['tokens per scoring window (default 1800)'],
  },
  {
    name: 'max-tokens',
    type: 'string',
    arg: 'N',
    only: 'causal',
    section: 'causal',
    help: ['CoT tokens scored; the rest is dropped, as the reference does (default 5000)'],
  },
  {
    name: 'selection',
    type: 'string',
    arg: 'MODE',
    only: 'causal',
    section: 'causal',
    help: [
      'reference (default: keep scores above the value at floor(N*γ)-1 per',
      'window) or exact (keep round(N*γ) per window)',
    ],
  },
];

/** `node:util` parseArgs options for compress. */
export function compressParseSpec() {
  /** @type {Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>} */
  const spec = {};
  for (const f of COMPRESS_FLAGS) {
    spec[f.name] =
      f.default === undefined ? { type: f.type } : { type: f.type, default: f.default };
  }
  return spec;
}

/**
 * The flags given in `values` (set to something other than their default) that belong to the
 * other scorers than `scorer`, in table order.
 * @param {Record<string, string | boolean | undefined>} values
 * @param {'llmlingua2' | 'causal'} scorer
 * @returns {string[]}
 */
export function flagsNotFor(values, scorer) {
  return COMPRESS_FLAGS.filter(
    (f) =>
      f.only !== undefined &&
      f.only !== scorer &&
      values[f.name] !== undefined &&
      values[f.name] !== (f.default ?? false),
  ).map((f) => f.name);
}

/** The help column where descriptions start. */
const COLUMN = 27;

/**
 * The help lines of one section.
 * @param {'options' | 'causal'} section
 * @returns {string}
 */
export function compressOptionsHelp(section) {
  const lines = [];
  for (const f of COMPRESS_FLAGS) {
    if (f.section !== section || !f.help) continue;
    const left = `  ${f.usage ?? `--${f.name}${f.arg ? ` ${f.arg}` : ''}`}`;
    const [first = '', ...rest] = f.help;
    lines.push(`${left.padEnd(COLUMN - 2)}  ${first}`);
    for (const line of rest) lines.push(`${' '.repeat(COLUMN)}${line}`);
    for (const line of f.note ?? []) lines.push(`  ${line}`);
  }
  return lines.join('\n');
}
