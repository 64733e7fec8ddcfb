/**
 * The app's default models, in one place so switching them is a one-line change: the shipped
 * TokenSkip-mini pair and its scorer (models/mini/, trained by `tokenskip mini`), named by
 * `defaults` in the model registry (models/manifest.json). The random fixtures under
 * models/fixtures/ are for tests and are never a default. Every page, the Learn page's live demo
 * and the Benchmark preset read these; no component names a model id itself.
 */
import { DEFAULT_MODELS } from '../../core/models/registry.ts';

/** The LLMLingua-2 scorer a page uses unless the URL names another (a registry scorer id). */
export const DEFAULT_SCORER_ID = DEFAULT_MODELS.scorer;

/** The generation model a page uses unless the URL names another (a registry causal LM id). */
export const DEFAULT_GENERATION_MODEL_ID = DEFAULT_MODELS.generation;

/** The causal LM CTS and perplexity score with unless the URL names another: the mini base model. */
export const DEFAULT_REFERENCE_MODEL_ID = DEFAULT_MODELS.reference;
