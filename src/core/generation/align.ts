/**
 * Aligns a compressed CoT against the full one, word by word (longest common subsequence), so the
 * Generate page can show which words of the γ = 1 CoT the γ < 1 CoT kept, which it dropped, and
 * what it wrote that the full one did not.
 *
 *   alignWords('a b c d', 'a c e')
 *   // [{word:'a',op:'same'}, {word:'b',op:'dropped'}, {word:'c',op:'same'}, {word:'d',op:'dropped'}, {word:'e',op:'added'}]
 */
export type AlignOp = 'same' | 'dropped' | 'added';

export interface AlignedWord {
  word: string;
  op: AlignOp;
}

/** Longer CoTs are aligned on their first words only: the table is O(n·m). */
export const MAX_ALIGN_WORDS = 2000;

export function alignWords(full: string, compressed: string): AlignedWord[] {
  const a = full.split(/\s+/).filter(Boolean).slice(0, MAX_ALIGN_WORDS);
  const b = compressed.split(/\s+/).filter(Boolean).slice(0, MAX_ALIGN_WORDS);
  const n = a.length;
  const m = b.length;
  // lcs[i][j] = LCS length of a[i:] and b[j:], one flat row-major table.
  const lcs = new Uint16Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] =
        a[i] === b[j]
          ? lcs[(i + 1) * (m + 1) + j + 1]! + 1
          : Math.max(lcs[(i + 1) * (m + 1) + j]!, lcs[i * (m + 1) + j + 1]!);
    }
  }
  const out: AlignedWord[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ word: a[i]!, op: 'same' });
      i++;
      j++;
    } else if (lcs[(i + 1) * (m + 1) + j]! >= lcs[i * (m + 1) + j + 1]!) {
      out.push({ word: a[i++]!, op: 'dropped' });
    } else {
      out.push({ word: b[j++]!, op: 'added' });
    }
  }
  while (i < n) out.push({ word: a[i++]!, op: 'dropped' });
  while (j < m) out.push({ word: b[j++]!, op: 'added' });
  return out;
}

export interface Comparison {
  /** 1 - tokens(γ) / tokens(γ = 1): the share of tokens saved. */
  tokenSaving: number;
  /** latency(γ = 1) / latency(γ). */
  speedup: number;
  /** tokens(γ) / tokens(γ = 1): the ideal speedup is its inverse when cost is per token. */
  tokenRatio: number;
}

export function compareRuns(
  full: { tokens: number; latencyMs: number },
  compressed: { tokens: number; latencyMs: number },
): Comparison {
  const tokenRatio = full.tokens > 0 ? compressed.tokens / full.tokens : 1;
  return {
    tokenSaving: 1 - tokenRatio,
    speedup: compressed.latencyMs > 0 ? full.latencyMs / compressed.latencyMs : 1,
    tokenRatio,
  };
}
