/**
 * The app's default models, in one place so switching them is a one-line change. Every page, the
 * Learn page's live demo and the Benchmark preset read these; no component names a model id itself.
 */

/** The LLMLingua-2 scorer a page uses unless the URL names another (an id in models/manifest.json). */
export const DEFAULT_SCORER_ID = 'tiny-lingua-xlmr';

/** The generation model a page uses unless the URL names another (an id in GENERATION_MODELS). */
export const DEFAULT_GENERATION_MODEL_ID = 'tiny-qwen2';
