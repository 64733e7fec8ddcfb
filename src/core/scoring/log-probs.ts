/**
 * Log-probabilities of the next token from a causal LM's logits, in pure TS so the math is the same
 * in the browser, in Node and in the tests.
 *
 * A causal LM's logits at position t are its prediction for the token at t + 1. `gatherNextTokenLogProbs`
 * turns `logits[T, V]` (row-major, one sequence) into `out[t] = log p(ids[t + 1] | ids[0..t])` with a
 * numerically stable log-softmax (max subtracted, sum in float64), so a 150k-entry vocabulary does
 * not overflow `exp`.
 *
 *   const lp = gatherNextTokenLogProbs(logits, ids.length, vocab, ids); // lp.length === ids.length - 1
 */
import { TokenSkipError } from '../errors.ts';

/** log softmax(row)[target] for one row of logits, computed in float64. */
export function logSoftmaxAt(
  logits: ArrayLike<number>,
  rowStart: number,
  vocab: number,
  target: number,
): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) {
    const x = logits[rowStart + v] as number;
    if (x > max) max = x;
  }
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp((logits[rowStart + v] as number) - max);
  return (logits[rowStart + target] as number) - max - Math.log(sum);
}

/**
 * Gathers the log-probability of each actual next token.
 *
 * @param logits  `[rows, vocab]` logits of one sequence, row-major (`rows >= positions`).
 * @param positions  how many rows to read, starting at row 0.
 * @param vocab  vocabulary size (last dimension of the logits).
 * @param nextIds  `nextIds[t]` is the token whose log-prob row `t` gives (usually `ids[t + 1]`).
 * @returns  `out[t] = log_softmax(logits[t])[nextIds[t]]` for `t < positions`.
 */
export function gatherNextTokenLogProbs(
  logits: ArrayLike<number>,
  positions: number,
  vocab: number,
  nextIds: ArrayLike<number>,
): Float32Array {
  if (logits.length < positions * vocab) {
    throw new TokenSkipError('MODEL_OUTPUT_INVALID', {
      id: 'logitsTooFew',
      params: { logits: logits.length, positions, vocab },
    });
  }
  const out = new Float32Array(positions);
  for (let t = 0; t < positions; t++) {
    const target = nextIds[t];
    if (target === undefined || target < 0 || target >= vocab || !Number.isInteger(target)) {
      throw new TokenSkipError('MODEL_OUTPUT_INVALID', {
        id: 'tokenOutsideVocab',
        params: { token: String(target), position: t + 1, vocab },
      });
    }
    out[t] = logSoftmaxAt(logits, t * vocab, vocab, target);
  }
  return out;
}
