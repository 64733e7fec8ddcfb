/**
 * The bench harness worker: the app's own ONNX generation engine (src/runtime/engines/onnx) on
 * onnxruntime-web, and a bare token-classifier session for the WASM thread bench. ORT's WASM
 * thread count is fixed when ORT first initialises, so each configuration gets a fresh page.
 */
import * as Comlink from 'comlink';
import * as ort from 'onnxruntime-web/webgpu';
import {
  CausalLm,
  parseCausalLmConfig,
  type OrtLike,
} from '../../src/runtime/engines/onnx/causal-lm.ts';
import type { ModelFiles } from '../../src/runtime/engines/onnx/model-files.ts';
import { createOnnxEngine } from '../../src/runtime/engines/onnx/onnx-engine.ts';
import type { ScorerManifestEntry } from '../../src/core/models/registry.ts';
import { selectScored } from '../../src/core/scoring/select.ts';
import { loadLinguaEntry } from '../../src/runtime/web/scorer-web.ts';
import { ortFor } from '../../src/runtime/web/ort-web.ts';
import type {
  ClassifyReport,
  ClassifyRequest,
  GenerateReport,
  GenerateRequest,
  HarnessApi,
  LargeReport,
  LargeRequest,
  PeerBrowserReport,
  PeerBrowserRequest,
} from './protocol.ts';
import { loadScorer } from '../../src/runtime/scorers/scorer-loader.ts';
import type { OrtLike as ClassifierOrt } from '../../src/runtime/scorers/onnx-token-classifier.ts';
import { ourSide, peerSide, runPeerComparison } from '../peer/sides.ts';

/**
 * A manifest entry for a generated model folder on the harness, in the layout of the XLM-R large
 * export (onnx/model.onnx + model.onnx_data, optionally model_fp16.onnx + model_fp16.onnx_data).
 * No sizes or hashes: as for the real hub model, they are recorded at the first download.
 */
function largeEntry(base: string, offerFp16: boolean): ScorerManifestEntry {
  const fp32 = { file: 'onnx/model.onnx', dtype: 'fp32', externalData: ['onnx/model.onnx_data'] };
  const fp16 = {
    file: 'onnx/model_fp16.onnx',
    dtype: 'fp16',
    externalData: ['onnx/model_fp16.onnx_data'],
  };
  return {
    id: 'bench-large',
    label: 'Generated XLM-R-large-sized scorer',
    kind: 'token-classifier',
    family: 'xlmr',
    source: { type: 'path', path: base.replace(/^\//, '') },
    files: [],
    onnx: {
      webgpu: { ...fp32, ...(offerFp16 ? { fp16 } : {}) },
      wasm: fp32,
      node: fp32,
    },
  } as ScorerManifestEntry;
}

async function shaderF16(): Promise<boolean> {
  const gpu = (
    navigator as { gpu?: { requestAdapter(): Promise<{ features: ReadonlySet<string> } | null> } }
  ).gpu;
  const adapter = await gpu?.requestAdapter().catch(() => null);
  return adapter?.features.has('shader-f16') ?? false;
}

/** The app's worker rethrows errors as plain objects; give the bench their message. */
function plain(error: unknown): Error {
  const e = error as { code?: string; message?: string };
  return new Error(`${e.code ?? 'ERROR'}: ${e.message ?? String(error)}`);
}

function files(base: string): ModelFiles {
  return {
    location: base,
    async readBytes(path, onProgress) {
      const response = await fetch(new URL(path, new URL(base, self.location.href)));
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      const data = new Uint8Array(await response.arrayBuffer());
      onProgress?.(data.byteLength, data.byteLength);
      return data;
    },
  };
}

const api: HarnessApi = {
  async large(req: LargeRequest): Promise<LargeReport> {
    const model = await loadLinguaEntry(
      largeEntry(req.base, req.offerFp16),
      { backend: req.backend },
      () => undefined,
    ).catch((error: unknown) => {
      throw plain(error);
    });
    const { info } = model;
    const scorer = model.scorer({ scorer: 'llmlingua2', input: { cot: req.text }, options: {} })!;
    const started = performance.now();
    const scored = await scorer.score({ cot: req.text }).catch((error: unknown) => {
      throw plain(error);
    });
    const scoreMs = performance.now() - started;
    if (scored.scorer !== 'llmlingua2') throw new Error('expected LLMLingua-2 scores');
    const result = selectScored(scored, req.rate);
    await model.release();
    return {
      backend: info.backend,
      reason: info.reason,
      dtype: info.dtype,
      graph: info.dtype === 'fp16' ? 'onnx/model_fp16.onnx' : 'onnx/model.onnx',
      shaderF16: await shaderF16(),
      fromCache: info.fromCache,
      ...(info.integrity ? { integrity: info.integrity } : {}),
      loadMs: info.loadMs,
      scoreMs,
      chunks: scored.chunks.length,
      words: result.word_labels.length,
      kept: result.word_labels.filter(([, k]) => k === 1).map(([w]) => w),
      labels: result.word_labels.map(([, k]) => k),
      compressed: result.compressed_prompt,
    };
  },

  async kvLocation(base: string, kvCacheOnGpu: boolean): Promise<string[]> {
    const f = files(base);
    const config = JSON.parse(new TextDecoder().decode(await f.readBytes('config.json')));
    const lm = await CausalLm.create(
      ort as unknown as OrtLike,
      await f.readBytes('onnx/model.onnx'),
      parseCausalLmConfig(config, base),
      { executionProviders: ['webgpu'] },
      base,
      kvCacheOnGpu,
    );
    const where: string[] = [];
    for (const ids of [[1, 2, 3], [4], [5]]) {
      await lm.forward(ids);
      where.push(lm.kvLocation ?? 'none');
    }
    await lm.release();
    return where;
  },

  async generate(req: GenerateRequest): Promise<GenerateReport> {
    const build = await ortFor({ backend: req.ortBuild ?? req.backend, threads: req.threads });
    const engine = createOnnxEngine({
      modelId: 'bench',
      ort: build as unknown as OrtLike,
      files: files(req.base),
      sessionOptions: { executionProviders: [req.backend], graphOptimizationLevel: 'all' },
      device: req.backend,
      detail: `onnxruntime-web ${req.backend}${req.backend === 'wasm' ? `, ${req.threads} thread(s), ${req.ortBuild === 'webgpu' ? "the WebGPU build's Asyncify binary" : 'the plain WASM build'}` : ''}`,
      kvCacheOnGpu: req.kvCacheOnGpu && req.backend === 'webgpu',
    });
    const info = await engine.load();
    const opts = (maxNewTokens: number) => ({
      maxNewTokens,
      ignoreEos: req.ignoreEos,
      ...(req.stop ? { stop: req.stop } : {}),
    });
    // Warm-up: the full budget whatever the stop tokens say, so every KV length has been seen.
    for (let i = 0; i < req.warmup; i++) {
      await engine.generate(req.prompts[0]!, { maxNewTokens: req.maxNewTokens, ignoreEos: true });
    }
    const runs: GenerateReport['runs'] = [];
    for (let r = 0; r < req.repeats; r++) {
      for (const [p, prompt] of req.prompts.entries()) {
        const res = await engine.generate(prompt, opts(req.maxNewTokens));
        runs.push({
          prompt: p,
          tokenIds: res.tokenIds ?? [],
          text: res.text,
          completionTokens: res.usage.completionTokens,
          timeToFirstTokenMs: res.usage.timeToFirstTokenMs,
          decodeTokensPerSecond: res.usage.decodeTokensPerSecond,
          e2eLatencyMs: res.usage.e2eLatencyMs,
        });
      }
    }
    await engine.unload();
    return { detail: info.detail, device: info.device, loadMs: info.loadMs, runs };
  },

  async classify(req: ClassifyRequest): Promise<ClassifyReport> {
    ort.env.wasm.numThreads = req.threads;
    const model = new Uint8Array(await (await fetch(req.url)).arrayBuffer());
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
    const n = req.seqLen;
    const ids = new BigInt64Array(n);
    for (let i = 0; i < n; i++) ids[i] = BigInt(5 + ((i * 7919) % (req.vocabSize - 5)));
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const data =
        name === 'input_ids'
          ? ids
          : name === 'attention_mask'
            ? new BigInt64Array(n).fill(1n)
            : new BigInt64Array(n);
      feeds[name] = new ort.Tensor('int64', data, [1, n]);
    }
    const ms: number[] = [];
    for (let i = 0; i < req.warmup + req.repeats; i++) {
      const t0 = performance.now();
      const out = await session.run(feeds);
      const t = performance.now() - t0;
      for (const v of Object.values(out)) v.dispose();
      if (i >= req.warmup) ms.push(t);
    }
    await session.release();
    return {
      threads: req.threads,
      crossOriginIsolated: self.crossOriginIsolated,
      inputNames: session.inputNames.slice(),
      ms,
    };
  },

  async peer(req: PeerBrowserRequest): Promise<PeerBrowserReport> {
    // Loaded here only: the other benches never pay for transformers.js.
    const { env } = await import('@huggingface/transformers');
    const { LLMLingua2 } = await import('@atjsh/llmlingua-2');
    const { Tiktoken } = await import('js-tiktoken/lite');
    const { default: cl100k } = await import('js-tiktoken/ranks/cl100k_base');
    // transformers.js fetches `<localModelPath><name>/...`; its ORT build's .wasm would come from a
    // CDN unless wasmPaths is set (transformers.web.js, the `ONNX_ENV.wasm.wasmPaths` default).
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = req.modelsBase;
    env.useBrowserCache = false;
    env.useWasmCache = false;
    const peerOrt = env.backends.onnx as { wasm: { wasmPaths: unknown; numThreads: number } };
    // Vite resolves transformers.js's `onnxruntime-web/webgpu` import to the same module as ours
    // when onnxruntime-web is excluded from pre-bundling (vite.config.ts): then both sides run on
    // one ORT instance, which finds its .wasm next to itself once the CDN default is cleared.
    const sharedOrt = peerOrt.wasm === (ort.env.wasm as unknown);
    peerOrt.wasm.wasmPaths = sharedOrt
      ? undefined
      : {
          mjs: `${req.peerOrtBase}ort-wasm-simd-threaded.asyncify.mjs`,
          wasm: `${req.peerOrtBase}ort-wasm-simd-threaded.asyncify.wasm`,
        };
    peerOrt.wasm.numThreads = req.threads;
    ort.env.wasm.numThreads = req.threads;

    let t = performance.now();
    const { promptCompressor } = await LLMLingua2.WithBERTMultilingual(req.modelName, {
      transformerJSConfig: { device: req.backend, dtype: 'fp32' },
      oaiTokenizer: new Tiktoken(cl100k),
    });
    const peerLoad = performance.now() - t;
    t = performance.now();
    const base = new URL(`${req.modelsBase}${req.modelName}/`, self.location.href);
    const readFile = async (path: string) => {
      const response = await fetch(new URL(path, base));
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    };
    // The app's own session options (src/web/workers/lingua-scorer-api.ts).
    const ours = await loadScorer(
      req.modelName,
      readFile,
      { file: 'onnx/model.onnx', dtype: 'fp32' },
      ort as unknown as ClassifierOrt,
      { executionProviders: [req.backend], graphOptimizationLevel: 'all' },
    );
    const ourLoad = performance.now() - t;
    const counter = { calls: 0 };
    const report = await runPeerComparison(
      req,
      ourSide(ours.tokenizer, ours.classifier, counter),
      peerSide(promptCompressor),
      counter,
    );
    const latencyTokens = ours.tokenizer.tokenize(req.texts[req.latencyText]!).length;
    await ours.classifier.release();
    return {
      ...report,
      crossOriginIsolated: self.crossOriginIsolated,
      ortVersions: { ours: ort.env.versions.web ?? '?', peer: sharedOrt ? 'shared' : 'own' },
      loadMs: { ours: ourLoad, peer: peerLoad },
      latencyTokens,
    };
  },
};

Comlink.expose(api);
