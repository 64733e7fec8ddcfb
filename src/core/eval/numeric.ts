/**
 * Python-compatible number parsing and closeness, so grading decides exactly as the reference
 * (Python `float()`, `math.isclose`, and the grader's `parse_digits`) does.
 *
 *   parsePyFloat(' 1_000.5 ') // 1000.5   (Python accepts whitespace and digit underscores)
 *   parseDigits('12.5\\%')     // 0.125    (a trailing `%` divides by 100)
 *   isClose(0.3333, 1 / 3)     // true     (abs_tol 1e-3)
 */

const DIGITS = String.raw`\d(?:_?\d)*`;
const PY_FLOAT = new RegExp(
  String.raw`^[+-]?(?:(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?|inf(?:inity)?|nan)$`,
  'i',
);

/** Python's `float(s)`: a number, or null where Python raises ValueError. */
export function parsePyFloat(text: string): number | null {
  const s = text.trim();
  if (!PY_FLOAT.test(s)) return null;
  const lower = s.toLowerCase().replace(/_/g, '');
  if (lower.endsWith('nan')) return Number.NaN;
  if (lower.endsWith('inf') || lower.endsWith('infinity')) {
    return lower.startsWith('-') ? -Infinity : Infinity;
  }
  return Number(lower);
}

/**
 * The reference's `parse_digits`: commas removed, then `float`, else a trailing `%` (or `\%`)
 * means a percentage. null when the text is not a number.
 */
export function parseDigits(text: string): number | null {
  let s = text.replace(/,/g, '');
  const direct = parsePyFloat(s);
  if (direct !== null) return direct;
  if (s.endsWith('%')) {
    s = s.slice(0, -1);
    if (s.endsWith('\\')) s = s.slice(0, -1);
    const value = parsePyFloat(s);
    if (value !== null) return value / 100;
  }
  return null;
}

/** Python's `math.isclose(a, b, rel_tol=1e-9, abs_tol=absTol)`. */
export function isClose(a: number, b: number, absTol = 1e-3, relTol = 1e-9): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  const diff = Math.abs(b - a);
  return diff <= Math.abs(relTol * b) || diff <= Math.abs(relTol * a) || diff <= absTol;
}
