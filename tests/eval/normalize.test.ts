// Every normalisation rule of docs/method.md#grading, with the exact strings the reference's
// `strip_string` produces (quirks included: `5 p.m.` loses its final dot before the `p.m.` rule runs).
import { describe, expect, it } from 'vitest';
import { fixFracs, fixSlash, normalizeAnswer } from '../../src/core/eval/normalize.ts';

const RULES: [rule: string, input: string, expected: string][] = [
  ['newlines removed', '1\n2', '12'],
  ['trailing dots stripped', '5...', '5'],
  ['\\! removed', '1\\!000', '1000'],
  ['a whole \\text{} unwrapped', '\\text{Evelyn}', 'Evelyn'],
  ['dfrac -> frac', '\\dfrac{1}{2}', '\\frac{1}{2}'],
  ['tfrac -> frac', '\\tfrac{3}{4}', '\\frac{3}{4}'],
  ['cfrac -> frac', '\\cfrac{2}{3}', '\\frac{2}{3}'],
  ['\\left and \\right removed', '\\left( 1, 2 \\right)', '(1,2)'],
  ['trailing \\text{unit} removed', '5\\text{ cm}', '5'],
  ['a lone \\text{} is unwrapped, not removed', '\\text{ cm}', 'cm'],
  ['^{\\circ} removed', '90^{\\circ}', '90'],
  ['^\\circ removed', '45^\\circ', '45'],
  ['{cm}^2 removed', '4{cm}^2', '4'],
  ['{m} removed', '7{m}', '7'],
  ['p.m. (its dot already stripped)', '5 p.m.', '5p.m'],
  ['digit + t', '3 t', '3'],
  ['\\$ removed', '\\$1,000', '1,000'],
  ['$ removed', '$5$', '5'],
  ['x\\in removed', 'x\\in[1,2]', '[1,2]'],
  ['\\% -> % (kept)', '10\\%', '10%'],
  ['" ." -> " 0."', 'x = .5', 'x=0.5'],
  ['"{." -> "{0."', '\\frac{.5}{2}', '\\frac{0.5}{2}'],
  ['\\cdot removed', '2\\cdot3', '23'],
  ['infinity -> \\infty', 'infinity', '\\infty'],
  ['inf -> \\infty', '(-inf,3)', '(-\\infty,3)'],
  ['\\mathbf removed', '\\mathbf{A}', '{A}'],
  ['\\mathrm removed', '5\\mathrm{kg}', '5{kg}'],
  ['\\mbox{...} removed', '12\\mbox{ inches}', '12'],
  ['j -> i when there is no i', '3+2j', '3+2i'],
  ['j kept when there is an i', 'i+j', 'i+j'],
  ['5.00 -> 5', '5.00', '5'],
  ['2.50 unchanged', '2.50', '2.50'],
  ['5.0x -> 5x', '5.0x', '5x'],
  ['leading . gets 0', '.5', '0.5'],
  ['\\sqrt2 -> \\sqrt{2}', '\\sqrt2', '\\sqrt{2}'],
  ['trailing \\sqrt x -> \\sqrt{x}', '\\sqrt x', '\\sqrt{x}'],
  ['\\tan2 -> \\tan{2}', '\\tan2', '\\tan{2}'],
  ['spaces removed', '1 + 2', '1+2'],
  ['\\frac12 -> \\frac{1}{2}', '\\frac12', '\\frac{1}{2}'],
  ['\\frac1{72} -> \\frac{1}{72}', '\\frac1{72}', '\\frac{1}{72}'],
  ['\\frac{72}1 unchanged', '\\frac{72}1', '\\frac{72}1'],
  ['\\frac with one char after it unchanged', '\\fraca', '\\fraca'],
  ['a/b of integers -> \\frac{a}{b}', '3/4', '\\frac{3}{4}'],
  ['negative a/b', '-3/4', '\\frac{-3}{4}'],
  ['01/2 unchanged (not a canonical integer)', '01/2', '01/2'],
  ['\\sqrt{2}/2 -> \\frac', '\\sqrt{2}/2', '\\frac{\\sqrt{2}}{2}'],
  ['a/b/c unchanged', '1/2/3', '1/2/3'],
  ['x/2 unchanged', 'x/2', 'x/2'],
  ['trailing \\, comma and dot stripped', '1,2,\\\\', '1,2'],
  ['empty stays empty', '', ''],
  ['outer whitespace trimmed', '  7  ', '7'],
];

describe('normalizeAnswer', () => {
  it.each(RULES)('%s: %j -> %j', (_rule, input, expected) => {
    expect(normalizeAnswer(input)).toBe(expected);
  });

  it('is idempotent on already-normal answers from MATH-500', () => {
    for (const a of ['\\frac{14}{3}', '(3,\\frac{\\pi}{2})', 'p-q', '\\text{(C)}', '[-2,7]']) {
      expect(normalizeAnswer(normalizeAnswer(a))).toBe(normalizeAnswer(a));
    }
  });
});

describe('fraction helpers', () => {
  it('fixFracs fills in braces and gives up on a too-short \\frac', () => {
    expect(fixFracs('\\frac1b+\\frac{3}{4}')).toBe('\\frac{1}{b}+\\frac{3}{4}');
    expect(fixFracs('\\frac1{b}')).toBe('\\frac{1}{b}');
    expect(fixFracs('1+\\frac2')).toBe('1+\\frac2');
  });

  it('fixSlash only rewrites integer (or sqrt) quotients that read back unchanged', () => {
    expect(fixSlash('10/3')).toBe('\\frac{10}{3}');
    expect(fixSlash('0/3')).toBe('\\frac{0}{3}');
    expect(fixSlash('-0/3')).toBe('-0/3');
    expect(fixSlash('+1/2')).toBe('+1/2');
    expect(fixSlash('1.5/2')).toBe('1.5/2');
    expect(fixSlash('2/\\sqrt{3}')).toBe('\\frac{2}{\\sqrt{3}}');
  });
});
