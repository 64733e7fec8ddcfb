/**
 * `tokenskip mini`: re-makes the shipped mini model pair from nothing, with the project's own
 * pipeline, and prints the paper-style table.
 *
 *   tokenskip mini --out work/mini                  # the full recipe (about 2 h on 2 CPU cores)
 *   tokenskip mini --out work/mini-quick --quick    # every step, tiny sizes (minutes; CI)
 *   tokenskip mini --out work/mini --ship           # then copy the results into models/mini/
 *
 * Steps (each skipped when its marker in <out>/steps/ says it finished with the same settings;
 * `train` and `collect` also resume mid-way from their own checkpoints and journals):
 *   data -> tokenizer -> init -> pretrain (full-parameter) -> base ONNX -> collect (base model
 *   answers the training questions, wrong traces dropped) -> scorer vocab -> teacher labels (CTS
 *   of the base model) -> scorer (distilled token classifier) -> scorer quality -> assign γ ->
 *   compress (mini scorer) -> build -> LoRA -> merge -> TokenSkip ONNX -> eval -> table.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command, CommandIO } from './types.ts';
import { TokenSkipError } from '../../core/errors.ts';
import { UsageError, parseCommandArgs, writeSummary } from '../args.ts';
import { commandInfo } from './table.mjs';
import {
  findPython,
  runTrainerModule,
  type PythonInfo,
  type TrainerModule,
} from '../pipeline/python.ts';
import { writeAtomic } from '../pipeline/manifest.ts';
import { guardChild } from '../pipeline/child-guard.ts';
import { changedOutputs, hashOutputs, type OutputHashes } from '../pipeline/output-hashes.ts';
import { readJsonl } from '../pipeline/records.ts';
import type { ArithLanguage } from '../../core/datasets/arith.ts';
import type { Condition } from '../../core/scoring/types.ts';
import { MINI_COMPRESSION } from '../../core/models/mini-compression.ts';
import { annotatorLabels, distilLabels, measureScorer } from '../pipeline/mini-scorer.ts';
import { miniTable, tableMarkdown, type MiniTable } from '../pipeline/mini-table.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = join(ROOT, 'bin', 'tokenskip.mjs');

/**
 * Sizes and hyper-parameters of a recipe: data, in `models/mini/recipe.json` ("full" and "quick"),
 * chosen from measurements (models/mini/README.md); `--recipe FILE` overrides any of them.
 */
export interface Recipe {
  /** TinyArith's languages, in turn (the app teaches in English and Chinese). */
  languages: ArithLanguage[];
  pretrainProblems: number;
  collectProblems: number;
  testProblems: number;
  /**
   * `maxCjkChars`: the longest BPE token in Chinese characters (0: no limit). Unlimited, BPE on
   * templated Chinese learns whole clauses as tokens, and a compressed CoT then re-tokenizes into
   * pieces the model never saw (see tokenskip_trainer/bpe.py).
   */
  tokenizer: { maxCjkChars: number };
  model: { layers: number; hidden: number; heads: number; kvHeads: number; intermediate: number };
  /** `maxSteps`: stop there (0 = the whole epoch); the cosine schedule still spans the epoch. */
  pretrain: { epochs: number; lr: number; batch: number; maxSteps: number };
  /**
   * `teacher`: who labels the scorer's training words. `roles`: the TinyArith annotator
   * (src/core/datasets/arith-annotator.ts) on `records` generated problems that use no held-out
   * phrasing; a CTS condition: the base model's CTS scores of the collected CoTs, top `keepShare`
   * kept (the first release's teacher). `commonCjk`: the vocabulary also holds the 3,755 common
   * Chinese characters.
   */
  scorer: {
    teacher: 'roles' | Condition;
    records: number;
    commonCjk: boolean;
    hidden: number;
    layers: number;
    heads: number;
    epochs: number;
    keepShare: number;
  };
  /** `paired`: every trace at every γ of `gammas` (the paper's data), else one seeded γ per trace. */
  data: { paired: boolean; gammas: number[] };
  /** `maxSteps`: stop there (0 = every epoch), as pretraining does; the cosine still spans `epochs`. */
  lora: {
    epochs: number;
    lr: number;
    batch: number;
    rank: number;
    alpha: number;
    maxSteps: number;
  };
  /** A model folder (repo-relative) that answers the collect questions instead of the new base. */
  collectWith?: string;
}

export const RECIPE_FILE = join(ROOT, 'models', 'mini', 'recipe.json');

/** The recipes of `models/mini/recipe.json`. */
export async function readRecipes(file = RECIPE_FILE): Promise<{ full: Recipe; quick: Recipe }> {
  return JSON.parse(await readFile(file, 'utf8')) as { full: Recipe; quick: Recipe };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `base` with the settings of `override` (a partial recipe, as a `--recipe` file gives it). Keys
 * the recipe does not have are refused, so a misspelt setting is not silently ignored.
 */
export function overrideRecipe(base: Recipe, override: unknown, where: string): Recipe {
  const merge = (b: unknown, o: unknown, path: string): unknown => {
    if (!isObject(o)) return o;
    if (!isObject(b))
      throw new UsageError(`${where}: ${path || 'the recipe'} is not a group of settings.`);
    const out: Record<string, unknown> = { ...b };
    for (const [k, v] of Object.entries(o)) {
      const at = path ? `${path}.${k}` : k;
      if (!(k in b) && k !== 'collectWith')
        throw new UsageError(
          `${where}: unknown recipe setting '${at}' (see models/mini/recipe.json).`,
        );
      out[k] = merge(b[k], v, at);
    }
    return out;
  };
  return merge(base, override, '') as Recipe;
}

export const GAMMA_LIST = [1, 0.9, 0.8, 0.7, 0.6, 0.5];

/** How the training CoTs are compressed (src/core/models/mini-compression.ts). */
export const COMPRESSION = MINI_COMPRESSION;

export interface Ctx {
  out: string;
  io: CommandIO;
  py: PythonInfo;
  recipe: Recipe;
  seed: number;
  device: string;
  threads: number;
  /** Key of the last step run or skipped (see `step`). */
  chain: string;
  /** Whether a step has run in this invocation. */
  ran?: boolean;
  /** `--reuse-base`: an ONNX base model folder to start from instead of pretraining. */
  reuseBase?: string;
}

function say(ctx: Ctx, text: string): void {
  ctx.io.stderr.write(`mini: ${text}\n`);
}

/** Runs `tokenskip <args>` in a child process; its stderr is shown, its stdout returned. */
function cli(ctx: Ctx, args: string[]): Promise<string> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    // A killed mini ends its step too (signals forwarded; a watchdog for kill -9).
    const unguard = guardChild(child);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => ctx.io.stderr.write(d));
    child.on('error', rej);
    child.on('close', (code) => {
      unguard();
      if (code === 0) res(stdout);
      else
        rej(
          new TokenSkipError(
            'INTERNAL',
            `step \`tokenskip ${args.slice(0, 2).join(' ')}\` failed (exit ${code}); fix the cause and run the same command again to resume.`,
          ),
        );
    });
  });
}

async function python(ctx: Ctx, module: TrainerModule, args: string[]): Promise<void> {
  const r = await runTrainerModule(ctx.py, module, args, {
    stderr: ctx.io.stderr,
    onEvent: (e) => {
      if (e.event === 'done' || e.event === 'epoch' || e.event === 'vocab' || e.event === 'start')
        say(ctx, `${module}: ${JSON.stringify(e)}`);
    },
  });
  if (r.code !== 0) {
    throw new TokenSkipError(
      'INTERNAL',
      `tokenskip_trainer.${module} failed (exit ${r.code}): ${r.lastError ?? 'see the messages above'}.`,
    );
  }
}

/**
 * One resumable step. Its key hashes its settings together with the keys of every step before it,
 * so a change anywhere re-runs everything downstream. Skipped when `<out>/steps/<name>.json` holds
 * the same key; the marker is written only after the step finished, so an interrupted step runs
 * again and the commands that can (train, collect, eval) resume inside it. A step whose marker
 * has another key made its `outputs` from other inputs: they are deleted first, so nothing stale
 * (a LoRA checkpoint, an eval journal) is resumed.
 */
async function step(
  ctx: Ctx,
  name: string,
  settings: unknown,
  outputs: string[],
  run: () => Promise<unknown>,
): Promise<void> {
  const marker = join(ctx.out, 'steps', `${name}.json`);
  const key = createHash('sha256')
    .update(`${ctx.chain}\n${name}\n${JSON.stringify(settings)}`)
    .digest('hex');
  ctx.chain = key;
  let before: OutputHashes | undefined;
  if (existsSync(marker)) {
    const prev = JSON.parse(await readFile(marker, 'utf8')) as {
      key?: string;
      chained?: boolean;
      settings?: unknown;
      outputs?: OutputHashes;
    };
    before = prev.outputs;
    // Markers of the first release hashed only their own settings: adopt one while nothing
    // upstream has run in this invocation and its settings are unchanged.
    const legacy =
      !prev.chained && !ctx.ran && JSON.stringify(prev.settings) === JSON.stringify(settings);
    // The marker vouches for the outputs only as they were when the step finished (their
    // hashes): a file deleted, truncated or edited since, or an upstream step that made other
    // outputs in this invocation, runs the step again.
    const changed = prev.outputs ? await changedOutputs(ctx.out, prev.outputs) : [];
    const upstream = upstreamChanged.has(ctx);
    if ((prev.key === key || legacy) && changed.length === 0 && !upstream) {
      // Markers written before outputs were hashed record them now (trusted as they are).
      if (legacy || !prev.outputs)
        await writeAtomic(
          marker,
          `${JSON.stringify({ ...prev, key, chained: true, outputs: await hashOutputs(ctx.out, outputs) }, null, 1)}\n`,
        );
      say(ctx, `${name}: done already`);
      return;
    }
    if (changed.length > 0 && (prev.key === key || legacy)) {
      say(
        ctx,
        `${name}: ${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ` and ${changed.length - 3} more` : ''} changed since the step finished; running it again`,
      );
    } else if (upstream && (prev.key === key || legacy)) {
      say(ctx, `${name}: an earlier step made other outputs; running it again`);
    }
    for (const o of outputs) await rm(join(ctx.out, o), { recursive: true, force: true });
    await rm(marker, { force: true });
  }
  say(ctx, `${name} ...`);
  ctx.ran = true;
  const t0 = performance.now();
  const result = await run();
  const seconds = Math.round((performance.now() - t0) / 100) / 10;
  const hashes = await hashOutputs(ctx.out, outputs);
  // Outputs that differ from the ones the last run of this step made: every later step runs again.
  if (before && JSON.stringify(before) !== JSON.stringify(hashes)) upstreamChanged.add(ctx);
  await writeAtomic(
    marker,
    `${JSON.stringify({ key, chained: true, settings, seconds, result, outputs: hashes }, null, 1)}\n`,
  );
  say(ctx, `${name}: ${seconds} s`);
}

/** Pipelines (by context) in which a re-run step made outputs other than its previous ones. */
const upstreamChanged = new WeakSet<Ctx>();

function p(ctx: Ctx, ...parts: string[]): string {
  return join(ctx.out, ...parts);
}

/**
 * The base model from an ONNX export of ours (the shipped `models/mini/base`): its weights are read
 * back from the ONNX initializers (tokenskip_trainer.from_onnx; re-exporting them gives the same
 * file byte for byte), so the TokenSkip steps re-run without pretraining again.
 */
function checkReuseBase(dir: string): void {
  if (!existsSync(join(dir, 'onnx', 'model.onnx')) || !existsSync(join(dir, 'config.json'))) {
    throw new UsageError(
      `--reuse-base ${dir}: expected an ONNX export of ours (config.json and onnx/model.onnx), e.g. models/mini/base.`,
    );
  }
}

/** What a step reads and writes, relative to the output folder. */
export interface MiniStep {
  name: string;
  /** Files or folders it reads: outputs of earlier steps (or `models/mini/...`, the shipped models). */
  inputs: (ctx: Ctx) => string[];
  /** Files or folders it writes: hashed into its marker, deleted before it runs again. */
  outputs: string[];
  /** The settings in its key (see `step`): a change runs it and every later step again. */
  settings: (ctx: Ctx) => unknown;
  run: (ctx: Ctx) => Promise<unknown>;
  /** Steps for one way of getting the base model only (pretraining, or `--reuse-base`). */
  when?: (ctx: Ctx) => boolean;
}

const threadsOf = (ctx: Ctx) => String(ctx.threads);
/** `--device`, unless auto. */
const deviceFlag = (ctx: Ctx) => (ctx.device === 'auto' ? undefined : ctx.device);

type Flags = Record<string, string | number | boolean | undefined>;

/**
 * A command line's flags from an object, in its key order: `{ out: 'x', force: true }` is
 * `--out x --force`; false and undefined leave a flag out.
 */
export function flags(values: Flags): string[] {
  return Object.entries(values).flatMap(([name, value]) =>
    value === undefined || value === false
      ? []
      : value === true
        ? [`--${name}`]
        : [`--${name}`, String(value)],
  );
}
const pretraining = (ctx: Ctx) => !ctx.reuseBase;
/** The base model (PyTorch): pretrained here, or read back from `--reuse-base`. */
const baseModel = (ctx: Ctx) => p(ctx, 'pretrain', 'model');
/** The quick recipe's base model is too small to answer anything, so it collects with the shipped mini
 * base model: every later step still runs on real traces. */
const collector = (ctx: Ctx) =>
  ctx.recipe.collectWith ? join(ROOT, ctx.recipe.collectWith) : undefined;
const testFlags = (ctx: Ctx) => ({
  input: p(ctx, 'data', 'test.jsonl'),
  limit: ctx.recipe.testProblems,
  dataset: 'gsm8k',
  'max-tokens': 256,
});

/** A step that is one `tokenskip` command with no settings of its own (they are all upstream). */
function commandStep(
  name: string,
  io: { inputs: string[]; outputs: string[]; when?: (ctx: Ctx) => boolean },
  command: string[],
  values: (ctx: Ctx) => Flags,
): MiniStep {
  return {
    name,
    ...io,
    inputs: () => io.inputs,
    settings: () => ({}),
    run: (ctx) => cli(ctx, [...command, ...flags(values(ctx))]),
  };
}

/**
 * The mini pipeline, in order: data -> (tokenizer -> init -> pretrain -> base ONNX, or the reused
 * base) -> collect -> scorer -> compress -> build -> LoRA -> merge -> export -> eval. `runMini`
 * runs each through `step`, so the order, names and settings are the resume keys of earlier runs.
 */
export const MINI_STEPS: readonly MiniStep[] = [
  {
    name: 'data',
    inputs: () => [],
    outputs: ['data'],
    settings: (ctx) => ({
      seed: ctx.seed,
      n: ctx.recipe.pretrainProblems,
      languages: ctx.recipe.languages.join(','),
    }),
    run: (ctx) =>
      cli(ctx, [
        'data',
        'arith',
        ...flags({
          out: p(ctx, 'data'),
          seed: String(ctx.seed),
          train: String(ctx.recipe.pretrainProblems),
          languages: ctx.recipe.languages.join(','),
        }),
      ]),
  },
  {
    name: 'reuse-base',
    when: (ctx) => !pretraining(ctx),
    inputs: (ctx) => [ctx.reuseBase!],
    outputs: ['pretrain', 'base-onnx'],
    settings: async (ctx) => ({
      sha256: createHash('sha256')
        .update(await readFile(join(ctx.reuseBase!, 'onnx', 'model.onnx')))
        .digest('hex'),
    }),
    run: async (ctx) => {
      const dir = ctx.reuseBase!;
      await python(ctx, 'from_onnx', ['--onnx', dir, '--out', p(ctx, 'pretrain', 'model')]);
      await cp(dir, p(ctx, 'base-onnx'), {
        recursive: true,
        filter: (src) => !/\.partial$/.test(src),
      });
    },
  },
  {
    name: 'tokenizer',
    when: pretraining,
    inputs: () => ['data'],
    outputs: ['tokenizer'],
    settings: (ctx) => ctx.recipe.tokenizer,
    run: (ctx) =>
      python(ctx, 'mini_tokenizer', [
        ...flags({
          data: p(ctx, 'data', 'train.jsonl'),
          out: p(ctx, 'tokenizer'),
          'max-cjk-chars': String(ctx.recipe.tokenizer.maxCjkChars),
        }),
      ]),
  },
  {
    name: 'init',
    when: pretraining,
    inputs: () => ['tokenizer'],
    outputs: ['init'],
    settings: (ctx) => ctx.recipe.model,
    run: (ctx) => {
      const m = ctx.recipe.model;
      return python(ctx, 'tiny', [
        p(ctx, 'init'),
        ...flags({
          tokenizer: p(ctx, 'tokenizer'),
          layers: String(m.layers),
          hidden: String(m.hidden),
          heads: String(m.heads),
          'kv-heads': String(m.kvHeads),
          intermediate: String(m.intermediate),
          std: '0.02',
          'max-positions': '512',
          'rope-theta': '10000',
          seed: '0',
        }),
      ]);
    },
  },
  {
    name: 'pretrain-data',
    when: pretraining,
    inputs: () => ['data', 'init'],
    outputs: ['pretrain-traces.jsonl', 'build-pretrain'],
    settings: () => ({}),
    run: async (ctx) => {
      // γ = 1 for every problem: the base model learns the task from the full, verbose CoTs.
      const rows = await readJsonl(p(ctx, 'data', 'train.jsonl'));
      const lines = rows.map(({ roles: _roles, ...row }) => JSON.stringify({ ...row, gamma: 1 }));
      await writeAtomic(p(ctx, 'pretrain-traces.jsonl'), lines.join('\n') + '\n');
      return cli(ctx, [
        'build',
        ...flags({
          model: p(ctx, 'init'),
          traces: p(ctx, 'pretrain-traces.jsonl'),
          out: p(ctx, 'build-pretrain'),
          val: '0.01',
          force: true,
        }),
      ]);
    },
  },
  {
    name: 'pretrain',
    when: pretraining,
    inputs: () => ['init', 'build-pretrain'],
    outputs: ['pretrain'],
    settings: (ctx) => ctx.recipe.pretrain,
    run: (ctx) => {
      const pt = ctx.recipe.pretrain;
      return cli(ctx, [
        'train',
        ...flags({
          mode: 'full',
          base: p(ctx, 'init'),
          data: p(ctx, 'build-pretrain'),
          out: p(ctx, 'pretrain'),
          'micro-batch': String(pt.batch),
          batch: String(pt.batch),
          lr: String(pt.lr),
          epochs: String(pt.epochs),
          'max-steps': String(pt.maxSteps),
          warmup: '0.02',
          'save-every': '100',
          threads: threadsOf(ctx),
          device: deviceFlag(ctx),
        }),
      ]);
    },
  },
  commandStep(
    'base-onnx',
    { when: pretraining, inputs: ['pretrain'], outputs: ['base-onnx'] },
    ['export', 'onnx'],
    (ctx) => ({ model: baseModel(ctx), out: p(ctx, 'base-onnx'), force: true }),
  ),
  {
    name: 'collect',
    inputs: (ctx) =>
      ctx.recipe.collectWith ? ['data', ctx.recipe.collectWith] : ['data', 'pretrain', 'base-onnx'],
    outputs: ['traces.jsonl', 'traces.jsonl.journal.jsonl'],
    settings: (ctx) => ({
      n: ctx.recipe.collectProblems,
      collector: ctx.recipe.collectWith ?? 'base',
    }),
    run: (ctx) =>
      cli(ctx, [
        'collect',
        ...flags({
          input: p(ctx, 'data', 'train.jsonl'),
          limit: String(ctx.recipe.collectProblems),
          'model-dir': collector(ctx) ?? baseModel(ctx),
          'onnx-model': collector(ctx) ?? p(ctx, 'base-onnx'),
          dataset: 'gsm8k',
          'max-tokens': '256',
          out: p(ctx, 'traces.jsonl'),
        }),
      ]),
  },
  {
    name: 'scorer-vocab',
    inputs: () => ['data'],
    outputs: ['scorer'],
    settings: (ctx) => ({
      vocab: 'task words + CJK + printable ASCII',
      commonCjk: ctx.recipe.scorer.commonCjk,
    }),
    run: (ctx) =>
      python(ctx, 'scorer', [
        'vocab',
        ...flags({
          data: p(ctx, 'data', 'train.jsonl'),
          out: p(ctx, 'scorer'),
          'common-cjk': ctx.recipe.scorer.commonCjk,
        }),
      ]),
  },
  {
    name: 'teacher-labels',
    inputs: (ctx) =>
      ctx.recipe.scorer.teacher === 'roles'
        ? ['data', 'scorer']
        : ['traces.jsonl', 'base-onnx', 'scorer'],
    outputs: ['scorer-labels'],
    settings: (ctx) => {
      const sc = ctx.recipe.scorer;
      return sc.teacher === 'roles'
        ? { teacher: 'roles', records: sc.records }
        : { keepShare: sc.keepShare, teacher: sc.teacher };
    },
    run: (ctx) => {
      const sc = ctx.recipe.scorer;
      return sc.teacher === 'roles'
        ? annotatorLabels({
            problems: p(ctx, 'data', 'train.jsonl'),
            scorerDir: p(ctx, 'scorer'),
            out: p(ctx, 'scorer-labels'),
            limit: sc.records,
          })
        : distilLabels({
            traces: p(ctx, 'traces.jsonl'),
            reference: p(ctx, 'base-onnx'),
            scorerDir: p(ctx, 'scorer'),
            out: p(ctx, 'scorer-labels'),
            keepShare: sc.keepShare,
            condition: sc.teacher,
            threads: ctx.threads,
            stderr: ctx.io.stderr,
          });
    },
  },
  {
    name: 'scorer',
    inputs: () => ['scorer-labels', 'scorer'],
    outputs: ['scorer/onnx'],
    settings: (ctx) => {
      const { records: _records, ...scorerSettings } = ctx.recipe.scorer;
      return scorerSettings;
    },
    run: (ctx) => {
      const sc = ctx.recipe.scorer;
      return python(ctx, 'scorer', [
        'train',
        ...flags({
          records: p(ctx, 'scorer-labels', 'train.jsonl'),
          'val-records': p(ctx, 'scorer-labels', 'val.jsonl'),
          out: p(ctx, 'scorer'),
          hidden: String(sc.hidden),
          layers: String(sc.layers),
          heads: String(sc.heads),
          epochs: String(sc.epochs),
          threads: threadsOf(ctx),
        }),
      ]);
    },
  },
  {
    // Measured on validation problems that use a held-out phrasing: words the scorer never saw.
    name: 'scorer-quality',
    inputs: () => ['scorer', 'data'],
    outputs: ['scorer-quality.json'],
    settings: () => ({ compression: COMPRESSION, heldOut: true }),
    run: (ctx) =>
      measureScorer({
        scorer: p(ctx, 'scorer'),
        problems: p(ctx, 'data', 'val.jsonl'),
        rates: [0.9, 0.7, 0.5],
        out: p(ctx, 'scorer-quality.json'),
        threads: ctx.threads,
        heldOut: true,
        configs: {
          scorer: {},
          shipped: COMPRESSION,
        },
      }),
  },
  {
    name: 'assign-gamma',
    inputs: () => ['traces.jsonl'],
    outputs: ['planned.jsonl'],
    settings: (ctx) => ctx.recipe.data,
    run: (ctx) =>
      cli(ctx, [
        'build',
        ...flags({
          'assign-gamma': true,
          traces: p(ctx, 'traces.jsonl'),
          out: p(ctx, 'planned.jsonl'),
          seed: '42',
          gammas: ctx.recipe.data.gammas.join(','),
          paired: ctx.recipe.data.paired,
        }),
      ]),
  },
  {
    name: 'compress',
    inputs: () => ['scorer', 'planned.jsonl'],
    outputs: ['compressed.jsonl'],
    settings: () => ({ compression: COMPRESSION }),
    run: async (ctx) => {
      await rm(p(ctx, 'compressed.jsonl'), { force: true });
      return cli(ctx, [
        'compress',
        ...flags({
          model: p(ctx, 'scorer'),
          in: p(ctx, 'planned.jsonl'),
          field: 'cot',
          'rate-field': 'gamma',
          out: p(ctx, 'compressed.jsonl'),
          fresh: true,
          'force-reserve-digit': true,
          'force-tokens': COMPRESSION.forceTokens.join(','),
          'join-cjk': true,
          'chinese-words': true,
          'keep-unknown': COMPRESSION.keepUnknown,
        }),
      ]);
    },
  },
  commandStep(
    'build',
    { inputs: ['pretrain', 'compressed.jsonl'], outputs: ['build'] },
    ['build'],
    (ctx) => ({
      model: baseModel(ctx),
      traces: p(ctx, 'compressed.jsonl'),
      out: p(ctx, 'build'),
      force: true,
    }),
  ),
  {
    name: 'lora',
    inputs: () => ['pretrain', 'build'],
    outputs: ['lora'],
    settings: (ctx) => ctx.recipe.lora,
    run: (ctx) => {
      const lo = ctx.recipe.lora;
      return cli(ctx, [
        'train',
        ...flags({
          base: baseModel(ctx),
          data: p(ctx, 'build'),
          out: p(ctx, 'lora'),
          'micro-batch': String(lo.batch),
          batch: String(lo.batch),
          lr: String(lo.lr),
          epochs: String(lo.epochs),
          rank: String(lo.rank),
          alpha: String(lo.alpha),
          'max-steps': String(lo.maxSteps),
          'save-every': '100',
          threads: threadsOf(ctx),
          device: deviceFlag(ctx),
        }),
      ]);
    },
  },
  commandStep('merge', { inputs: ['pretrain', 'lora'], outputs: ['merged'] }, ['merge'], (ctx) => ({
    base: baseModel(ctx),
    adapter: p(ctx, 'lora'),
    out: p(ctx, 'merged'),
    force: true,
  })),
  commandStep(
    'tokenskip-onnx',
    { inputs: ['merged'], outputs: ['tokenskip-onnx'] },
    ['export', 'onnx'],
    (ctx) => ({ model: p(ctx, 'merged'), out: p(ctx, 'tokenskip-onnx'), force: true }),
  ),
  {
    // The original model's row of the table; timed alone, like the TokenSkip model's rows.
    name: 'eval-base',
    inputs: () => ['data', 'pretrain', 'base-onnx'],
    outputs: ['eval-base.json', 'eval-base.json.journal.jsonl'],
    settings: (ctx) => ({ n: ctx.recipe.testProblems }),
    run: (ctx) =>
      cli(ctx, [
        'eval',
        ...flags({
          ...testFlags(ctx),
          'model-dir': baseModel(ctx),
          'onnx-model': p(ctx, 'base-onnx'),
          gammas: '1',
          out: p(ctx, 'eval-base.json'),
        }),
      ]),
  },
  {
    name: 'eval-tokenskip',
    inputs: () => ['data', 'merged', 'tokenskip-onnx'],
    outputs: ['eval-tokenskip.json', 'eval-tokenskip.json.journal.jsonl'],
    settings: (ctx) => ({ n: ctx.recipe.testProblems }),
    run: (ctx) =>
      cli(ctx, [
        'eval',
        ...flags({
          ...testFlags(ctx),
          'model-dir': p(ctx, 'merged'),
          'onnx-model': p(ctx, 'tokenskip-onnx'),
          gammas: GAMMA_LIST.join(','),
          out: p(ctx, 'eval-tokenskip.json'),
        }),
      ]),
  },
];

/** Runs every step of `MINI_STEPS` that applies (resuming where markers say), then the table. */
export async function runMini(ctx: Ctx): Promise<MiniTable> {
  for (const s of MINI_STEPS) {
    if (s.when && !s.when(ctx)) continue;
    await step(ctx, s.name, await s.settings(ctx), s.outputs, () => s.run(ctx));
  }
  const table = await miniTable(ctx.out);
  await writeAtomic(p(ctx, 'table.json'), `${JSON.stringify(table, null, 2)}\n`);
  say(ctx, `results on ${table.n} held-out problems:\n${tableMarkdown(table)}`);
  return table;
}

/** Copies the three models into models/mini/ (the app's and the CLI's defaults). */
export async function shipMini(out: string, dest = join(ROOT, 'models', 'mini')): Promise<void> {
  const parts: [string, string][] = [
    [join(out, 'base-onnx'), join(dest, 'base')],
    [join(out, 'tokenskip-onnx'), join(dest, 'tokenskip')],
    [join(out, 'scorer'), join(dest, 'scorer')],
  ];
  for (const [from, to] of parts) {
    await rm(to, { recursive: true, force: true });
    await mkdir(to, { recursive: true });
    await cp(from, to, {
      recursive: true,
      // Only what the runtimes read: no manifests with machine paths, no partial files.
      filter: (src) => !/manifest\.json$|\.partial$/.test(src),
    });
  }
  for (const f of ['table.json', 'scorer-quality.json']) {
    await cp(join(out, f), join(dest, f));
  }
  await writeFile(join(dest, '.gitattributes'), '*.onnx binary\n');
}

/** `full` or `quick` from models/mini/recipe.json, with a `--recipe` file's settings over it. */
async function chooseRecipe(quick: boolean, file: string | undefined): Promise<Recipe> {
  const recipes = await readRecipes();
  const base = quick ? recipes.quick : recipes.full;
  if (file === undefined) return base;
  let override: unknown;
  try {
    override = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--recipe ${file}: ${(e as Error).message}`);
  }
  return overrideRecipe(base, override, `--recipe ${file}`);
}

export const miniCommand: Command = {
  ...commandInfo('mini'),
  async run(argv, io) {
    const { values } = parseCommandArgs('mini', argv, {
      out: { type: 'string' },
      quick: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      device: { type: 'string', default: 'auto' },
      ship: { type: 'boolean', default: false },
      threads: { type: 'string', default: '2' },
      'reuse-base': { type: 'string' },
      recipe: { type: 'string' },
    });
    if (!values.out) throw new UsageError('--out is required.');
    const seed = Number(values.seed);
    if (!/^\d+$/.test(values.seed) || seed > 0xffffffff)
      throw new UsageError(
        `--seed must be a whole number from 0 to 4294967295, got '${values.seed}'.`,
      );
    const threads = Number(values.threads);
    if (!/^\d+$/.test(values.threads) || threads < 1)
      throw new UsageError(`--threads must be a positive whole number, got '${values.threads}'.`);
    if (!['auto', 'cpu', 'cuda'].includes(values.device))
      throw new UsageError(`--device must be auto, cpu or cuda, got '${values.device}'.`);
    if (values['reuse-base'] !== undefined) checkReuseBase(values['reuse-base']);
    const ctx: Ctx = {
      out: values.out,
      io,
      py: await findPython(),
      recipe: await chooseRecipe(values.quick ?? false, values.recipe),
      reuseBase: values['reuse-base'],
      seed,
      device: values.device,
      threads,
      chain: '',
    };
    await mkdir(ctx.out, { recursive: true });
    const table = await runMini(ctx);
    if (values.ship) await shipMini(ctx.out);
    writeSummary(io, values.json, `mini: done -> ${ctx.out}/table.json`, table);
    return 0;
  },
};
