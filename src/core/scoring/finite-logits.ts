/**
 * Models whose weights are corrupt (NaN / Inf from a bad export, flipped bytes, an fp16 overflow)
 * still run: they return NaN logits, and every score built on them is NaN, so a compressor keeps
 * nothing and a generator emits token 0 forever — 200 empty results and exit 0. Every place that
 * reads logits checks the values it uses and stops with this error instead.
 */
import { TokenSkipError } from '../errors.ts';

/**
 * Index of the first NaN or +Infinity in `data[from, to)`, or -1. -Infinity is allowed: models
 * mask tokens that way, and softmax handles it.
 */
export function firstInvalidLogit(data: ArrayLike<number>, from = 0, to = data.length): number {
  for (let i = from; i < to; i++) {
    const x = data[i]!;
    if (Number.isNaN(x) || x === Infinity) return i;
  }
  return -1;
}

/** Throws MODEL_OUTPUT_INVALID when `data[from, to)` holds a NaN or +Infinity. */
export function checkFiniteLogits(
  data: ArrayLike<number>,
  model: string,
  from = 0,
  to = data.length,
): void {
  const bad = firstInvalidLogit(data, from, to);
  if (bad < 0) return;
  throw new TokenSkipError('MODEL_OUTPUT_INVALID', {
    id: 'logitsNotFinite',
    params: { model, value: String(data[bad]) },
  });
}
