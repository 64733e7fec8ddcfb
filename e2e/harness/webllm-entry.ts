/**
 * Browser entry for e2e/webllm-load.spec.ts, bundled by esbuild at test time: our WebLLM adapter
 * with WebLLM's real CreateMLCEngine (no fake), exposed on `window` for the spec to drive.
 */
import { hasModelInCache, modelLibURLPrefix, modelVersion } from '@mlc-ai/web-llm';
import {
  createWebLlmEngine,
  webLlmAppConfig,
} from '../../src/runtime/engines/webllm/webllm-engine.ts';
import type { WebLlmModelRecord } from '../../src/core/models/registry.ts';
import { webLlmModelBase } from '../../src/core/generation/webllm-urls.ts';
import { TokenSkipError } from '../../src/core/errors.ts';

async function load(record: WebLlmModelRecord) {
  const engine = createWebLlmEngine({
    record,
    models: [record],
    appBase: location.href,
    // The load fails at the library, before WebLLM asks for a GPU; our own check needs features.
    gpuFeatures: async () => new Set(['shader-f16']),
  });
  try {
    await engine.load();
    return { ok: true };
  } catch (error) {
    const e = error as TokenSkipError;
    const cause = (e as { cause?: unknown }).cause as Error | undefined;
    return { ok: false, code: e.code, message: e.message, causeName: cause?.name ?? '' };
  }
}

async function cacheKeys(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    out[name] = (await cache.keys()).map((r) => new URL(r.url).pathname).sort();
  }
  return out;
}

/** The tokenizer as the app's loadTokenizer reads it: from the folder WebLLM reads. */
async function tokenizerStatus(record: WebLlmModelRecord): Promise<number> {
  const url = new URL('tokenizer.json', webLlmModelBase(record.model, location.href));
  return (await fetch(url, { cache: 'no-store' })).status;
}

/** WebLLM's own verdict on the record, with the AppConfig the adapter loads it with. */
function hasModel(record: WebLlmModelRecord): Promise<boolean> {
  const appConfig = webLlmAppConfig(record, location.href, { modelLibURLPrefix, modelVersion });
  return hasModelInCache(record.id, appConfig);
}

Object.assign(window, { harness: { load, cacheKeys, tokenizerStatus, hasModel } });
document.body.dataset.ready = '1';
