/**
 * The target model that `collect` and `eval` ask questions: the flags both take, checked the same
 * way, and the GenerationEngine they build (OpenAI-compatible endpoints, or the ONNX engine on
 * onnxruntime-node in process: the same contract as the pages and Benchmark), with the token
 * budget checked against the model before any question is asked.
 *
 *   const { values } = parseCommandArgs('eval', argv, { ...TARGET_MODEL_OPTIONS, timeout: {...} });
 *   const flags = targetModelFlags(values);
 *   const { info, format, engine, ask, ready } = await openTargetModel(flags);
 *   await ready();                         // loads (and checks) an in-process model once
 *   const output = await ask(prompt);      // engine.generate(prompt, { maxNewTokens, stop }).text
 */
import { TokenSkipError, toTokenSkipError } from '../../core/errors.ts';
import { checkMaxNewTokens, type GenerationEngine } from '../../core/generation/engine.ts';
import { PROMPT_FORMATS, chatFormatFor, familyOf } from '../../core/prompts/tokenskip-format.ts';
import { apiKeyFromEnv, intOption, numberOption, UsageError } from '../args.ts';
import { createNodeOnnxEngine } from '../../runtime/node/onnx-engine-node.ts';
import { createOpenAiEngine } from '../../runtime/engines/openai/openai-engine.ts';
import { manifestPathFor, sha256File } from './manifest.ts';
import { warnIfFixture } from '../fixtures.ts';
import { journalMetaPath } from '../jsonl.ts';
import { checkOutputs } from '../output.ts';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetOption } from './questions.ts';
import { loadModelInfo, type ModelInfo } from './tokenizer.ts';

/** The options `collect` and `eval` share (each adds its own `timeout` default and the rest). */
export const TARGET_MODEL_OPTIONS = {
  input: { type: 'string' as const },
  'model-dir': { type: 'string' as const },
  endpoint: { type: 'string' as const, multiple: true as const, default: [] as string[] },
  'onnx-model': { type: 'string' as const },
  dataset: { type: 'string' as const },
  'served-model': { type: 'string' as const },
  concurrency: { type: 'string' as const, default: '4' },
  retries: { type: 'string' as const, default: '3' },
  'max-tokens': { type: 'string' as const, default: '512' },
  limit: { type: 'string' as const },
  out: { type: 'string' as const },
};

interface TargetValues {
  input?: string | undefined;
  'model-dir'?: string | undefined;
  endpoint?: string[] | undefined;
  'onnx-model'?: string | undefined;
  dataset?: string | undefined;
  'served-model'?: string | undefined;
  concurrency: string;
  retries: string;
  timeout: string;
  'max-tokens': string;
  limit?: string | undefined;
  out?: string | undefined;
}

export interface TargetModelFlags {
  input: string;
  modelDir: string;
  out: string;
  endpoints: string[];
  onnxModel: string | undefined;
  servedModel: string | undefined;
  dataset: ReturnType<typeof datasetOption>;
  concurrency: number;
  retries: number;
  timeoutS: number;
  maxTokens: number;
  limit: number | undefined;
}

/** The shared flags, checked (a usage error names the flag). */
export function targetModelFlags(values: TargetValues): TargetModelFlags {
  const { input, out } = values;
  const modelDir = values['model-dir'];
  const endpoints = values.endpoint ?? [];
  if (!input || !modelDir || !out || (!endpoints.length && !values['onnx-model'])) {
    throw new UsageError(
      '--input, --model-dir, --out and one back-end (--endpoint or --onnx-model) are required.',
    );
  }
  return {
    input,
    modelDir,
    out,
    endpoints,
    onnxModel: values['onnx-model'],
    servedModel: values['served-model'],
    dataset: datasetOption(values.dataset),
    concurrency: intOption('--concurrency', values.concurrency),
    retries: intOption('--retries', values.retries, 0),
    timeoutS: numberOption('--timeout', values.timeout, { min: 0, minExclusive: true }),
    maxTokens: intOption('--max-tokens', values['max-tokens']),
    limit: values.limit === undefined ? undefined : intOption('--limit', values.limit),
  };
}

/**
 * Loads an engine once; an in-process model then answers one token from a tiny prompt, so a model
 * with corrupt weights (NaN logits, caught in the engine) is refused before the first real
 * question. Endpoints hold their model themselves: nothing to check before the first request.
 */
function readyOnce(engine: GenerationEngine, stop: string[], label: string): () => Promise<void> {
  let loaded: Promise<void> | undefined;
  return () =>
    (loaded ??= engine.load().then(async () => {
      if (engine.kind === 'openai') return;
      try {
        await engine.generate('1 + 1 =', { maxNewTokens: 1, stop });
      } catch (error) {
        const e = toTokenSkipError(error);
        throw new TokenSkipError(e.code, `Model check on load failed for '${label}': ${e.message}`);
      }
    }));
}

/** Reads the model folder, checks the token budget against it, and builds the engine. */
export async function openTargetModel(
  flags: TargetModelFlags,
  extra: { backoffMs?: number } = {},
): Promise<{
  info: ModelInfo;
  format: ReturnType<typeof chatFormatFor>;
  engine: GenerationEngine;
  /** Loads (and checks) the model once; every `ask` waits for it. */
  ready: () => Promise<void>;
  /** One greedy answer within --max-tokens, stopping at the format's end of turn. */
  ask: (prompt: string) => Promise<string>;
}> {
  const info = await loadModelInfo(flags.modelDir);
  const format = chatFormatFor(String(info.config.model_type));
  // The budget must fit the model before any question is asked (whatever serves it).
  const positions = info.config.max_position_embeddings;
  checkMaxNewTokens(
    flags.maxTokens,
    typeof positions === 'number' ? positions : undefined,
    `${flags.modelDir} (its config.json)`,
    '--max-tokens',
  );
  const engine: GenerationEngine = flags.onnxModel
    ? createNodeOnnxEngine(flags.onnxModel)
    : createOpenAiEngine({
        endpoints: flags.endpoints,
        model: flags.servedModel ?? flags.modelDir.replace(/\/+$/, '').split('/').pop()!,
        apiKey: apiKeyFromEnv(),
        concurrency: flags.concurrency,
        retries: flags.retries,
        timeoutMs: flags.timeoutS * 1000,
        ...extra,
      });
  const stop = PROMPT_FORMATS[familyOf(format)].stop;
  const ready = readyOnce(engine, stop, flags.onnxModel ?? flags.modelDir);
  const ask = async (prompt: string) => {
    await ready();
    return (await engine.generate(prompt, { maxNewTokens: flags.maxTokens, stop })).text;
  };
  return { info, format, engine, ready, ask };
}

/** sha256 of every file in a model folder (a few levels deep), by relative path; absent: {}. */
async function folderHashes(dir: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  const walk = async (sub: string, depth: number): Promise<void> => {
    const entries = await readdir(join(dir, sub), { withFileTypes: true }).catch(() => []);
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory() && depth < 3) await walk(rel, depth + 1);
      else if (e.isFile()) hashes[rel] = await sha256File(join(dir, rel));
    }
  };
  if ((await stat(dir).catch(() => undefined))?.isDirectory()) await walk('', 0);
  return hashes;
}

/**
 * What produced a `collect` / `eval` journal (./../jsonl.ts `openJournal`): the input file's
 * sha256, the model (its tokenizer and config by hash; the ONNX folder by hash, or the served
 * name and endpoints, credentials removed), --limit and the settings that change answers.
 */
export async function targetFingerprint(
  flags: TargetModelFlags,
  settings: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const hash = async (path: string) => sha256File(path).catch(() => null);
  return {
    input: await hash(flags.input),
    tokenizer: await hash(join(flags.modelDir, 'tokenizer.json')),
    config: await hash(join(flags.modelDir, 'config.json')),
    model: flags.onnxModel
      ? { onnx: await folderHashes(flags.onnxModel) }
      : // Endpoints may come and go between runs; the served model is what answers.
        { served: flags.servedModel ?? flags.modelDir.replace(/\/+$/, '').split('/').pop() },
    limit: flags.limit ?? null,
    dataset: flags.dataset ?? null,
    maxTokens: flags.maxTokens,
    ...settings,
  };
}

/**
 * The output guard of a journaled run (`collect`, `eval`): --out with its journal, the journal's
 * fingerprint and the manifest as side files, checked against everything the run reads, before
 * any work; fixture models get their warning.
 */
export async function checkJournaledRun(flags: TargetModelFlags, stderr: NodeJS.WritableStream) {
  const { input, out, modelDir } = flags;
  const journal = `${out}.journal.jsonl`;
  const outputs = [
    {
      path: out,
      side: [
        [journal, 'journal'],
        [journalMetaPath(journal), 'journal fingerprint'],
        [manifestPathFor(out), 'manifest'],
      ] as const,
    },
  ];
  const inputs = [input, modelDir, flags.onnxModel];
  await checkOutputs(outputs, inputs);
  warnIfFixture(stderr, '--model-dir', modelDir);
  if (flags.onnxModel) warnIfFixture(stderr, '--onnx-model', flags.onnxModel);
  return { journal, outputs, inputs };
}
