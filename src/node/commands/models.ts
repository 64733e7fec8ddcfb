/**
 * `tokenskip models ls | pull <id> | rm <id> | verify [<id>]`: the registry's models on this
 * machine. Hub models go into the local model store (src/runtime/hub/node/model-store.ts) through the
 * one download helper (src/runtime/hub/node/download.ts: streamed, resumable, checked before a file
 * counts); models shipped in this repo are "bundled".
 *
 *   tokenskip models ls
 *   tokenskip models pull llmlingua-2-bert-base-multilingual-cased-meetingbank --backend node
 *   HF_ENDPOINT=https://hf-mirror.example tokenskip models pull llmlingua-2-js-tinybert-meetingbank
 */
import type { Command, CommandIO } from './types.ts';
import { choiceOption, parseCommandArgs, UsageError, writeSummary } from '../args.ts';
import { commandInfo } from './table.mjs';
import { TokenSkipError } from '../../core/errors.ts';
import {
  findModel,
  hashSource,
  modelBytes,
  modelVariants,
  type Backend,
  type ModelEntry,
} from '../../core/models/registry.ts';
import { INTEGRITY_LABEL, weakestIntegrity } from '../../runtime/hub/file-integrity.ts';
import { backendBytes, filesForBackend } from '../../runtime/hub/model-manifest.ts';
import {
  modelState,
  nodeRegistry,
  pullModel,
  removeModel,
  storeDir,
  verifyModel,
  type ModelState,
} from '../../runtime/hub/node/model-store.ts';
import { createByteBar, formatBytes } from '../pipeline/progress.ts';

const ACTIONS = ['ls', 'pull', 'rm', 'verify'] as const;
type Action = (typeof ACTIONS)[number];

function kindOf(entry: ModelEntry): string {
  if (entry.kind === 'token-classifier') return 'scorer';
  return entry.engine === 'webllm' ? 'causal-lm/webllm' : 'causal-lm/onnx';
}

/** `fp32 (all)` when every backend runs the same dtype, else `webgpu:fp32 wasm:int8 node:int8`. */
function backendsOf(entry: ModelEntry): string {
  const variants = modelVariants(entry);
  const dtypes = new Set(variants.map((v) => v.dtype));
  return dtypes.size === 1 && variants.length > 1
    ? `${variants[0]!.dtype} (all)`
    : variants.map((v) => `${v.backend}:${v.dtype}`).join(' ');
}

/** What each backend loads (the Models page's size column shows its backend's figure). */
function backendBytesOf(entry: ModelEntry): Partial<Record<'webgpu' | 'wasm' | 'node', number>> {
  if (!('onnx' in entry)) return {};
  const out: Partial<Record<'webgpu' | 'wasm' | 'node', number>> = {};
  for (const b of ['webgpu', 'wasm', 'node'] as const) {
    const n = backendBytes(entry, b);
    if (n !== undefined) out[b] = n;
  }
  return out;
}

/** The node backend's files (what the CLI runs, `pull --backend node`), else every file. */
function nodeSizeOf(entry: ModelEntry): string {
  const node = backendBytesOf(entry).node;
  return node === undefined ? sizeOf(entry) : formatBytes(node);
}

function sizeOf(entry: ModelEntry): string {
  const { bytes, exact, known } = modelBytes(entry);
  if (!known) return '?';
  return `${exact ? '' : '~'}${formatBytes(bytes)}`;
}

function presenceOf(entry: ModelEntry, state: ModelState): string {
  if (entry.source.type === 'served') return 'served by the app';
  if (entry.kind === 'causal-lm' && entry.engine === 'webllm') return 'browser cache';
  if (state.presence !== 'partial') return state.presence;
  const have = state.files.reduce((n, f) => n + (f.present ? f.size : f.partialBytes), 0);
  const total = state.files.reduce((n, f) => n + f.size, 0);
  return `partial ${Math.min(99, Math.floor((100 * have) / Math.max(total, 1)))}%`;
}

function checkOf(entry: ModelEntry, state: ModelState): string {
  if (state.presence === 'bundled') return INTEGRITY_LABEL.verified;
  if (!state.files.some((f) => f.present)) {
    const how = hashSource(entry);
    return how === 'registry'
      ? 'sha256 in registry'
      : how === 'recorded-locally'
        ? "hub's hash or recorded at first download"
        : '-';
  }
  return INTEGRITY_LABEL[state.integrity];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function list(io: CommandIO, json: boolean, dir: string): Promise<number> {
  const models = nodeRegistry();
  const states = await Promise.all(models.map((m) => modelState(m, dir)));
  if (json) {
    io.stdout.write(
      `${JSON.stringify({
        dir,
        models: models.map((m, i) => ({
          id: m.id,
          label: m.label,
          kind: m.kind,
          ...(m.kind === 'causal-lm' ? { engine: m.engine } : {}),
          backends: backendsOf(m),
          bytes: modelBytes(m).bytes,
          bytesExact: modelBytes(m).exact,
          backendBytes: backendBytesOf(m),
          source: m.source,
          presence: presenceOf(m, states[i]!),
          check: checkOf(m, states[i]!),
          folder: states[i]!.folder ?? null,
        })),
      })}\n`,
    );
    return 0;
  }
  // SIZE: what the CLI loads (the node backend's files); ALL FILES: what a plain `pull` fetches.
  const rows = [['ID', 'KIND', 'SIZE', 'ALL FILES', 'BACKEND:DTYPE', 'HERE', 'CHECK']];
  models.forEach((m, i) =>
    rows.push([
      m.id,
      kindOf(m),
      nodeSizeOf(m),
      sizeOf(m),
      backendsOf(m),
      presenceOf(m, states[i]!),
      checkOf(m, states[i]!),
    ]),
  );
  io.stdout.write(`${table(rows)}\n\nstore: ${dir}\n`);
  return 0;
}

/** A registry entry by id; an unknown id is a bad command line (exit 2), named in one line. */
function entryFor(id: string | undefined, action: Action): ModelEntry {
  if (!id)
    throw new UsageError(`'models ${action}' needs a model id; 'tokenskip models ls' lists them.`);
  try {
    return findModel(id, nodeRegistry());
  } catch (error) {
    if (error instanceof TokenSkipError && error.code === 'MODEL_NOT_FOUND')
      throw new UsageError(
        `${error.message.replace(/\.$/, '')}; 'tokenskip models ls' lists them.`,
      );
    throw error;
  }
}

async function pull(
  io: CommandIO,
  json: boolean,
  dir: string,
  entry: ModelEntry,
  backend: Backend | undefined,
): Promise<number> {
  if (entry.source.type === 'path') {
    writeSummary(
      io,
      json,
      `models pull: ${entry.id} is bundled (${entry.source.path}); nothing to download.`,
      {
        id: entry.id,
        presence: 'bundled',
        downloaded: [],
      },
    );
    return 0;
  }
  let target = entry;
  if (backend) {
    if (!('onnx' in entry))
      throw new UsageError(`--backend applies to ONNX models; ${entry.id} is a WebLLM model.`);
    const needed = new Set(filesForBackend(entry, backend));
    target = { ...entry, files: entry.files.filter((f) => needed.has(f.path)) };
  }
  let bar: ReturnType<typeof createByteBar> | undefined;
  let barFile = '';
  try {
    const result = await pullModel(target, {
      dir,
      onProgress: (file, p) => {
        if (file !== barFile) {
          bar?.stop();
          barFile = file;
          bar = createByteBar(io.stderr, file, p.total ?? 0);
        }
        bar!.update(p.loaded, p.total);
      },
    });
    bar?.stop();
    const bytes = target.files.reduce((n, f) => n + f.size, 0);
    writeSummary(
      io,
      json,
      `models pull: ${entry.id}: ${result.downloaded.length} of ${target.files.length} files downloaded (${sizeOf(target)} in all), ${INTEGRITY_LABEL[result.integrity]} -> ${result.folder}`,
      {
        id: entry.id,
        folder: result.folder,
        downloaded: result.downloaded,
        files: target.files.length,
        bytes,
        check: INTEGRITY_LABEL[result.integrity],
      },
    );
    return 0;
  } finally {
    bar?.stop();
  }
}

async function remove(
  io: CommandIO,
  json: boolean,
  dir: string,
  entry: ModelEntry,
): Promise<number> {
  const { files, bytes } = await removeModel(entry, dir);
  writeSummary(
    io,
    json,
    `models rm: ${entry.id}: ${files === 0 ? 'nothing was here' : `removed ${files} files (${formatBytes(bytes)})`}; recorded hashes are forgotten.`,
    { id: entry.id, files, bytes },
  );
  return 0;
}

async function verify(
  io: CommandIO,
  json: boolean,
  dir: string,
  entry: ModelEntry | undefined,
): Promise<number> {
  const models = entry ? [entry] : nodeRegistry();
  const report: { id: string; files: Awaited<ReturnType<typeof verifyModel>> }[] = [];
  let failed = false;
  for (const m of models) {
    if (m.source.type === 'served' || m.files.length === 0) continue;
    const files = await verifyModel(m, dir);
    const present = files.filter((f) => f.status !== 'missing');
    if (present.length === 0) {
      if (entry) {
        io.stderr.write(
          `models verify: ${m.id}: not here; 'tokenskip models pull ${m.id}' downloads it.\n`,
        );
        failed = true;
      }
      continue;
    }
    report.push({ id: m.id, files });
    const bad = files.filter((f) => f.status === 'corrupt');
    failed ||= bad.length > 0;
    for (const f of bad) io.stderr.write(`models verify: ${m.id}/${f.path}: ${f.message}\n`);
    const missing = files.length - present.length;
    const status =
      bad.length > 0
        ? 'FAILED'
        : INTEGRITY_LABEL[
            weakestIntegrity(present.map((f) => f.status as 'verified' | 'hub' | 'recorded'))
          ];
    io.stderr.write(
      `models verify: ${m.id}: ${status} (${present.length - bad.length} of ${files.length} files ok${missing ? `, ${missing} not downloaded` : ''})\n`,
    );
  }
  if (json) io.stdout.write(`${JSON.stringify({ ok: !failed, models: report })}\n`);
  return failed ? 1 : 0;
}

export const modelsCommand: Command = {
  ...commandInfo('models'),
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      'models',
      argv,
      { dir: { type: 'string' }, backend: { type: 'string' } },
      { positionals: 2 },
    );
    const [action, id] = positionals;
    if (!action || !(ACTIONS as readonly string[]).includes(action)) {
      throw new UsageError(
        `${action ? `Unknown action '${action}'` : 'Missing action'}: use ls, pull <id>, rm <id> or verify [<id>]. Run 'tokenskip models --help' for the options.`,
      );
    }
    const backend =
      values.backend === undefined
        ? undefined
        : choiceOption('--backend', values.backend, ['node', 'wasm', 'webgpu'] as const);
    if (backend && action !== 'pull')
      throw new UsageError('--backend applies to models pull only.');
    if (action === 'ls' && id !== undefined)
      throw new UsageError(`Unexpected argument '${id}': 'models ls' lists every model.`);
    const dir = storeDir(values.dir);
    switch (action as Action) {
      case 'ls':
        return list(io, values.json, dir);
      case 'pull':
        return pull(io, values.json, dir, entryFor(id, 'pull'), backend);
      case 'rm':
        return remove(io, values.json, dir, entryFor(id, 'rm'));
      case 'verify':
        return verify(io, values.json, dir, id === undefined ? undefined : entryFor(id, 'verify'));
    }
  },
};
