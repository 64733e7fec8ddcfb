/**
 * `tokenskip export`: ship a (merged) HF checkpoint to the browser.
 *
 *   tokenskip export mlc  --model merged --out web/mlc --quantization q4f16_1 --model-url https://host/mlc
 *   tokenskip export onnx --model merged --out web/onnx
 *
 * mlc: our TypeScript converter (q4f16_1 / q4f32_1 packing, Qwen2 names, 32 MB shards with md5,
 * tensor-cache.json + ndarray-cache.json, mlc-chat-config.json, tokenizer files and the WebLLM model
 * record, reusing the prebuilt model library). onnx: tokenskip_trainer.export_onnx (transformers.js layout
 * with KV cache). Each output folder gets a manifest.json.
 */
import { choiceOption, intOption, parseCommandArgs, UsageError, writeSummary } from '../args.ts';
import { warnIfFixture } from '../fixtures.ts';
import { checkOutputs, guardOutputs } from '../output.ts';
import { commandInfo } from './table.mjs';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command, CommandIO } from './types.ts';
import { TokenSkipError } from '../../core/errors.ts';
import type { Quantization, Qwen2Config } from '../../core/export/mlc/qwen2-params.ts';
import {
  mlcChatConfig,
  appModelRecord,
  prebuiltModelLib,
  webLlmRecord,
} from '../../core/export/mlc/chat-config.ts';
import { openSafetensors } from '../export/mlc/tensor-source.ts';
import {
  hasResolveSegment,
  resolveModelLib,
  withResolveSegment,
} from '../../core/generation/webllm-urls.ts';
import { tensorCache, withTempDir, writeShards } from '../export/mlc/convert.ts';
import { loadModelInfo } from '../pipeline/tokenizer.ts';
import {
  baseVersions,
  digest,
  manifestPathFor,
  mustRunCommand,
  writeAtomic,
  writeManifest,
} from '../pipeline/manifest.ts';
import { createBar } from '../pipeline/progress.ts';
import { findPython, runTrainerModule } from '../pipeline/python.ts';

const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'vocab.json',
  'merges.txt',
  'generation_config.json',
];

export const exportCommand: Command = {
  ...commandInfo('export'),
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      'export',
      argv,
      {
        model: { type: 'string' },
        out: { type: 'string' },
        quantization: { type: 'string', default: 'q4f16_1' },
        'model-id': { type: 'string' },
        'model-url': { type: 'string' },
        'model-lib': { type: 'string' },
        'context-window': { type: 'string', default: '4096' },
        'prefill-chunk': { type: 'string', default: '1024' },
        python: { type: 'string' },
        'external-data': { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
      },
      { positionals: 1 },
    );
    const target = choiceOption('the export target', positionals[0], ['mlc', 'onnx'] as const);
    if (!values.model || !values.out) throw new UsageError('--model and --out are required.');
    choiceOption('--quantization', values.quantization, ['q4f16_1', 'q4f32_1'] as const);
    intOption('--context-window', values['context-window']);
    intOption('--prefill-chunk', values['prefill-chunk']);
    const { model, out } = values;
    await checkOutputs([{ path: out, folder: true }], [model]);
    warnIfFixture(io.stderr, '--model', model);
    return guardOutputs([{ path: out, folder: true }], [model], () =>
      exportModel(target, { ...values, model, out }, io),
    );
  },
};

interface ExportValues extends MlcValues {
  model: string;
  out: string;
  python?: string;
  'external-data': boolean;
  force: boolean;
  json: boolean;
}

async function exportModel(
  target: 'mlc' | 'onnx',
  values: ExportValues,
  io: CommandIO,
): Promise<number> {
  if (!existsSync(join(values.model, 'config.json'))) {
    throw new TokenSkipError(
      'MODEL_FILE_MISSING',
      `${values.model}/config.json is missing; --model must be an HF model folder.`,
    );
  }
  const weights = (await readdir(values.model))
    .filter((f) => f.endsWith('.safetensors') || f === 'config.json')
    .sort();
  const inputs = await Promise.all(weights.map((f) => digest(join(values.model as string, f))));
  const settings =
    target === 'onnx'
      ? { target, external_data: values['external-data'] }
      : {
          target,
          ...values,
          python: undefined,
          force: undefined,
          json: undefined,
          out: undefined,
          model: undefined,
        };
  const manifestPath = manifestPathFor(values.out, true);
  if (!(await mustRunCommand('export', 'exports again', values, { inputs, settings }, io)))
    return 0;
  const result =
    target === 'mlc'
      ? await exportMlc(values.model, values.out, values, io)
      : await exportOnnx(
          values.model,
          values.out,
          values.python,
          values['external-data'] ?? false,
          io,
        );
  const outputs = await Promise.all(
    (await readdir(values.out, { recursive: true }))
      .filter((f) => /\.(json|bin|onnx)$/.test(f) && f !== 'manifest.json')
      .sort()
      .map((f) => digest(join(values.out as string, f))),
  );
  await writeManifest(manifestPath, {
    command: `export ${target}`,
    inputs,
    settings,
    outputs,
    versions: baseVersions(),
    results: result,
  });
  writeSummary(io, values.json, `export ${target}: done -> ${values.out}`, result);
  return 0;
}

interface MlcValues {
  quantization?: string;
  'model-id'?: string;
  'model-url'?: string;
  'model-lib'?: string;
  'context-window'?: string;
  'prefill-chunk'?: string;
}

export async function exportMlc(
  model: string,
  out: string,
  v: MlcValues,
  io: CommandIO,
): Promise<Record<string, unknown>> {
  const q = v.quantization as Quantization;
  if (q !== 'q4f16_1' && q !== 'q4f32_1')
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `--quantization must be q4f16_1 or q4f32_1, not ${q}.`,
    );
  const info = await loadModelInfo(model);
  if (info.config.model_type !== 'qwen2') {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `MLC export supports Qwen2 models; ${model} is '${String(info.config.model_type)}'.`,
    );
  }
  const config = info.config as unknown as Qwen2Config;
  const src = await openSafetensors(model);
  const contextWindow = intOption('--context-window', v['context-window'] ?? '4096');
  const prefillChunk = intOption('--prefill-chunk', v['prefill-chunk'] ?? '1024');
  const stop = ['<|endoftext|>', '<|im_end|>']
    .map((t) => info.tokenizer.token_to_id(t))
    .filter((x): x is number => x !== undefined);
  const tokenizerFiles = TOKENIZER_FILES.filter(
    (f) => existsSync(join(model, f)) && f !== 'generation_config.json',
  );
  const modelId = v['model-id'] ?? `${model.replace(/\/+$/, '').split('/').pop()}-${q}-MLC`;
  const webllm = await import('@mlc-ai/web-llm');
  const modelLib =
    v['model-lib'] ?? prebuiltModelLib(config, q, webllm.prebuiltAppConfig.model_list);
  // WebLLM's cleanModelUrl reads every model folder at `<url>/resolve/main/` unless the URL has a
  // `/resolve/<x>/` segment (see webllm-urls.ts): lay the folder out the way it will be read.
  const url = v['model-url'];
  const weightsDir = url && hasResolveSegment(url) ? '' : 'resolve/main';
  const bar = createBar(io.stderr, 'mlc', 1);
  const result = await withTempDir(out, async (top) => {
    const tmp = join(top, weightsDir);
    await mkdir(tmp, { recursive: true });
    const r = await writeShards(src, config, q, tmp, (done, total) => {
      bar.setTotal(total);
      bar.update(done);
    });
    const cache = `${JSON.stringify(tensorCache(r.shards), null, 1)}\n`;
    // web-llm >= 0.2.80 reads tensor-cache.json, older versions ndarray-cache.json: ship both.
    await writeAtomic(join(tmp, 'tensor-cache.json'), cache);
    await writeAtomic(join(tmp, 'ndarray-cache.json'), cache);
    const chat = mlcChatConfig(config, {
      quantization: q,
      contextWindow,
      prefillChunk,
      tokenizerFiles,
      stopTokenIds: stop,
    });
    await writeAtomic(join(tmp, 'mlc-chat-config.json'), `${JSON.stringify(chat, null, 2)}\n`);
    for (const f of tokenizerFiles) await copyFile(join(model, f), join(tmp, f));
    if (url) {
      if (!modelLib) {
        throw new TokenSkipError(
          'INVALID_ARGUMENT',
          `web-llm ${webllm.modelVersion} has no prebuilt library for a Qwen2 model with hidden size ${config.hidden_size} and ${config.num_hidden_layers} layers (it has Qwen2.5 0.5B/1.5B/3B/7B); pass --model-lib URL.`,
        );
      }
      // Records name the folder WebLLM will read (`.../resolve/main/`), not rely on the suffix.
      const folderUrl = withResolveSegment(url);
      // The app's record may use an app-relative URL (self-hosted under /models/) and a bare
      // prebuilt library name (the app resolves it with its own web-llm version); WebLLM's own
      // appConfig entry needs absolute URLs, so it is written only for an absolute --model-url.
      const app = appModelRecord(folderUrl, modelId, modelLib, q, r.bytesWritten, contextWindow);
      await writeAtomic(join(top, 'app-model-record.json'), `${JSON.stringify(app, null, 2)}\n`);
      if (/^https?:\/\//.test(url)) {
        const lib = resolveModelLib(modelLib, folderUrl, webllm);
        const record = webLlmRecord(folderUrl, modelId, lib, q, r.bytesWritten, contextWindow);
        await writeAtomic(
          join(top, 'webllm-model-record.json'),
          `${JSON.stringify(record, null, 2)}\n`,
        );
      }
    }
    return r;
  });
  bar.stop();
  return {
    out,
    weights: weightsDir ? join(out, weightsDir) : out,
    quantization: q,
    model_id: modelId,
    model_lib: modelLib ?? null,
    shards: result.shards.length,
    params: result.paramCount,
    bytes: result.bytesWritten,
    source_mb: +(result.sourceBytes / 2 ** 20).toFixed(2),
    seconds: +result.seconds.toFixed(3),
    mb_per_s: +(result.sourceBytes / 2 ** 20 / result.seconds).toFixed(1),
  };
}

async function exportOnnx(
  model: string,
  out: string,
  python: string | undefined,
  externalData: boolean,
  io: CommandIO,
): Promise<Record<string, unknown>> {
  const py = await findPython(python);
  let done: Record<string, unknown> | undefined;
  const r = await runTrainerModule(
    py,
    'export_onnx',
    ['--model', model, '--out', out, ...(externalData ? ['--external-data'] : [])],
    {
      stderr: io.stderr,
      onEvent(e) {
        if (e.event === 'done') done = e;
      },
    },
  );
  if (r.code !== 0 || !done)
    throw new TokenSkipError(
      'MODEL_LOAD_FAILED',
      `ONNX export failed: ${r.lastError ?? `exit ${r.code}`}`,
    );
  return { ...done, torch: py.torch };
}
