/**
 * LLMLingua-2's scored words for display, in a module of its own with no tokenizer or cl100k ranks
 * (select.ts imports those): the Learn page paints its heat map from scores alone while the
 * selection code is still being fetched.
 */
import type { LinguaScored } from '../compression/llmlingua2.ts';
import type { SelectedWord } from './types.ts';

const punctuation = /^[\p{P}\p{S}]+$/u;

/**
 * LLMLingua-2's words with their labels (`word_labels` of a selection). At γ = 1 the reference
 * labels a regex split of the text instead of the model's words, so then (and without labels)
 * every scored word is shown kept.
 */
export function linguaWords(
  scored: Pick<LinguaScored, 'chunks'>,
  labels?: readonly (readonly [string, number])[],
): SelectedWord[] {
  const all = scored.chunks.flat();
  const sameWords = labels !== undefined && labels.length === all.length;
  return all.map((w, i) => {
    const kept = sameWords ? labels[i]![1] === 1 : true;
    return {
      before: i > 0 && !punctuation.test(w.display) ? ' ' : '',
      text: w.display,
      score: w.score,
      forced: w.forced,
      keptUnits: kept ? 1 : 0,
      units: 1,
      kept,
    };
  });
}
