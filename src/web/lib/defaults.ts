/**
 * The app's default models, in one place so switching them is a one-line change: the shipped
 * TokenSkip-mini pair and its scorer (models/mini/, trained by `tokenskip mini`). The random
 * fixtures under models/fixtures/ are for tests and are never a default. Every page, the
 * Learn page's live demo and the Benchmark preset read these; no component names a model id itself.
 */

/** The LLMLingua-2 scorer a page uses unless the URL names another (an id in models/manifest.json). */
export const DEFAULT_SCORER_ID = 'mini-scorer';

/** The generation model a page uses unless the URL names another (an id in GENERATION_MODELS). */
export const DEFAULT_GENERATION_MODEL_ID = 'mini-tokenskip';

/** The causal LM CTS and perplexity score with unless the URL names another: the mini base model. */
export const DEFAULT_REFERENCE_MODEL_ID = 'mini-base';
