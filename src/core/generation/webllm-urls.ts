/**
 * URLs the way WebLLM computes them, so our own reads (the tokenizer beside the weights, the export
 * layout, the cache helpers) hit exactly the files WebLLM fetches.
 *
 * Model folders. @mlc-ai/web-llm 0.2.86 (lib/index.js, `cleanModelUrl`, not exported from the
 * package) does, for EVERY `ModelRecord.model`, hub or not:
 *
 *     modelUrl += modelUrl.endsWith("/") ? "" : "/";
 *     if (!modelUrl.match(/.+\/resolve\/.+\//)) modelUrl += "resolve/main/";
 *     return new URL(modelUrl).href;
 *
 * and reads mlc-chat-config.json, tokenizer.json, tensor-cache.json and the shards relative to the
 * result (reloadInternal, asyncLoadTokenizer, hasModelInCache, deleteModel*InCache). A self-hosted
 * folder must therefore be served under `.../resolve/main/` (what `tokenskip export mlc` writes), or
 * the record must already name a `/resolve/<rev>/` segment. `tests/generation/webllm-urls.test.ts`
 * checks `withResolveSegment` against the function text in the installed package.
 *
 * Model libraries. web-llm exports `modelLibURLPrefix` and `modelVersion` (the prebuilt libraries
 * its npm version is compatible with). Records name a prebuilt library by its bare file name
 * (`Qwen2-0.5B-Instruct-q4f16_1_cs1k-webgpu.wasm`) and `resolveModelLib` builds the URL from those
 * two exports at load time, so upgrading web-llm moves the libraries with it.
 */

/** WebLLM's rule on a model URL string (absolute or app-relative): trailing slash, then `resolve/main/` unless a `/resolve/<x>/` segment is present. */
export function withResolveSegment(model: string): string {
  const url = model.endsWith('/') ? model : `${model}/`;
  return hasResolveSegment(url) ? url : `${url}resolve/main/`;
}

/** Whether WebLLM reads this URL as is (it already has a `/resolve/<x>/` segment). */
export function hasResolveSegment(model: string): boolean {
  return /.+\/resolve\/.+\//.test(model.endsWith('/') ? model : `${model}/`);
}

/** The absolute folder WebLLM reads a record's files from (`cleanModelUrl` after resolving against the app). */
export function webLlmModelBase(model: string, appBase: string): string {
  return new URL(withResolveSegment(model), appBase).href;
}

/** The two web-llm exports that locate its prebuilt libraries. */
export interface WebLlmLibInfo {
  modelLibURLPrefix: string;
  modelVersion: string;
}

/** A bare `*.wasm` file name (no slash, no scheme) names a prebuilt library of the installed web-llm. */
export function isPrebuiltLibName(lib: string): boolean {
  return /^[\w.-]+\.wasm$/.test(lib);
}

/** A record's `modelLib` as an absolute URL: prebuilt names go to web-llm's own library folder. */
export function resolveModelLib(lib: string, appBase: string, info: WebLlmLibInfo): string {
  if (isPrebuiltLibName(lib)) {
    const prefix = info.modelLibURLPrefix.endsWith('/')
      ? info.modelLibURLPrefix
      : `${info.modelLibURLPrefix}/`;
    return `${prefix}${info.modelVersion}/${lib}`;
  }
  return new URL(lib, appBase).href;
}
