/**
 * `numpy.percentile(values, q)` with numpy's default "linear" method, reproduced bit for bit.
 *
 * LLMLingua-2 thresholds words with numpy; a naive percentile differs on ties and on the float
 * rounding of `q / 100 * (n - 1)`, which changes which words survive. numpy computes the virtual
 * index as `(q / 100) * (n - 1)` and interpolates with a lerp that switches form at t = 0.5
 * (numpy/lib/function_base.py `_lerp`), so the same operations are used here in float64.
 */
import { TokenSkipError } from '../errors.ts';

export function numpyPercentile(values: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 100)) {
    throw new TokenSkipError('INVALID_ARGUMENT', { id: 'percentileRange', params: { got: q } });
  }
  const n = values.length;
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const virtualIndex = (q / 100) * (n - 1);
  const previous = Math.floor(virtualIndex);
  const next = Math.min(previous + 1, n - 1);
  const t = virtualIndex - previous;
  const a = sorted[previous]!;
  const b = sorted[next]!;
  return lerp(a, b, t);
}

/** numpy's `_lerp`: `a + (b - a) * t`, computed from `b` when t >= 0.5 for monotonicity. */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}
