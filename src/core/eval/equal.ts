/**
 * Answer equivalence as TokenSkip judges it (DeepSeek-Math `math_equal`, `is_correct`, `eval_math`).
 *
 * `mathEqual(prediction, reference)` is true when, in this order:
 *   - the strings are equal;
 *   - both are numbers (a trailing `%` divides by 100) and the prediction is within abs 1e-3 of
 *     the reference, reference/100 or reference*100 (if both are numbers, nothing else is tried);
 *   - both look like `(...)`/`[...]` tuples or intervals and match part by part;
 *   - both are pmatrix/bmatrix matrices and match element by element;
 *   - both are equations and lhs - (rhs) agree up to sign; or one is `x = 3` (lhs of at most two
 *     characters) and its right side matches the other;
 *   - a computer-algebra check says they are equal ({@link symbolicEqual}).
 *
 *   mathEqual('50%', '0.5')                          // true
 *   mathEqual('(1,\\frac{1}{2})', '(1,0.5)')          // true
 *   mathEqual('x=3', '3')                            // true
 */
import { isClose, parseDigits, parsePyFloat } from './numeric.ts';
import { DEFAULT_SYMBOLIC_TIMEOUT_MS, callSymbolicEqual } from './symbolic-hook.ts';

export interface EqualOptions {
  /** Milliseconds one symbolic comparison may take before it counts as "not equal". */
  symbolicTimeoutMs?: number;
}

/** Python's `regex.match(r'(\(|\[).+(\)|\])', s)`: anchored at the start only. */
const BRACKETED = /^(\(|\[).+(\)|\])/;
const MATRIX_BEGIN = ['\\begin{pmatrix}', '\\begin{bmatrix}'];
const MATRIX_END = ['\\end{pmatrix}', '\\end{bmatrix}'];

function isMatrix(s: string): boolean {
  return MATRIX_BEGIN.some((b) => s.startsWith(b)) && MATRIX_END.some((e) => s.endsWith(e));
}

function matrixRows(s: string): string[] {
  // pmatrix and bmatrix delimiters have the same length, as the reference assumes.
  return s
    .slice(MATRIX_BEGIN[0]!.length, -MATRIX_END[0]!.length)
    .split('\\\\')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function allPartsEqual(pred: string[], ref: string[], options: EqualOptions): boolean {
  return pred.length === ref.length && pred.every((p, i) => mathEqual(p, ref[i]!, options));
}

function countChar(s: string, ch: string): number {
  return s.split(ch).length - 1;
}

/** The reference's `math_equal(prediction, reference)` on normalised answer strings. */
export function mathEqual(
  prediction: string,
  reference: string,
  options: EqualOptions = {},
): boolean {
  if (prediction === reference) return true;

  const p = parseDigits(prediction);
  const r = parseDigits(reference);
  if (p !== null && r !== null) {
    return [r / 100, r, r * 100].some((gold) => isClose(gold, p, 1e-3));
  }

  if (prediction === '') return false;
  const pred = prediction.trim();
  const ref = reference.trim();

  if (BRACKETED.test(pred) && BRACKETED.test(ref)) {
    if (allPartsEqual(pred.slice(1, -1).split(','), ref.slice(1, -1).split(','), options)) {
      return true;
    }
  }

  if (isMatrix(pred) && isMatrix(ref)) {
    const predRows = matrixRows(pred);
    const refRows = matrixRows(ref);
    if (
      predRows.length === refRows.length &&
      predRows.every((row, i) => allPartsEqual(row.split('&'), refRows[i]!.split('&'), options))
    ) {
      return true;
    }
  }

  const timeoutMs = options.symbolicTimeoutMs ?? DEFAULT_SYMBOLIC_TIMEOUT_MS;
  const predEq = countChar(pred, '=');
  const refEq = countChar(ref, '=');
  if (predEq === 1 && refEq === 1) {
    const [pl, pr] = pred.split('=') as [string, string];
    const [rl, rr] = ref.split('=') as [string, string];
    const predDiff = `${pl.trim()} - (${pr.trim()})`;
    const refDiff = `${rl.trim()} - (${rr.trim()})`;
    if (
      callSymbolicEqual(predDiff, refDiff, timeoutMs) ||
      callSymbolicEqual(`-(${predDiff})`, refDiff, timeoutMs)
    ) {
      return true;
    }
  } else if (predEq === 1 && pred.split('=')[0]!.trim().length <= 2 && refEq === 0) {
    if (mathEqual(pred.split('=')[1]!, ref, options)) return true;
  } else if (refEq === 1 && ref.split('=')[0]!.trim().length <= 2 && predEq === 0) {
    if (mathEqual(pred, ref.split('=')[1]!, options)) return true;
  }

  return callSymbolicEqual(pred, ref, timeoutMs);
}

/**
 * The reference's `is_correct`: lists match when every prediction matches some gold answer and
 * every gold answer some prediction; strings with `\cup` on both sides are compared piecewise;
 * otherwise |float(pred) - float(gold)| < 1e-3 (commas removed), string equality, or {@link mathEqual}.
 */
export function isCorrect(
  prediction: string | readonly string[],
  gold: string | readonly string[],
  options: EqualOptions = {},
): boolean {
  if (typeof prediction !== 'string' && typeof gold !== 'string') {
    const predMatched = new Set<number>();
    const goldMatched = new Set<number>();
    prediction.forEach((p, i) => {
      gold.forEach((g, j) => {
        if (isCorrect(p, g, options)) {
          predMatched.add(i);
          goldMatched.add(j);
        }
      });
    });
    return predMatched.size === prediction.length && goldMatched.size === gold.length;
  }
  if (typeof prediction === 'string' && typeof gold === 'string') {
    if (prediction.includes('\\cup') && gold.includes('\\cup')) {
      return isCorrect(prediction.split('\\cup'), gold.split('\\cup'), options);
    }
    const pf = parsePyFloat(prediction.replace(/,/g, ''));
    const gf = parsePyFloat(gold.replace(/,/g, ''));
    if (pf !== null && gf !== null && Math.abs(pf - gf) < 1e-3) return true;
    if (gold !== '' && prediction === gold) return true;
    return mathEqual(prediction, gold, options);
  }
  throw new TypeError('isCorrect: prediction and gold must both be strings or both be lists');
}

/** First occurrence of each string, in order. */
export function dedupe(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * The reference's `eval_math` for list answers: duplicates removed on both sides, and only the
 * last len(gold) predictions kept (models sometimes box intermediate results). Returns the
 * predictions that were compared, with the verdict.
 */
export function gradeMathLists(
  prediction: readonly string[],
  gold: readonly string[],
  options: EqualOptions = {},
): { prediction: string[]; gold: string[]; correct: boolean } {
  const g = dedupe(gold);
  const deduped = dedupe(prediction);
  // Python's `_pred[-0:]` is the whole list: an empty gold keeps every prediction.
  const p = g.length === 0 ? deduped : deduped.slice(-g.length);
  // The reference's evaluation loop marks an empty prediction wrong before comparing.
  const correct = p.length > 0 && isCorrect(p, g, options);
  return { prediction: p, gold: g, correct };
}
