/**
 * The causal scorers' γ selection: which units of each window to keep.
 *
 * Reference rule (LLMLingua's `get_estimate_threshold_base_distribution`, used by CTS per window of
 * 1,800 tokens): `ratio == 1` keeps everything; otherwise sort the window's scores descending, take
 * the value at index `k = clamp(floor(N * ratio) - 1, 0, N - 1)` as the threshold and keep the scores
 * strictly above it. Consequences, kept on purpose in 'reference' mode:
 *   - with distinct scores it keeps `floor(N * ratio) - 1` units, one fewer than `floor(N * ratio)`;
 *   - every unit tied with the threshold is dropped, so ties can drop more;
 *   - `floor(N * ratio) <= 1` (short windows, low ratios) clamps k to 0 and keeps nothing but the
 *     scores above the maximum, i.e. nothing;
 *   - `floor` runs on the float product, as Python's `int()` does: 10 * 0.7 = 7.000000000000001 -> 7,
 *     100 * 0.29 = 28.999999999999996 -> 28.
 * 'exact' mode keeps exactly `round(N * ratio)` units (ties broken by text order) for users who want
 * the requested ratio rather than the reference's.
 */
import { validateRate } from '../compression/llmlingua2.ts';
import type { SelectionMode } from './types.ts';

export function validateRatio(ratio: number): void {
  validateRate(ratio, 'γ');
}

/** The reference threshold for one window (−Infinity keeps all). */
export function referenceThreshold(scores: ArrayLike<number>, ratio: number): number {
  if (ratio === 1 || scores.length === 0) return -Infinity;
  const sorted = Float64Array.from(scores).sort().reverse();
  const k = Math.max(0, Math.min(sorted.length - 1, Math.floor(sorted.length * ratio) - 1));
  return sorted[k] as number;
}

/** Keep flags for one window's scores. */
export function selectWindow(
  scores: ArrayLike<number>,
  ratio: number,
  mode: SelectionMode = 'reference',
): boolean[] {
  validateRatio(ratio);
  const n = scores.length;
  if (mode === 'reference') {
    const threshold = referenceThreshold(scores, ratio);
    return Array.from({ length: n }, (_, i) => (scores[i] as number) > threshold);
  }
  const keep = Math.round(n * ratio);
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[b] as number) - (scores[a] as number) || a - b,
  );
  const flags = new Array<boolean>(n).fill(false);
  for (const i of order.slice(0, keep)) flags[i] = true;
  return flags;
}
