/**
 * Answer normalisation as TokenSkip's grader does it (DeepSeek-Math `strip_string`), rule by rule
 * and in the same order, so that two answers compare equal here exactly when they do there.
 *
 *   normalizeAnswer('\\dfrac{1}{2}\\text{ cm}') // '\\frac{1}{2}'
 *   normalizeAnswer('5.00')                     // '5'
 *   normalizeAnswer('3/4')                      // '\\frac{3}{4}'
 *
 * The rules look odd in places (`\left` is removed even inside `\leftarrow`, `inf` becomes
 * `\infty` inside any word); they are kept because the reference's accuracy figures depend on them.
 */

/** `\frac12` -> `\frac{1}{2}`, `\frac1{72}` -> `\frac{1}{72}`; a `\frac` with < 2 chars after it leaves the text as it was. */
export function fixFracs(text: string): string {
  const pieces = text.split('\\frac');
  let out = pieces[0] ?? '';
  for (const piece of pieces.slice(1)) {
    out += '\\frac';
    if (piece.startsWith('{')) {
      out += piece;
      continue;
    }
    if (piece.length < 2) return text;
    const a = piece[0];
    const b = piece[1];
    out += b !== '{' ? `{${a}}{${b}}${piece.slice(2)}` : `{${a}}${b}${piece.slice(2)}`;
  }
  return out;
}

/**
 * `a/b` of two integers (or of `\sqrt` terms) -> `\frac{a}{b}`. Integers must read back unchanged
 * (the reference checks `str(int(a)) == a`), so `01/2` and `+1/2` stay as they are.
 */
export function fixSlash(text: string): string {
  const parts = text.split('/');
  if (parts.length !== 2) return text;
  const [a, b] = parts as [string, string];
  const canonicalInt = /^(?:0|-?[1-9]\d*)$/;
  if (!a.includes('sqrt') && !canonicalInt.test(a)) return text;
  if (!b.includes('sqrt') && !canonicalInt.test(b)) return text;
  return `\\frac{${a}}{${b}}`;
}

/** `\sqrt2` -> `\sqrt{2}`, and a trailing `\sqrt x` -> `\sqrt{x}`. */
export function fixSqrt(text: string): string {
  return text
    .replace(/\\sqrt(-?[0-9.a-zA-Z]+)/g, '\\sqrt{$1}')
    .replace(/\\sqrt\s+(\w+)$/, '\\sqrt{$1}');
}

/** `\tan2` -> `\tan{2}`, and a trailing `\tan x` -> `\tan{x}`. */
export function fixTan(text: string): string {
  return text
    .replace(/\\tan(-?[0-9.a-zA-Z]+)/g, '\\tan{$1}')
    .replace(/\\tan\s+(\w+)$/, '\\tan{$1}');
}

function rstripChars(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1] as string)) end--;
  return text.slice(0, end);
}

function lstripChars(text: string, chars: string): string {
  let start = 0;
  while (start < text.length && chars.includes(text[start] as string)) start++;
  return text.slice(start);
}

export { lstripChars, rstripChars };

/** The reference's `strip_string`: see docs/method.md#grading. */
export function normalizeAnswer(answer: string): string {
  let s = answer.trim();
  s = s.replaceAll('\n', '');
  s = rstripChars(s, '.');
  s = s.replaceAll('\\!', '');

  // A whole `\text{...}` answer is unwrapped (first `{` to the final char).
  if (s.startsWith('\\text{') && s.endsWith('}')) s = s.slice(s.indexOf('{') + 1, -1);

  s = s.replaceAll('tfrac', 'frac').replaceAll('dfrac', 'frac').replaceAll('cfrac', 'frac');
  s = s.replaceAll('\\left', '').replaceAll('\\right', '');

  // A trailing `\text{unit}` goes, unless it is all there is.
  const withoutUnit = s.replace(/\\text\{.*?\}$/, '').trim();
  if (withoutUnit !== '' && withoutUnit !== s) s = withoutUnit;

  s = s.replaceAll('^{\\circ}', '').trim();
  s = s.replaceAll('^\\circ', '').trim();
  s = s.replace(/\{(c|m)?m\}(\^(2|3))?/g, '').trim();
  s = s.replace(/p\.m\.$/, '').trim();
  s = s.replace(/(\d)\s*t$/, '$1').trim();

  s = s.replaceAll('\\$', '').replaceAll('$', '');
  s = s.replaceAll('x\\in', '');
  s = s.replaceAll('\\%', '%');

  s = s.replaceAll(' .', ' 0.').replaceAll('{.', '{0.');
  s = s.replaceAll('\\cdot', '');

  s = s.replaceAll('infinity', '\\infty');
  if (!s.includes('\\infty')) s = s.replaceAll('inf', '\\infty');
  s = s.replaceAll('+\\inity', '\\infty');

  s = s.replaceAll('\\mathbf', '').replaceAll('\\mathrm', '');
  s = s.replace(/\\mbox\{.*?\}/g, '');

  if (s.includes('j') && !s.includes('i')) s = s.replaceAll('j', 'i');

  // `5.00` -> `5`, `5.0x` -> `5x`; `2.50` stays.
  s = s.replace(/(\d+)\.0+([^\d])/g, '$1$2');
  s = s.replace(/(\d+)\.0+$/, '$1');

  if (s.length === 0) return s;
  if (s.startsWith('.')) s = '0' + s;

  s = fixSqrt(s);
  s = fixTan(s);
  s = s.replaceAll(' ', '');
  s = fixFracs(s);
  s = fixSlash(s);
  s = s.replace(/(\\|,|\.)+$/, '');
  return s;
}
