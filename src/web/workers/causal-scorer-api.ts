/**
 * The CTS and perplexity scorers: a reference causal LM on ORT-web (WebGPU or WASM), hosted by the
 * scorer worker (scorer.worker.ts). The page talks to it through Comlink (see
 * causal-scorer-protocol.ts).
 */
import * as ort from 'onnxruntime-web/webgpu';
import { TokenSkipError, toTokenSkipError } from '../../core/errors.ts';
import { createCausalScorer } from '../../core/scoring/causal-scorer.ts';
import { selectCausal } from '../../core/scoring/causal-select.ts';
import {
  loadReferenceModel,
  type OrtWithSessions,
  type ReferenceModel,
} from '../../runtime/scorers/causal-scorer-loader.ts';
import { chooseBackend } from '../../runtime/web/backend.ts';
import { readCachedFile } from '../../runtime/web/model-cache.ts';
import { fetchOk } from '../../runtime/models/fetch-ok.ts';
import type { CausalWorkerApi } from './causal-scorer-protocol.ts';

let reference: ReferenceModel | undefined;

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toTokenSkipError(error).serialize();
  }
}

export const causalScorerApi: CausalWorkerApi = {
  load: (request, onProgress) =>
    guard(async () => {
      const started = performance.now();
      const choice = await chooseBackend(request.backend);
      ort.env.wasm.numThreads = choice.threads;
      const base = new URL(
        `${request.model.replace(/\/+$/, '')}/`,
        new URL('/', self.location.href),
      );
      const local = base.origin === self.location.origin;
      let fromCache = !local;
      const readFile = async (path: string): Promise<Uint8Array> => {
        const url = new URL(path, base).href;
        if (!local) {
          const result = await readCachedFile(url, path, undefined, onProgress);
          fromCache &&= result.fromCache;
          return result.data;
        }
        // The app's own models change with the app: fetch them, never from a stale cache.
        const response = await fetchOk(url, `${request.model}/${path}`);
        const data = new Uint8Array(await response.arrayBuffer());
        onProgress({
          file: path,
          loaded: data.byteLength,
          total: data.byteLength,
          fromCache: false,
        });
        return data;
      };
      await reference?.session.release();
      reference = undefined;
      reference = await loadReferenceModel(
        ort as unknown as OrtWithSessions,
        request.model,
        readFile,
        {
          sessionOptions: { executionProviders: [choice.backend], graphOptimizationLevel: 'all' },
          onnxFile: request.graphs?.[choice.backend] ?? 'onnx/model.onnx',
        },
      );
      return {
        modelId: request.model,
        dtype: 'fp32',
        fromCache,
        backend: choice.backend,
        reason: choice.reason,
        threads: choice.threads,
        loadMs: performance.now() - started,
        vocab: reference.config.vocab_size,
        layers: reference.config.num_hidden_layers,
      };
    }),

  score: (request) =>
    guard(async () => {
      if (!reference) {
        throw new TokenSkipError(
          'MODEL_NOT_FOUND',
          'No reference model is loaded: pick one and press Compress.',
        );
      }
      const scorer = createCausalScorer(
        request.scorer,
        reference.lm,
        reference.tokenizer,
        reference.id,
        request.options,
      );
      const started = performance.now();
      const scored = await scorer.score(request.input);
      return { scored, scoreMs: performance.now() - started };
    }),

  select: (scored, rate, mode) => guard(async () => selectCausal(scored, rate, mode)),
};
