/**
 * `tokenskip build`: TokenSkip training records from collected traces and their compressed versions.
 *
 *   tokenskip build --model Qwen2.5-0.5B-Instruct --traces traces.jsonl \
 *     --compressed 0.9:c09.jsonl --compressed 0.8:c08.jsonl ... --out build/
 *
 * Or, with one compress run: `tokenskip build --assign-gamma --traces traces.jsonl --out planned.jsonl`
 * adds a seeded `gamma` to every trace, `tokenskip compress --in planned.jsonl --field cot
 * --rate-field gamma --out compressed.jsonl` compresses each at its own γ, and
 * `tokenskip build --model DIR --traces compressed.jsonl --out build/` uses the per-line γ.
 *
 * Each sample draws one γ from {1.0, 0.9, ..., 0.5} with --seed (docs/method.md, step 2); γ = 1
 * keeps the original CoT from --traces, γ < 1 takes `compressed_prompt` from the file compressed at
 * that rate (`tokenskip compress` output: the input line plus compressed_prompt, rate, ...), matched
 * by `id` (or line number). Writes train.jsonl / val.jsonl (token ids, prompt masked with -100),
 * llamafactory/ (alpaca JSON + dataset_info.json) and manifest.json.
 */
import { join } from 'node:path';
import {
  gammaOption,
  intOption,
  numberOption,
  parseCommandArgs,
  UsageError,
  writeSummary,
} from '../args.ts';
import { guardOutputs } from '../output.ts';
import { commandInfo } from './table.mjs';
import { toGamma } from '../../core/prompts/gamma.ts';
import type { Command } from './types.ts';
import { TokenSkipError } from '../../core/errors.ts';
import {
  GAMMAS,
  chatFormatFor,
  chatPair,
  drawGammas,
  splitCot,
  tokenskipRecord,
  validationIndices,
  type TokenSkipRecord,
} from '../../core/prompts/tokenskip-format.ts';
import { readJsonl, stringField } from '../pipeline/records.ts';
import { encode, loadModelInfo } from '../pipeline/tokenizer.ts';
import {
  baseVersions,
  digest,
  manifestPathFor,
  mustRun,
  writeAtomic,
  writeManifest,
} from '../pipeline/manifest.ts';
import { createBar } from '../pipeline/progress.ts';

export const IGNORE_INDEX = -100;

export interface BuiltRecord extends TokenSkipRecord {
  id: string;
  /** The trace a paired sample came from (`build --assign-gamma --paired`). */
  trace?: string;
  gamma: number;
  input_ids: number[];
  labels: number[];
}

export const buildCommand: Command = {
  ...commandInfo('build'),
  async run(argv, io) {
    const { values } = parseCommandArgs('build', argv, {
      model: { type: 'string' },
      traces: { type: 'string' },
      compressed: { type: 'string', multiple: true, default: [] },
      out: { type: 'string' },
      seed: { type: 'string', default: '42' },
      val: { type: 'string', default: '0.1' },
      cutoff: { type: 'string', default: '2048' },
      force: { type: 'boolean', default: false },
      'assign-gamma': { type: 'boolean', default: false },
      paired: { type: 'boolean', default: false },
      gammas: { type: 'string' },
    });
    if ((!values.model && !values['assign-gamma']) || !values.traces || !values.out) {
      throw new UsageError(
        values['assign-gamma']
          ? '--assign-gamma needs --traces FILE and --out FILE.'
          : '--model, --traces and --out are required.',
      );
    }
    const seed = numberOption('--seed', values.seed, { integer: true });
    const valFraction = numberOption('--val', values.val, { min: 0, max: 1, maxExclusive: true });
    const cutoff = intOption('--cutoff', values.cutoff);
    const compressed = new Map<number, string>();
    for (const spec of values.compressed ?? []) {
      const colon = spec.indexOf(':');
      const wrong = `--compressed '${spec}': expected GAMMA:FILE with GAMMA in 0.9, 0.8, 0.7, 0.6, 0.5.`;
      if (colon < 1 || colon === spec.length - 1) throw new UsageError(wrong);
      const g = gammaOption('--compressed', spec.slice(0, colon));
      if (!GAMMAS.includes(g as (typeof GAMMAS)[number]) || g === 1) throw new UsageError(wrong);
      compressed.set(g, spec.slice(colon + 1));
    }
    const traces = values.traces;
    const out = values.out;
    if ((values.paired || values.gammas !== undefined) && !values['assign-gamma'])
      throw new UsageError('--paired and --gammas go with --assign-gamma.');
    if (values['assign-gamma']) {
      const gammas = parseGammaSet(values.gammas);
      const paired = values.paired ?? false;
      const r = await guardOutputs(
        [{ path: out, side: [[manifestPathFor(out), 'manifest']] }],
        [traces],
        () => assignGammas(traces, out, seed, { gammas, paired }),
      );
      writeSummary(
        io,
        values.json,
        paired
          ? `build: ${r.traces} traces at every gamma of ${gammas.join(', ')} = ${r.samples} samples -> ${out}`
          : `build: ${r.samples} traces with a seeded gamma -> ${out}`,
        r,
      );
      return 0;
    }
    const model = values.model as string;
    // The model folder stands for every file build reads there (tokenizer, config).
    const inputs = [traces, ...compressed.values(), model];
    const result = await guardOutputs(
      [{ path: out, folder: true, files: BUILD_OUTPUTS }],
      inputs,
      () =>
        build({
          model,
          traces,
          compressed,
          out,
          seed,
          valFraction,
          cutoff,
          force: values.force ?? false,
          stderr: io.stderr,
        }),
    );
    writeSummary(
      io,
      values.json,
      result.upToDate
        ? `build: ${out} is up to date`
        : `build: ${String(result.train)} train + ${String(result.val)} val records (${String(result.dropped_over_cutoff)} over the cutoff) -> ${out}`,
      result,
    );
    return 0;
  },
};

/** Files `build` writes inside --out. */
const BUILD_OUTPUTS = [
  'train.jsonl',
  'val.jsonl',
  'llamafactory/tokenskip_train.json',
  'llamafactory/tokenskip_val.json',
  'llamafactory/dataset_info.json',
  'manifest.json',
];

export interface BuildOptions {
  model: string;
  traces: string;
  compressed: Map<number, string>;
  out: string;
  seed: number;
  valFraction: number;
  cutoff: number;
  force: boolean;
  stderr: NodeJS.WritableStream;
}

/**
 * `--gammas`: a comma list from GAMMAS that must hold 1.0 (the paper keeps original CoTs in the
 * training data so the model keeps its reasoning at γ = 1; without them it cannot be asked for it).
 */
export function parseGammaSet(spec: string | undefined): number[] {
  if (spec === undefined) return [...GAMMAS];
  const gammas = spec.split(',').map((g) => gammaOption('--gammas', g.trim()));
  const wrong = gammas.find((g) => !GAMMAS.includes(g as (typeof GAMMAS)[number]));
  if (wrong !== undefined)
    throw new UsageError(`--gammas: ${wrong} is not one of ${GAMMAS.join(', ')}.`);
  if (!gammas.includes(1))
    throw new UsageError(
      `--gammas ${spec} lacks 1.0: the training data must keep the original CoTs (γ = 1), or the model cannot be asked for them. Add 1.0 to the list.`,
    );
  return [...new Set(gammas)].sort((a, b) => b - a);
}

/**
 * Adds γ to every trace, for one `tokenskip compress --rate-field gamma` run: one seeded draw per
 * trace, or with `paired` every trace once per γ (the paper's data: each CoT compressed at every
 * ratio, originals kept at γ = 1). Paired samples get the id `<id>@<γ>` and keep `trace: <id>`,
 * so `build` holds out whole traces for validation.
 */
export async function assignGammas(
  traces: string,
  out: string,
  seed: number,
  o: { gammas: readonly number[]; paired: boolean } = { gammas: GAMMAS, paired: false },
): Promise<Record<string, unknown>> {
  const rows = await readJsonl(traces);
  const lines = o.paired
    ? rows.flatMap((r, i) => {
        const id = String(r.id ?? i);
        return o.gammas.map((gamma) =>
          JSON.stringify({ ...r, id: `${id}@${gamma}`, trace: id, gamma }),
        );
      })
    : drawGammas(rows.length, seed, o.gammas).map((gamma, i) =>
        JSON.stringify({ ...rows[i], gamma }),
      );
  await writeAtomic(out, lines.join('\n') + '\n');
  await writeManifest(manifestPathFor(out), {
    command: 'build --assign-gamma',
    inputs: [await digest(traces)],
    settings: { seed, gammas: [...o.gammas], paired: o.paired },
    outputs: [await digest(out)],
    versions: baseVersions(),
  });
  return { out, traces: rows.length, samples: lines.length };
}

/** Throws naming the first id that two lines of `path` share, with their line numbers. */
function refuseDuplicateIds(rows: readonly Record<string, unknown>[], path: string): void {
  const first = new Map<string, number>();
  for (const [i, r] of rows.entries()) {
    const id = String(r.id ?? i);
    const before = first.get(id);
    if (before !== undefined) {
      throw new TokenSkipError(
        'MALFORMED_JSONL',
        `${path}: lines ${before + 1} and ${i + 1} have the same id ${JSON.stringify(id)}${r.id === undefined || rows[before]!.id === undefined ? ' (a line without an id is known by its index)' : ''}; give every trace its own id.`,
      );
    }
    first.set(id, i);
  }
}

export async function build(o: BuildOptions): Promise<Record<string, unknown>> {
  const info = await loadModelInfo(o.model);
  const format = chatFormatFor(String(info.config.model_type));
  const gammaFiles = [...o.compressed.entries()].sort((a, b) => b[0] - a[0]);
  const inputs = [
    await digest(join(o.model, 'tokenizer.json')),
    await digest(o.traces),
    ...(await Promise.all(gammaFiles.map(([, p]) => digest(p)))),
  ];
  const settings = {
    seed: o.seed,
    val: o.valFraction,
    cutoff: o.cutoff,
    format,
    gammas: gammaFiles.map(([g]) => g),
  };
  const manifestPath = manifestPathFor(o.out, true);
  if (
    !(await mustRun(
      { command: 'build', redo: 'rebuilding', out: o.out, force: o.force },
      inputs,
      settings,
      o.stderr,
    ))
  ) {
    o.stderr.write(`build: ${o.out} is up to date (same inputs and settings); --force rebuilds.\n`);
    return { upToDate: true, out: o.out };
  }

  const traces = await readJsonl(o.traces);
  // One id, one sample: a repeated id could land in train and val at once, and would make the
  // compressed files ambiguous.
  refuseDuplicateIds(traces, o.traces);
  const byGamma = new Map<number, Map<string, string>>();
  for (const [g, path] of gammaFiles) {
    const rows = await readJsonl(path);
    refuseDuplicateIds(rows, path);
    const m = new Map<string, string>();
    rows.forEach((r, i) =>
      m.set(String(r.id ?? i), stringField(r, ['compressed_prompt'], `${path}:${i + 1}`)),
    );
    byGamma.set(g, m);
  }
  // Draw among the rates actually supplied (all six in the TokenSkip recipe).
  const pool = [1, ...gammaFiles.map(([g]) => g)];
  const draws = drawGammas(traces.length, o.seed, pool);
  const records: BuiltRecord[] = [];
  let dropped = 0;
  const bar = createBar(o.stderr, 'build', traces.length);
  traces.forEach((t, i) => {
    const where = `${o.traces}:${i + 1}`;
    const id = String(t.id ?? i);
    // Per-line γ (one compress run with --rate-field gamma) unless per-rate files were given.
    const perLine = gammaFiles.length === 0 && t.gamma !== undefined;
    let gamma = draws[i] as number;
    if (perLine) {
      try {
        gamma = toGamma(t.gamma, `${where}: gamma`);
      } catch (error) {
        throw new TokenSkipError('MALFORMED_JSONL', (error as Error).message);
      }
    }
    if (perLine && !GAMMAS.includes(gamma as (typeof GAMMAS)[number])) {
      throw new TokenSkipError(
        'MALFORMED_JSONL',
        `${where}: gamma ${String(t.gamma)} is not one of ${GAMMAS.join(', ')}.`,
      );
    }
    let cot: string;
    if (gamma === 1) {
      cot = typeof t.cot === 'string' ? t.cot : splitCot(stringField(t, ['output'], where));
    } else if (perLine) {
      cot = stringField(t, ['compressed_prompt'], where);
    } else {
      const c = byGamma.get(gamma)?.get(id);
      if (c === undefined) {
        throw new TokenSkipError(
          'MALFORMED_JSONL',
          `${o.compressed.get(gamma)}: no line for sample id ${id} (γ ${gamma}); compress every trace at every rate.`,
        );
      }
      cot = c;
    }
    const answer = stringField(t, ['prediction', 'answer'], where);
    const sample = { question: stringField(t, ['question'], where), cot, answer, gamma };
    const rec = tokenskipRecord(sample);
    const { prompt, response } = chatPair(format, sample);
    const p = encode(info.tokenizer, prompt);
    const r = encode(info.tokenizer, response);
    bar.increment();
    if (p.length + r.length > o.cutoff) {
      dropped++;
      return;
    }
    records.push({
      id,
      ...(typeof t.trace === 'string' ? { trace: t.trace } : {}),
      gamma,
      ...rec,
      input_ids: [...p, ...r],
      labels: [...p.map(() => IGNORE_INDEX), ...r],
    });
  });
  bar.stop();
  if (records.length === 0)
    throw new TokenSkipError('EMPTY_INPUT', `${o.traces}: no records left to build.`);
  // Validation holds out whole traces: the samples of one trace at several γ stay together.
  const groups = [...new Set(records.map((r) => r.trace ?? r.id))];
  const heldGroups = validationIndices(groups.length, o.valFraction, o.seed);
  const heldIds = new Set(groups.filter((_, i) => heldGroups.has(i)));
  const train = records.filter((r) => !heldIds.has(r.trace ?? r.id));
  const val = records.filter((r) => heldIds.has(r.trace ?? r.id));
  const lines = (rs: BuiltRecord[]) =>
    rs.map((r) => JSON.stringify(r)).join('\n') + (rs.length ? '\n' : '');
  await writeAtomic(join(o.out, 'train.jsonl'), lines(train));
  await writeAtomic(join(o.out, 'val.jsonl'), lines(val));
  const alpaca = (rs: BuiltRecord[]) =>
    JSON.stringify(
      rs.map(({ instruction, input, output }) => ({ instruction, input, output })),
      null,
      1,
    );
  await writeAtomic(join(o.out, 'llamafactory', 'tokenskip_train.json'), alpaca(train));
  await writeAtomic(join(o.out, 'llamafactory', 'tokenskip_val.json'), alpaca(val));
  const columns = { prompt: 'instruction', query: 'input', response: 'output' };
  await writeAtomic(
    join(o.out, 'llamafactory', 'dataset_info.json'),
    JSON.stringify(
      {
        tokenskip_train: { file_name: 'tokenskip_train.json', columns },
        tokenskip_val: { file_name: 'tokenskip_val.json', columns },
      },
      null,
      2,
    ),
  );
  const gammaCounts: Record<string, number> = {};
  for (const r of records) gammaCounts[String(r.gamma)] = (gammaCounts[String(r.gamma)] ?? 0) + 1;
  const outputs = await Promise.all(
    [
      'train.jsonl',
      'val.jsonl',
      'llamafactory/tokenskip_train.json',
      'llamafactory/tokenskip_val.json',
      'llamafactory/dataset_info.json',
    ].map((f) => digest(join(o.out, f))),
  );
  const results = {
    train: train.length,
    val: val.length,
    dropped_over_cutoff: dropped,
    gammas: gammaCounts,
  };
  await writeManifest(manifestPath, {
    command: 'build',
    inputs,
    settings,
    outputs,
    versions: baseVersions(),
    results,
  });
  return { out: o.out, ...results };
}
