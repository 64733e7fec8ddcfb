/**
 * The light command table of `tokenskip`: name, one-line summary and full usage of every command,
 * in plain JavaScript so that `tokenskip --help`, `tokenskip help <command>`, `tokenskip <command>
 * --help` and `tokenskip --version` answer without loading TypeScript or any command's
 * implementation (bin/tokenskip.mjs reads this file directly). The implementations are loaded
 * lazily by `./index.ts` when a command runs. A new command gets its entry here and its loader in
 * `./index.ts`.
 */

import { readFileSync } from 'node:fs';
import { compressOptionsHelp } from './compress-flags.mjs';

/** Options every command takes, appended to each usage. */
export const COMMON_OPTIONS = `
Common options:
  --json                   print a machine-readable summary (JSON) on stdout; messages and
                           progress always go to stderr
  -h, --help               this help

Exit status: 0 done, 1 failed (bad input, I/O, the model), 2 bad command line (unknown option,
bad value). Secrets (API keys) come from the environment only: TOKENSKIP_API_KEY or OPENAI_API_KEY.
`;

/** @type {{ name: string; summary: string; usage: string }[]} */
export const commandTable = [
  {
    name: 'compress',
    summary: 'Compress a CoT (stdin) or a JSONL file with LLMLingua-2, CTS or perplexity',
    usage: `Usage: tokenskip compress [options]

Compresses a chain of thought with LLMLingua-2, CTS or perplexity: one text from stdin (prints the
result as JSON), or every record of a JSONL file (--in/--out; each output line keeps its fields and
adds compressed_prompt, origin_tokens, compressed_tokens, ratio, rate, word_labels).

Options:
${compressOptionsHelp('options')}

CTS and perplexity (--scorer cts|ppl):
${compressOptionsHelp('causal')}
  (LLMLingua-2-only options such as --force-tokens are rejected with these scorers.)
`,
  },
  {
    name: 'grade',
    summary: 'Grade model completions (GSM8K / MATH) as TokenSkip does',
    usage: `Usage: tokenskip grade --dataset gsm8k|math --in FILE.jsonl --out FILE.jsonl [--strict]

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
  --timeout-ms N         time limit of one symbolic comparison (default 1000)
`,
  },
  {
    name: 'report',
    summary:
      'Summarise graded runs: accuracy, ΔAcc, CoT tokens, ratio, speedup (JSON/CSV/Markdown)',
    usage: `Usage: tokenskip report --in RESULTS.jsonl [--in MORE.jsonl ...] [--out-json F] [--out-csv F] [--out-md F]

Summarises graded runs (lines written by 'tokenskip grade') in TokenSkip's terms and prints a
Markdown table in the layout of the paper's tables.

Each line needs "correct" (boolean). Used when present: "output" (its CoT, the text before
"\\n\\nThe final answer is:", is counted), "cot_tokens", "latency_s" (or "latency_ms"),
"decode_tokens_per_s", "id", "prediction".
Run fields "run", "model", "dataset", "method", "gamma" (default 1) and "original" (true for the
baseline) group lines into runs; lines without "run" form one run per file and metadata.
ΔAcc, ratio and speedup are measured against the baseline of the same model and dataset: the run
marked original, else method "Original", else the run with gamma 1.

Options:
  --in FILE          graded JSONL (repeatable; files may also be given as arguments)
  --out-json FILE    write the full report (per-sample records included)
  --out-csv FILE     write one CSV row per run
  --out-md FILE      write the Markdown table
  --tokenizer T      counts CoT tokens where lines lack "cot_tokens": cl100k (default), a
                     tokenizer.json file, or a folder holding one (the target model's tokenizer)
  --strict           stop at the first malformed line
`,
  },
  {
    name: 'collect',
    summary:
      'Collect correct CoT traces from the target model (OpenAI-compatible endpoints; resumable)',
    usage: `Usage: tokenskip collect --input FILE --model-dir DIR --endpoint URL [--endpoint URL ...] --out FILE [options]

  --input FILE          questions (JSONL: question, answer; optional id)
  --model-dir DIR       target model folder: tokenizer.json (CoT length) and config.json (chat format)
  --endpoint URL        OpenAI-compatible base URL (e.g. http://127.0.0.1:8000/v1), repeatable
  --onnx-model DIR      instead of endpoints: the in-process ONNX engine on this transformers.js folder
  --dataset D           gsm8k or math grading rules (default: math when lines have 'problem')
  --served-model NAME   model name the endpoints serve (default: the folder name)
  --concurrency N       in-flight requests per endpoint (default 4)
  --retries N           retries per sample, with exponential backoff (default 3)
  --backoff S           first backoff delay in seconds, doubled per retry (default 0.5)
  --timeout S           seconds per request (default 120)
  --max-tokens N        generation limit (default 512)
  --max-cot-tokens N    keep traces whose CoT has at most N target tokens (default 500)
  --limit N             only the first N questions
`,
  },
  {
    name: 'build',
    summary: 'Build tokenized TokenSkip training records (train/val + LLaMA-Factory JSON)',
    usage: `Usage: tokenskip build --model DIR --traces FILE [--compressed GAMMA:FILE ...] --out DIR [options]

  --model DIR          target model folder (config.json + tokenizer.json): tokenizer and chat format
  --traces FILE        collected traces (JSONL: question, answer, cot or output; optional id), used for γ = 1
  --compressed G:FILE  traces compressed at γ = G (JSONL with compressed_prompt), repeatable;
                       without it, lines carrying gamma + compressed_prompt are used as they are
  --assign-gamma       only add a seeded gamma to every trace and write them to --out (a file)
  --paired             with --assign-gamma: every trace once at every gamma (ids <id>@<gamma>), as the
                       paper builds its data; validation then holds out whole traces
  --gammas LIST        with --assign-gamma: the gammas to use (default 1,0.9,0.8,0.7,0.6,0.5; must hold 1)
  --out DIR            output folder
  --seed N             seed for the γ draw and the split (default 42)
  --val F              held-out fraction (default 0.1)
  --cutoff N           drop records longer than N tokens (default 2048)
  --force              rebuild even when the manifest says the output is up to date
`,
  },
  {
    name: 'train',
    summary: 'LoRA fine-tune on built records (PyTorch; resumable; --nproc for DDP)',
    usage: `Usage: tokenskip train --base DIR --data DIR --out DIR [options]

  --base DIR         HF model folder (config.json + safetensors)
  --data DIR         output of \`tokenskip build\` (train.jsonl, val.jsonl)
  --out DIR          run folder (checkpoints/, adapter/, manifest.json); re-run to resume
  --nproc N          data-parallel processes under torchrun (one per GPU)
  --python EXE       Python with PyTorch (default: TOKENSKIP_PYTHON or the first python3 that has torch)
  --no-resume        start over even if checkpoints exist
  --mode M           lora (default: adapters, base frozen) or full (every weight; writes <out>/model)
  Hyper-parameters (TokenSkip defaults): --epochs 3 --lr 5e-5 --batch 8 --micro-batch 1 --cutoff 2048
  --warmup 0.1 --rank 8 --alpha 16 --seed 42 --save-every 50 --max-steps 0 --precision auto --device auto --threads 2
`,
  },
  {
    name: 'merge',
    summary: 'Merge LoRA adapters (ours or PEFT layout) into the base weights',
    usage: `Usage: tokenskip merge --base DIR --adapter DIR --out DIR [--dtype float32|bfloat16|float16] [--force]

  --adapter DIR   adapter folder (adapter_config.json + adapter_model.safetensors) or a \`tokenskip train\` run folder
`,
  },
  {
    name: 'export',
    summary: 'Export a checkpoint for the browser: MLC (WebLLM) or ONNX (transformers.js)',
    usage: `Usage: tokenskip export mlc|onnx --model DIR --out DIR [options]

  mlc options:
    --quantization Q      q4f16_1 (needs shader-f16) or q4f32_1 (default q4f16_1)
    --model-id ID         WebLLM model_id (default: <folder>-<Q>-MLC)
    --model-url URL       where the output folder will be served: writes app-model-record.json (an
                          entry for \`models\` in models/manifest.json; /models/... works) and, for
                          an absolute URL, webllm-model-record.json (WebLLM appConfig.model_list).
                          WebLLM reads a model from <url>/resolve/main/ unless the URL has a
                          /resolve/<x>/ segment, so the weights are written to OUT/resolve/main/
                          (flat into OUT when --model-url already names such a segment)
    --model-lib URL       model library (.wasm); default: the prebuilt library web-llm uses for
                          Qwen2.5 0.5B/1.5B/3B/7B
    --context-window N    (default 4096)   --prefill-chunk N (default 1024)
  onnx options:
    --external-data       weights in onnx/model.onnx_data (automatic above 2 GB)
  --force                 convert again even when the manifest says the output is up to date
`,
  },
  {
    name: 'eval',
    summary: 'Benchmark a TokenSkip model over γ values (accuracy, CoT tokens, speedup)',
    usage: `Usage: tokenskip eval --input FILE --model-dir DIR --endpoint URL [...] --out FILE [options]

  --onnx-model DIR     instead of endpoints: the in-process ONNX engine on this transformers.js folder
  --dataset D          gsm8k or math grading rules (default: math when lines have 'problem')
  --gammas LIST        comma-separated γ values (default 1,0.9,0.8,0.7,0.6,0.5)
  --served-model NAME  --concurrency N (default 4)  --retries N (default 3)
  --timeout S (default 300)  --max-tokens N (default 512; 1024 for MATH)  --limit N
`,
  },
  {
    name: 'data',
    summary: 'Generate the TinyArith dataset (train/val/test JSONL) the mini models learn',
    usage: `Usage: tokenskip data arith --out DIR [options]

  --out DIR      folder for train.jsonl, val.jsonl and test.jsonl
  --seed N       base seed, 0 to 4294967295 (default 1)
  --train N      training problems (default 5000)
  --val N        validation problems (default 500)
  --test N       test problems (default 1000)
  --languages L  en, zh or en,zh: problems in these languages, in turn (default en,zh)
`,
  },
  {
    name: 'mini',
    summary:
      'Re-make the shipped mini models from scratch (data, pretrain, scorer, TokenSkip, eval)',
    usage: `Usage: tokenskip mini --out DIR [options]

  --out DIR        work folder (every step's output; re-run the same command to resume)
  --quick          tiny sizes: every step runs in minutes (what CI runs)
  --seed N         dataset seed (default 1)
  --device D       auto (default), cpu or cuda: where PyTorch trains
  --ship           copy base, TokenSkip model and scorer into models/mini/ when done
  --reuse-base DIR start from this base model (an ONNX export, e.g. models/mini/base) instead of
                   pretraining one: its weights are read back from the ONNX file, bit for bit, so
                   the TokenSkip steps re-run in minutes
  --recipe FILE    a JSON recipe (default: models/mini/recipe.json, "full" or "quick"); a file may
                   give only the settings it changes
  --threads N      CPU threads for PyTorch and onnxruntime (default 2)
`,
  },
  {
    name: 'models',
    summary: 'List, download, verify and remove the registry models (scorers, causal LMs)',
    usage: `Usage: tokenskip models ls | pull ID | rm ID | verify [ID] [options]

  ls                every model of the registry (models/manifest.json): id, kind, size,
                    backend:dtype, whether it is here (bundled, present, partial, missing) and how
                    its files are checked (verified: sha256 in the registry; hash recorded locally)
  pull ID           download a hub model into the store; an interrupted download resumes where it
                    stopped; every file is checked before it counts
  rm ID             delete a model's files from the store (recorded hashes are kept)
  verify [ID]       re-hash the files that are here (every model without ID); a store file that
                    fails is deleted

  --dir DIR         the model store (default: $TOKENSKIP_CACHE, else ~/.cache/tokenskip/models)
  --backend B       pull: only the files backend B needs (node, wasm or webgpu)

Environment: HF_ENDPOINT (hub base URL, e.g. a mirror; default https://huggingface.co), HF_TOKEN
(sent as an Authorization header for gated repos, never printed), TOKENSKIP_REGISTRY (a registry
file to use instead of the shipped one).
`,
  },
];

/** The full help of one command, or undefined for an unknown name. */
export function usageOf(name) {
  const entry = commandTable.find((c) => c.name === name);
  return entry ? entry.usage + COMMON_OPTIONS : undefined;
}

/** `tokenskip --help`: every command with its summary. */
export function mainHelp() {
  const width = commandTable.reduce((w, c) => Math.max(w, c.name.length), 0);
  const lines = commandTable.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return (
    `Usage: tokenskip <command> [options]\n\nCommands:\n${lines.join('\n')}\n\n` +
    `Run 'tokenskip help <command>' or 'tokenskip <command> --help' for a command's options;\n` +
    `'tokenskip --version' for the version.\n`
  );
}

/** A command's name, summary and full usage (common options included), for its module. */
export function commandInfo(name) {
  const entry = commandTable.find((c) => c.name === name);
  if (!entry) throw new Error(`no command '${name}' in the command table`);
  return { name: entry.name, summary: entry.summary, usage: entry.usage + COMMON_OPTIONS };
}

/** The version in package.json. */
export function version() {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
  return String(pkg.version);
}

/**
 * Answers `tokenskip`, `--help`, `--version`, `help [command]` and `<command> --help` from this
 * table alone; undefined when a command has to run.
 *
 * @param {string[]} argv
 * @returns {{ code: number; stdout?: string; stderr?: string } | undefined}
 */
export function quickAnswer(argv) {
  const [name, ...rest] = argv;
  if (name === undefined) return { code: 2, stdout: mainHelp() };
  if (name === '--help' || name === '-h') return { code: 0, stdout: mainHelp() };
  if (name === '--version' || name === '-v' || name === '-V') {
    return { code: 0, stdout: `${version()}\n` };
  }
  if (name === 'help') {
    if (rest[0] === undefined) return { code: 0, stdout: mainHelp() };
    const usage = usageOf(rest[0]);
    if (usage !== undefined) return { code: 0, stdout: usage };
    return { code: 2, stderr: unknownCommand(rest[0]) };
  }
  if (name.startsWith('-')) {
    return {
      code: 2,
      stderr: `tokenskip: unknown option '${name}'; options go after the command. Run 'tokenskip --help' for the commands.\n`,
    };
  }
  const usage = usageOf(name);
  if (usage === undefined) return undefined;
  const end = rest.indexOf('--');
  const flags = end < 0 ? rest : rest.slice(0, end);
  if (flags.includes('--help') || flags.includes('-h')) return { code: 0, stdout: usage };
  return undefined;
}

/** The one-line message for a command name that is not in the table. */
export function unknownCommand(name) {
  return `tokenskip: unknown command '${name}'. Run 'tokenskip --help' for the commands.\n`;
}
