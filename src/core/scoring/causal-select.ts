/**
 * γ selection for the causal scorers: `CausalScoredText` -> `CompressionResult`, re-run for any γ
 * without the model (the Compress page's slider and the comparison view rely on that).
 *
 * Units are selected per window (see token-select.ts for the rule and its edge cases); the
 * compressed text is the kept units joined (`keptText`), as the reference decodes the kept token
 * ids, with one deliberate difference: a whitespace-only unit goes with the unit after it. Qwen2's
 * byte BPE gives the space before a number a token of its own (" ", "5"), so decoding the kept ids
 * alone dropped that space while keeping the digit and glued words together ("he 53 8 apples" for
 * "he has 5 + 3 = 8 apples", "he6 apples,,"). A space is no content to score away: it is kept
 * exactly when the word it separates is. Token
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
  const compressed = keptText(units, flags);
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

const blank = /^\s+$/;

/**
 * The kept units' text. A whitespace-only unit follows the keep flag of the next non-blank unit
 * (at the end of the text, its own), so kept words stay apart as in the original text and dropped
 * words take their space with them:
 *
 *   keptText([' he', ' ', '5', ' +', ' ', '3'], [true, false, true, false, false, true]) // ' he 5 3'
 */
export function keptText(units: readonly { text: string }[], flags: readonly boolean[]): string {
  let next = false;
  const parts: string[] = [];
  for (let i = units.length - 1; i >= 0; i--) {
    const text = units[i]!.text;
    const keep = blank.test(text) && i < units.length - 1 ? next : flags[i] === true;
    if (!blank.test(text)) next = flags[i] === true;
    if (keep) parts.push(text);
  }
  return parts.reverse().join('');
}
