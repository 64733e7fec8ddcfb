/**
 * The causal scorers' γ selection: which units of each window to keep.
 *
 * Reference rule (LLMLingua's `get_estimate_threshold_base_distribution`, used by CTS per window of
 * 1,800 tokens): `gamma == 1` keeps everything; otherwise sort the window's scores descending, take
 * the value at index `k = clamp(floor(N * gamma) - 1, 0, N - 1)` as the threshold and keep the scores
 * strictly above it. Consequences, kept on purpose in 'reference' mode:
 *   - with distinct scores it keeps `floor(N * gamma) - 1` units, one fewer than `floor(N * gamma)`;
 *   - every unit tied with the threshold is dropped, so ties can drop more;
 *   - `floor(N * gamma) <= 1` (short windows, low γ) clamps k to 0 and keeps nothing but the
 *     scores above the maximum, i.e. nothing;
 *   - `floor` runs on the float product, as Python's `int()` does: 10 * 0.7 = 7.000000000000001 -> 7,
 *     100 * 0.29 = 28.999999999999996 -> 28.
 * 'exact' mode keeps exactly `round(N * gamma)` units (ties broken by text order) for users who want
 * the requested γ rather than the reference's.
 */
import { validateGamma } from '../prompts/gamma.ts';
import type { SelectionMode } from './types.ts';

/** The reference threshold for one window (−Infinity keeps all). */
export function referenceThreshold(scores: ArrayLike<number>, gamma: number): number {
  if (gamma === 1 || scores.length === 0) return -Infinity;
  const sorted = Float64Array.from(scores).sort().reverse();
  const k = Math.max(0, Math.min(sorted.length - 1, Math.floor(sorted.length * gamma) - 1));
  return sorted[k] as number;
}

/** Keep flags for one window's scores. */
export function selectWindow(
  scores: ArrayLike<number>,
  gamma: number,
  mode: SelectionMode = 'reference',
): boolean[] {
  validateGamma(gamma, 'γ');
  const n = scores.length;
  if (mode === 'reference') {
    const threshold = referenceThreshold(scores, gamma);
    return Array.from({ length: n }, (_, i) => (scores[i] as number) > threshold);
  }
  const keep = Math.round(n * gamma);
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number) || a - b,
  );
  const flags = new Array<boolean>(n).fill(false);
  for (const i of order.slice(0, keep)) flags[i] = true;
  return flags;
}
