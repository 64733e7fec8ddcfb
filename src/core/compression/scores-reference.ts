/**
 * The Learn page's reference scores (data/reference/learn-mini.json, written by
 * scripts/make-learn-reference.ts): the shipped mini scorer's scores of the worked example (en and
 * zh) with the page's own options, computed once in onnxruntime-node. The page paints its heat map
 * from them on first paint, labelled as the reference, while the scorer loads in the browser; the
 * live scores replace them. tests/web/learn-reference.test.ts re-runs the model and checks them.
 */
import type { LinguaOptions, LinguaScored } from './llmlingua2.ts';

export interface ScoresReference {
  /** Registry scorer id. */
  model: string;
  /** sha256 of the ONNX graph that scored (the registry's WASM variant). */
  modelSha256: string;
  /** What scored: the engine and its CPU threads. */
  engine: string;
  /** The options the page sends with the text (CompressSession.options() on Learn). */
  options: Partial<LinguaOptions>;
  languages: Record<'en' | 'zh', { cot: string; scored: LinguaScored }>;
}

/** The same options, whatever the key order. */
export function sameOptions(a: Partial<LinguaOptions>, b: Partial<LinguaOptions>): boolean {
  const canonical = (o: Partial<LinguaOptions>) =>
    JSON.stringify(Object.fromEntries(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1))));
  return canonical(a) === canonical(b);
}

/**
 * The reference's scores for exactly this model file, text and options; undefined for anything
 * else (another model, an edited text, another option), which must wait for the live scorer.
 */
export function referenceScoresFor(
  reference: ScoresReference,
  wanted: { modelId: string; modelSha256: string; cot: string; options: Partial<LinguaOptions> },
): LinguaScored | undefined {
  if (
    wanted.modelId !== reference.model ||
    wanted.modelSha256 !== reference.modelSha256 ||
    !sameOptions(wanted.options, reference.options)
  )
    return undefined;
  return Object.values(reference.languages).find((l) => l.cot === wanted.cot)?.scored;
}
