/**
 * The one scorer Web Worker: every scorer kind (LLMLingua-2 and the mini scorer; CTS and perplexity
 * over a reference causal LM) behind one protocol (scorer-protocol.ts), so onnxruntime-web and the
 * tokenizers are built, downloaded and HTTP-cached once and the page never freezes while a model
 * loads or runs. It holds one model per kind, so comparing LLMLingua-2 with CTS reloads neither.
 * It only scores: selection at γ runs in the page on the scores it returned.
 */
import * as Comlink from 'comlink';
import { TokenSkipError, toTokenSkipError } from '../../core/errors.ts';
import { clearModelCache } from '../../runtime/hub/web/model-cache.ts';
import { loadLinguaModel } from '../../runtime/web/scorer-web.ts';
import type { LoadedModel } from '../../runtime/web/loaded-model.ts';
import type { ScorerKind, ScorerWorkerApi } from './scorer-protocol.ts';

const models = new Map<ScorerKind, LoadedModel>();

/** Runs `fn`, turning any failure into a plain `{name, code, message}` that survives postMessage. */
async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toTokenSkipError(error).serialize();
  }
}

const api: ScorerWorkerApi = {
  load: (request, onProgress) =>
    guard(async () => {
      // Free the previous model of this kind first: two large models may not fit side by side.
      await models.get(request.kind)?.release();
      models.delete(request.kind);
      const model =
        request.kind === 'llmlingua2'
          ? await loadLinguaModel(request, onProgress)
          : // CTS and perplexity only: not parsed before the Learn page's first scores.
            await (
              await import('../../runtime/web/causal-scorer-web.ts')
            ).loadCausalModel(request, onProgress);
      models.set(request.kind, model);
      return model.info;
    }),

  score: (request) =>
    guard(async () => {
      const kind: ScorerKind = request.scorer === 'llmlingua2' ? 'llmlingua2' : 'causal';
      const scorer = models.get(kind)?.scorer(request);
      if (!scorer) {
        throw new TokenSkipError('MODEL_NOT_FOUND', {
          id: kind === 'llmlingua2' ? 'noScorerLoaded' : 'noReferenceLoaded',
        });
      }
      const started = performance.now();
      const scored = await scorer.score(request.input);
      return { scored, scoreMs: performance.now() - started };
    }),

  clearCache: () => guard(() => clearModelCache()),
};

Comlink.expose(api);
