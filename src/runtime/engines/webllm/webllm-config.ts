/**
 * Our WebLLM model record as WebLLM's ModelRecord and AppConfig: plain data, no web-llm code (its
 * types only), so the page can name WebLLM's cache keys without bundling WebLLM. The library
 * itself is loaded in the generation worker alone (webllm-engine.ts, generation.worker.ts), so the
 * build holds one copy of it.
 */
import type { AppConfig, ModelRecord } from '@mlc-ai/web-llm';
import type { WebLlmModelRecord } from '../../../core/models/registry.ts';
import {
  resolveModelLib,
  webLlmModelBase,
  type WebLlmLibInfo,
} from '../../../core/generation/webllm-urls.ts';

/** Our record as a WebLLM ModelRecord, with absolute URLs (WebLLM's own folder rule applied). */
export function toModelRecord(
  record: WebLlmModelRecord,
  appBase: string,
  libInfo: WebLlmLibInfo,
): ModelRecord {
  return {
    model: webLlmModelBase(record.model, appBase),
    model_id: record.id,
    model_lib: resolveModelLib(record.modelLib, appBase, libInfo),
    vram_required_MB: record.vramRequiredMB,
    low_resource_required: true,
    required_features: record.requiredFeatures,
    overrides: { context_window_size: record.contextWindowSize },
  };
}

/**
 * The AppConfig WebLLM loads a record with: the one record, and the Cache API backend (WebLLM's
 * default, named here because the Models page writes its downloads into those caches).
 */
export function webLlmAppConfig(
  record: WebLlmModelRecord,
  appBase: string,
  libInfo: WebLlmLibInfo,
): AppConfig {
  return { model_list: [toModelRecord(record, appBase, libInfo)], cacheBackend: 'cache' };
}
