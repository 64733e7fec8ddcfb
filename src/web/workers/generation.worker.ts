/**
 * Web Worker hosting one generation engine (ONNX Runtime Web or WebLLM), so the page stays
 * responsive while a model loads and decodes. The page talks to it through Comlink
 * (generation-protocol.ts); every failure crosses as a plain `{name, code, message}`.
 */
import * as Comlink from 'comlink';
import type { Tokenizer } from '@huggingface/tokenizers';
import { TokenSkipError, toTokenSkipError } from '../../core/errors.ts';
import type { GenerationEngine, GenerationEvent } from '../../core/generation/engine.ts';
import { findGenerationModel, type GenerationModelRecord } from '../../core/models/registry.ts';
import { createBrowserEngine, loadTokenizer } from '../../runtime/web/generation-engines.ts';
import {
  clearWebLlmModelCache,
  webLlmLibInfo,
} from '../../runtime/engines/webllm/webllm-engine.ts';
import type { GenerationWorkerApi, TimelinePoint } from './generation-protocol.ts';
import { closeTimeline } from '../../core/generation/timeline.ts';

let engine: GenerationEngine | undefined;
let record: GenerationModelRecord | undefined;
let tokenizer: Promise<Tokenizer> | undefined;
let mirror: string | undefined;
const running = new Map<number, AbortController>();

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toTokenSkipError(error).serialize();
  }
}

const api: GenerationWorkerApi = {
  load: (request, onProgress) =>
    guard(async () => {
      await engine?.unload().catch(() => undefined);
      engine = undefined;
      record = findGenerationModel(request.modelId);
      tokenizer = undefined;
      mirror = request.mirror;
      const next = await createBrowserEngine(record, request.backend, mirror);
      const info = await next.load(onProgress);
      // One throwaway token: the first run pays for shader compilation and buffer allocation,
      // which would otherwise land on whichever generation happens to come first (γ = 1 in a
      // side-by-side run or a benchmark) and inflate the measured speedup.
      await next.generate('Hello', { maxNewTokens: 1 });
      engine = next;
      return info;
    }),

  generate: (requestId, prompt, options, onEvent) =>
    guard(async () => {
      if (!engine) throw new TokenSkipError('MODEL_NOT_FOUND', { id: 'noModelLoaded' });
      const controller = new AbortController();
      running.set(requestId, controller);
      const started = performance.now();
      const timeline: TimelinePoint[] = [];
      const timed = (event: GenerationEvent) => {
        // Each token event is one generated token (ONNX: one per decoded token with text; WebLLM:
        // one per streamed chunk, one token each).
        if (event.type === 'token')
          timeline.push({ ms: performance.now() - started, tokens: timeline.length + 1 });
        onEvent(event);
      };
      try {
        const result = await engine.generate(
          prompt,
          { ...options, signal: controller.signal },
          timed,
        );
        return { ...result, timeline: closeTimeline(timeline, result) };
      } finally {
        running.delete(requestId);
      }
    }),

  cancel: (requestId) => running.get(requestId)?.abort(),

  countTokens: (texts) =>
    guard(async () => {
      if (!record) throw new TokenSkipError('MODEL_NOT_FOUND', { id: 'noModelLoaded' });
      const current = record;
      if (!tokenizer) {
        tokenizer = loadTokenizer(current, mirror);
        tokenizer.catch(() => (tokenizer = undefined)); // a failed fetch is retried next time
      }
      const tok = await tokenizer;
      return texts.map((t) =>
        t === '' ? 0 : tok.encode(t, { add_special_tokens: false }).ids.length,
      );
    }),

  unload: () =>
    guard(async () => {
      await engine?.unload();
      engine = undefined;
    }),

  webllmLibInfo: () => guard(webLlmLibInfo),

  webllmHasModelInCache: (modelId, appConfig) =>
    guard(async () => (await import('@mlc-ai/web-llm')).hasModelInCache(modelId, appConfig)),

  webllmClearCache: (modelId, appConfig) => guard(() => clearWebLlmModelCache(modelId, appConfig)),
};

Comlink.expose(api);
