/**
 * Splits a model's output into plain text and LaTeX, for rendering the math with KaTeX
 * (MathText.svelte). Recognised: `$$…$$` and `\[…\]` (display), `\(…\)` and `$…$` (inline), and a
 * bare `\boxed{…}` with balanced braces (models often write the answer box outside any delimiters).
 * A `$` opens math only as Pandoc's `tex_math_dollars` rule has it: not followed by a space, closed
 * by a `$` not preceded by a space nor followed by a digit, on one paragraph; so prices
 * ("$2 each … $18") stay text. `\$` is a literal dollar. Anything not closed stays text.
 *
 *   mathSegments('So $x = 6$.') // text 'So ', math 'x = 6' (inline), text '.'
 */
export type MathSegment =
  { kind: 'text'; text: string } | { kind: 'math'; tex: string; display: boolean; raw: string };

const pairs = [
  { open: '$$', close: '$$', display: true },
  { open: '\\[', close: '\\]', display: true },
  { open: '\\(', close: '\\)', display: false },
] as const;

/** End index (exclusive) of the `{…}` group starting at `from`, or -1 when unbalanced. */
function braceGroupEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

/** Index of the `$` closing an inline `$…$` opened at `from`, or -1. */
function closingDollar(text: string, from: number): number {
  if (from + 1 >= text.length || /\s|\$/.test(text[from + 1]!)) return -1;
  for (let i = from + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '\n' && text[i + 1] === '\n') return -1;
    else if (c === '$') {
      if (/\s/.test(text[i - 1]!) || /\d/.test(text[i + 1] ?? '')) return -1;
      return i;
    }
  }
  return -1;
}

/** One match at `i`: the segment and where the text continues, or undefined. */
function mathAt(text: string, i: number): { segment: MathSegment; end: number } | undefined {
  for (const p of pairs) {
    if (!text.startsWith(p.open, i)) continue;
    const close = text.indexOf(p.close, i + p.open.length);
    if (close < 0) return undefined;
    const tex = text.slice(i + p.open.length, close);
    if (tex.trim() === '') return undefined;
    const end = close + p.close.length;
    return { segment: { kind: 'math', tex, display: p.display, raw: text.slice(i, end) }, end };
  }
  if (text[i] === '$') {
    const close = closingDollar(text, i);
    if (close < 0) return undefined;
    const raw = text.slice(i, close + 1);
    return {
      segment: { kind: 'math', tex: raw.slice(1, -1), display: false, raw },
      end: close + 1,
    };
  }
  if (text.startsWith('\\boxed{', i)) {
    const end = braceGroupEnd(text, i + '\\boxed'.length);
    if (end < 0) return undefined;
    const raw = text.slice(i, end);
    return { segment: { kind: 'math', tex: raw, display: false, raw }, end };
  }
  return undefined;
}

export function mathSegments(text: string): MathSegment[] {
  const out: MathSegment[] = [];
  let plain = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('\\$', i)) {
      plain += '\\$';
      i += 2;
      continue;
    }
    const hit = text[i] === '$' || text[i] === '\\' ? mathAt(text, i) : undefined;
    if (!hit) {
      plain += text[i];
      i++;
      continue;
    }
    if (plain) out.push({ kind: 'text', text: plain });
    plain = '';
    out.push(hit.segment);
    i = hit.end;
  }
  if (plain) out.push({ kind: 'text', text: plain });
  return out;
}

/** Whether a text has any math to render (the raw/rendered toggle shows only then). */
export function hasMath(text: string): boolean {
  return mathSegments(text).some((s) => s.kind === 'math');
}
