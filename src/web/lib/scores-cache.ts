/**
 * Scores this browser computed, kept for the next visit: an LLMLingua-2 `LinguaScored` per model
 * file (its sha256), text and options, in the Cache Storage cache `tokenskip-scores-v1` through the
 * app's file store (runtime/hub/cache-store.ts). The Learn page shows them at once on a later visit,
 * labelled as this browser's earlier scores, while the scorer loads; the live scores replace them.
 * Without Cache Storage nothing is kept and nothing is found.
 */
import type { LinguaOptions, LinguaScored } from '../../core/compression/llmlingua2.ts';
import { sameOptions } from '../../core/compression/scores-reference.ts';
import { cacheFileStore } from '../../runtime/hub/cache-store.ts';
import { sha256Hex } from '../../runtime/hub/file-integrity.ts';

export const SCORES_CACHE = 'tokenskip-scores-v1';
const store = cacheFileStore(SCORES_CACHE);

interface Entry {
  modelSha256: string;
  cot: string;
  options: Partial<LinguaOptions>;
  scored: LinguaScored;
}

async function keyOf(
  modelSha256: string,
  cot: string,
  options: Partial<LinguaOptions>,
): Promise<string> {
  const hex = await sha256Hex(new TextEncoder().encode(JSON.stringify([cot, options])));
  // Cache Storage keys are URLs; this one is never fetched.
  return new URL(`/__tokenskip-scores/${modelSha256}/${hex}`, globalThis.location.origin).href;
}

/** The scores kept for this model file, text and options, if this browser computed them. */
export async function readCachedScores(
  modelSha256: string,
  cot: string,
  options: Partial<LinguaOptions>,
): Promise<LinguaScored | undefined> {
  try {
    const bytes = await store.read(await keyOf(modelSha256, cot, options));
    if (!bytes) return undefined;
    const entry = JSON.parse(new TextDecoder().decode(bytes)) as Entry;
    // The key is a hash: check what it stands for, so a collision or an old format shows nothing.
    return entry.modelSha256 === modelSha256 &&
      entry.cot === cot &&
      sameOptions(entry.options, options) &&
      entry.scored?.scorer === 'llmlingua2'
      ? entry.scored
      : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps live scores for the next visit; a failure (quota, no Cache Storage) loses only the shortcut. */
export async function writeCachedScores(
  modelSha256: string,
  cot: string,
  options: Partial<LinguaOptions>,
  scored: LinguaScored,
): Promise<void> {
  try {
    const entry: Entry = { modelSha256, cot, options, scored };
    await store.write(
      await keyOf(modelSha256, cot, options),
      new TextEncoder().encode(JSON.stringify(entry)),
    );
  } catch {
    // Nothing to do: the next visit waits for the scorer, as without the cache.
  }
}
