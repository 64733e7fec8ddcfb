/**
 * TinyArith's generator as the annotator of the mini scorer, the way LLMLingua-2 used GPT-4.
 *
 * LLMLingua-2 distilled a strong annotator's keep/drop words into a small token classifier. For
 * TinyArith the generator knows every CoT word's role by construction (`ArithProblem.roles`), so it
 * is the strongest annotator there is: filler goes first, then the minor context words (pronouns,
 * "has", "of them", 了, 的), then the rest of the context (actions, names, items); numbers and
 * operators never. Each word gets a keep target in [0, 1] (`ANNOTATOR_TARGETS`); the classifier is
 * trained on them as soft labels, so its keep probability orders words by tier and γ cuts the tiers
 * in order.
 *
 * To show the scorer generalises rather than memorises the phrase book, some phrasings are held
 * out (`HELD_OUT_PHRASES`): the scorer never trains on a CoT that contains one, and its quality is
 * measured on CoTs that do (`heldOutSpans` marks their words).
 */
import type { ArithLanguage, WordRole } from './arith.ts';
import { textWords } from '../compression/text-words.ts';

/** A CoT word's annotator tier: a context word is `minor` when dropping it loses no fact. */
export type AnnotatorTier = 'filler' | 'minor' | 'context' | 'essential';

/** Keep targets per tier: the order γ removes them in (filler first, essentials never). */
export const ANNOTATOR_TARGETS: Readonly<Record<AnnotatorTier, number>> = {
  filler: 0,
  minor: 0.4,
  context: 0.8,
  essential: 1,
};

/**
 * Context words that carry no fact of the problem: pronouns, the verb "has", prepositions and
 * articles (English); pronouns, 有, aspect and structure particles and the like (Chinese, where
 * every character is a word, as BERT splits Chinese).
 */
const MINOR: Record<ArithLanguage, ReadonlySet<string>> = {
  en: new Set(
    'he she has have of them to with at the that we know in first beginning starts'
      .split(' ')
      .flatMap((w) => [w, w.charAt(0).toUpperCase() + w.slice(1)]),
  ),
  zh: new Set([...'他她有了其中把的又们我知道起初开始最']),
};

/**
 * Phrasings the scorer never trains on, one from each list of the phrase book that a CoT draws
 * from freely (opener, start, "next" connective, closer), in both languages. A CoT containing any
 * of them is measurement data only.
 */
export const HELD_OUT_PHRASES: Readonly<Record<ArithLanguage, readonly string[]>> = {
  en: ["Well, let's work it out step by step.", 'We know that', 'After that,', 'So, all in all,'],
  zh: ['嗯，我们一步一步来算。', '我们知道', '之后，', '所以，总的来说，'],
};

/** The language of a TinyArith CoT (Chinese problems are written in Han characters). */
export function cotLanguage(cot: string): ArithLanguage {
  return /[\u4e00-\u9fff]/u.test(cot) ? 'zh' : 'en';
}

/** Whether a CoT uses a held-out phrasing (then it is never scorer training data). */
export function usesHeldOutPhrasing(cot: string): boolean {
  return HELD_OUT_PHRASES[cotLanguage(cot)].some((p) => cot.includes(p));
}

/**
 * Per CoT word (`textWords` order), whether it lies inside a held-out phrasing. For "We know that
 * {Name} has {count} at first." only the template's own words are marked ("We know that", "at
 * first"), not the name and number it was filled with.
 */
export function heldOutSpans(cot: string): boolean[] {
  const lang = cotLanguage(cot);
  const marked = new Array<boolean>(cot.length).fill(false);
  const phrases = [...HELD_OUT_PHRASES[lang], ...(lang === 'en' ? ['at first.'] : ['起初'])];
  for (const p of phrases) {
    for (let i = cot.indexOf(p); i >= 0; i = cot.indexOf(p, i + 1)) {
      marked.fill(true, i, i + p.length);
    }
  }
  return textWords(cot).map((w) => marked[w.start] === true);
}

/** The annotator's tier for each CoT word, from the generator's roles. */
export function annotatorTiers(cot: string, roles: readonly WordRole[]): AnnotatorTier[] {
  const minor = MINOR[cotLanguage(cot)];
  return textWords(cot).map((w, i) => {
    const role = roles[i];
    // English words carry their punctuation ("them,"): the tier is the word's.
    if (role === 'context') return minor.has(w.text.replace(/[,.]$/, '')) ? 'minor' : 'context';
    return role ?? 'context';
  });
}

/** The annotator's keep target for each CoT word. */
export function annotatorTargets(cot: string, roles: readonly WordRole[]): number[] {
  return annotatorTiers(cot, roles).map((t) => ANNOTATOR_TARGETS[t]);
}
