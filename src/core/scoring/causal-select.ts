/**
 * γ selection for the causal scorers: `CausalScoredText` -> `CompressionResult`, re-run for any γ
 * without the model (the Compress page's slider and the comparison view rely on that).
 *
 * Units are selected per window (see token-select.ts for the rule and its edge cases); the
 * compressed text is the kept units joined, as the reference decodes the kept token ids. Token
 * scores map back to words for display and `word_labels`: a word's score is the mean of its units'
 * scores and it is labelled kept when at least half of its units are kept (a word can be partly
 * kept at token level; the label says whether most of it survived). Whitespace-only words (line
 * breaks) get no label, as LLMLingua-2's word labels have none.
 */
import { summarize } from '../compression/llmlingua2.ts';
import { validateGamma } from '../prompts/gamma.ts';
import { selectWindow } from './token-select.ts';
import { wordSpans } from './token-units.ts';
import type { CausalScoredText, SelectedWord, Selection, SelectionMode } from './types.ts';

export interface CausalSelection extends Selection {
  kept: boolean[][];
}

export function selectCausal(
  scored: CausalScoredText,
  gamma: number,
  mode: SelectionMode = 'reference',
): CausalSelection {
  validateGamma(gamma, 'γ');
  const kept = scored.chunks.map((chunk) =>
    selectWindow(
      chunk.map((u) => u.score),
      gamma,
      mode,
    ),
  );
  const units = scored.chunks.flat();
  const flags = kept.flat();
  const compressed = units
    .filter((_, i) => flags[i])
    .map((u) => u.text)
    .join('');
  const words: SelectedWord[] = [];
  const labels: [string, 0 | 1][] = [];
  for (const [from, to] of wordSpans(units)) {
    const slice = units.slice(from, to);
    const keptUnits = flags.slice(from, to).filter(Boolean).length;
    const text = slice.map((u) => u.text).join('');
    const score = slice.reduce((sum, u) => sum + u.score, 0) / slice.length;
    const before = /^\s*/.exec(text)![0];
    words.push({
      before,
      text: text.slice(before.length),
      score,
      forced: false,
      keptUnits,
      units: slice.length,
      kept: keptUnits === slice.length,
    });
    if (text.trim()) labels.push([text.trim(), keptUnits * 2 >= slice.length ? 1 : 0]);
  }
  return { ...summarize(compressed, scored.originTokens, labels), kept, words };
}
