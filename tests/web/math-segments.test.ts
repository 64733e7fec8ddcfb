// Model outputs -> text and LaTeX segments (math-segments.ts), and KaTeX on those segments
// (katex-render.ts): what MathText.svelte shows on Learn, Generate and Benchmark.
import { describe, expect, it } from 'vitest';
import { hasMath, mathSegments } from '../../src/web/lib/math-segments.ts';
import { loadMathRenderer } from '../../src/web/lib/katex-render.ts';

const math = (tex: string, display = false, raw = tex) => ({ kind: 'math', tex, display, raw });
const text = (t: string) => ({ kind: 'text', text: t });

describe('mathSegments', () => {
  it.each([
    [
      'The answer is $\\boxed{6}$.',
      [text('The answer is '), math('\\boxed{6}', false, '$\\boxed{6}$'), text('.')],
    ],
    ['So \\boxed{6}', [text('So '), math('\\boxed{6}')]],
    ['\\boxed{\\frac{1}{2}} done', [math('\\boxed{\\frac{1}{2}}'), text(' done')]],
    ['a \\(x+1\\) b', [text('a '), math('x+1', false, '\\(x+1\\)'), text(' b')]],
    ['\\[ 5 + 3 = 8 \\]', [math(' 5 + 3 = 8 ', true, '\\[ 5 + 3 = 8 \\]')]],
    ['$$x^2$$ and $y$', [math('x^2', true, '$$x^2$$'), text(' and '), math('y', false, '$y$')]],
    // Prices stay text (Pandoc's rule): "$2 each … $18".
    [
      'She sells them for $2 each and makes $18.',
      [text('She sells them for $2 each and makes $18.')],
    ],
    ['costs $5 and$6', [text('costs $5 and$6')]],
    // Unclosed or empty: text.
    ['\\boxed{6', [text('\\boxed{6')]],
    ['$x', [text('$x')]],
    ['\\( \\)', [text('\\( \\)')]],
    ['an escaped \\$5 $x$', [text('an escaped \\$5 '), math('x', false, '$x$')]],
    ['', []],
    [
      '小明有 $\\boxed{6}$ 个苹果',
      [text('小明有 '), math('\\boxed{6}', false, '$\\boxed{6}$'), text(' 个苹果')],
    ],
  ])('%j', (input, expected) => {
    expect(mathSegments(input)).toEqual(expected);
    // Nothing is lost: the segments give back the text.
    expect(
      mathSegments(input)
        .map((s) => (s.kind === 'text' ? s.text : s.raw))
        .join(''),
    ).toBe(input);
  });

  it('hasMath', () => {
    expect(hasMath('8 - 2 = 6 apples')).toBe(false);
    expect(hasMath('$\\boxed{6}$')).toBe(true);
  });
});

describe('KaTeX on model output', () => {
  it('renders \\boxed and fractions, and returns undefined (raw text) for malformed LaTeX', async () => {
    const render = await loadMathRenderer();
    const boxed = render('\\boxed{6}', false)!;
    expect(boxed).toContain('class="katex"');
    expect(boxed).toContain('<annotation encoding="application/x-tex">\\boxed{6}</annotation>');
    expect(render('\\frac{1}{2}', true)).toContain('katex-display');
    for (const bad of ['\\frac{1}{', '\\boxed{', '}{', '\\notacommand{x}', '\\def\\a{\\a\\a}\\a'])
      expect(render(bad, false)).toBeUndefined();
  });

  it('escapes text and refuses links and HTML extensions (trust: false)', async () => {
    const render = await loadMathRenderer();
    const out = [
      render('\\text{<img src=x onerror=alert(1)>}', false),
      render('\\href{javascript:alert(1)}{x}', false),
      render('\\htmlClass{x}{y}', false),
    ].join('');
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // The link's target survives only as escaped source text in the MathML annotation.
    expect(out).not.toMatch(/<a\b|href=/);
    expect(out).not.toMatch(/class="x"/);
  });
});
