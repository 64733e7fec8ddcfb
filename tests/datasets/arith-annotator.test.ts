/** The TinyArith annotator: tiers from the generator's roles, and held-out phrasings kept apart. */
import { describe, expect, it } from 'vitest';
import { arithProblem, arithSplits, cotWords } from '../../src/core/datasets/arith.ts';
import {
  ANNOTATOR_TARGETS,
  HELD_OUT_PHRASES,
  annotatorTiers,
  heldOutSpans,
  usesHeldOutPhrasing,
} from '../../src/core/datasets/arith-annotator.ts';

describe('annotatorTiers', () => {
  it('orders filler < minor context < context < essential, with numbers and operators essential', () => {
    const t = ANNOTATOR_TARGETS;
    expect(t.filler).toBeLessThan(t.minor);
    expect(t.minor).toBeLessThan(t.context);
    expect(t.context).toBeLessThan(t.essential);
    for (const language of ['en', 'zh'] as const) {
      for (let seed = 1; seed < 200; seed++) {
        const p = arithProblem(seed, 'x', language);
        const tiers = annotatorTiers(p.cot, p.roles);
        const words = cotWords(p.cot);
        expect(tiers).toHaveLength(words.length);
        words.forEach((w, i) => {
          if (/^[0-9]+[.,]?$|^[+\-*/=]$/.test(w)) expect(tiers[i]).toBe('essential');
          if (p.roles[i] === 'filler') expect(tiers[i]).toBe('filler');
        });
      }
    }
  });

  it('marks pronouns and "has" minor but keeps actions, names and items', () => {
    const p = arithProblem(7, 'x', 'en');
    const tiers = annotatorTiers(p.cot, p.roles);
    const byWord = new Map(cotWords(p.cot).map((w, i) => [w.replace(/[,.]$/, ''), tiers[i]]));
    expect(byWord.get('has')).toBe('minor');
    const name = p.question.split(' ')[0]!;
    expect(byWord.get(name)).toBe('context');
  });
});

describe('held-out phrasings', () => {
  const { train, val } = arithSplits(1, { train: 3000, val: 300, test: 0 }, ['en', 'zh']);

  it('exist in the generator (each one is drawn) in both languages', () => {
    for (const [language, phrases] of Object.entries(HELD_OUT_PHRASES)) {
      for (const phrase of phrases) {
        const rows = val.filter((p) => (p.language ?? 'en') === language);
        expect(rows.some((p) => p.cot.includes(phrase))).toBe(true);
      }
    }
  });

  it('never reach the scorer: the training CoTs it keeps contain none of their words', () => {
    const seen = train.filter((p) => !usesHeldOutPhrasing(p.cot));
    expect(seen.length).toBeGreaterThan(200);
    for (const p of seen) {
      for (const phrase of [...HELD_OUT_PHRASES.en, ...HELD_OUT_PHRASES.zh])
        expect(p.cot).not.toContain(phrase);
    }
    // "which means"-style phrasings that are not held out still occur in training.
    expect(seen.some((p) => p.cot.includes('so now'))).toBe(true);
  });

  it('spans mark only the template words of a held-out phrasing', () => {
    const p = val.find((q) => q.cot.includes('We know that'))!;
    const words = cotWords(p.cot);
    const marked = words.filter((_, i) => heldOutSpans(p.cot)[i]);
    expect(marked.slice(0, 3)).toEqual(['We', 'know', 'that']);
    expect(marked).not.toContain(p.question.split(' ')[0]); // the name filled in
    expect(marked.some((w) => /^[0-9]/.test(w))).toBe(false);
  });
});
