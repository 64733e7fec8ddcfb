/**
 * The worked example every page can show: TokenSkip's own illustration of a verbose chain of
 * thought, in English and in Simplified Chinese, each worded exactly as TinyArith
 * (src/core/datasets/arith.ts) words its problems in that language, so the shipped mini models
 * read both in-domain. Framework-free, so the CLI and tests can use it.
 *
 *   canonicalExample('zh').cot // '首先，我们来看一下。…'
 */
import type { Example } from './examples.ts';

export type ExampleLanguage = 'en' | 'zh';

const examples: Record<ExampleLanguage, Example> = {
  en: {
    id: 'canonical-en',
    question:
      'Xiaoming has 5 apples. He buys 3 more. Then he eats 2. How many apples does Xiaoming have now?',
    cot:
      "First, let's see. Xiaoming starts with 5 apples. Then he buys 3 more, so now he has 5 + 3 = 8 " +
      'apples. After that, he eats 2 of them, which means he has 8 - 2 = 6 apples. So, finally, ' +
      'Xiaoming has 6 apples.',
    answer: '6',
  },
  zh: {
    id: 'canonical-zh',
    question: '小明有5个苹果。他又买了3个。然后他吃了2个。小明现在有几个苹果？',
    cot:
      '首先，我们来看一下。小明一开始有5个苹果。然后他又买了3个，所以现在他有5 + 3 = 8个苹果。' +
      '之后，他吃了其中2个，也就是说他有8 - 2 = 6个苹果。所以，最后小明有6个苹果。',
    answer: '6',
  },
};

/** The canonical example in a language (English unless `zh`). */
export function canonicalExample(language: string = 'en'): Example {
  return examples[language === 'zh' ? 'zh' : 'en'];
}

/** `canonical`, `canonical:en` or `canonical:zh` in a URL's `example=` parameter. */
export function parseCanonicalSpec(spec: string | null): Example | undefined {
  if (spec === null) return undefined;
  const [name, language] = spec.split(':');
  return name === 'canonical' ? canonicalExample(language) : undefined;
}

/**
 * The worked example with other numbers (start `a`, buys `b`, eats `c`), worded exactly as the
 * canonical one: the variants a class tries next. `workedExamples()` lists the canonical pair and
 * four variants per language (data/arith/worked.jsonl; `tokenskip eval --input` takes it).
 */
export function workedVariant(language: ExampleLanguage, a: number, b: number, c: number): Example {
  const x = a + b;
  const y = x - c;
  if (language === 'zh') {
    return {
      id: `worked-zh-${a}-${b}-${c}`,
      question: `小明有${a}个苹果。他又买了${b}个。然后他吃了${c}个。小明现在有几个苹果？`,
      cot:
        `首先，我们来看一下。小明一开始有${a}个苹果。然后他又买了${b}个，所以现在他有${a} + ${b} = ${x}个苹果。` +
        `之后，他吃了其中${c}个，也就是说他有${x} - ${c} = ${y}个苹果。所以，最后小明有${y}个苹果。`,
      answer: String(y),
    };
  }
  return {
    id: `worked-en-${a}-${b}-${c}`,
    question: `Xiaoming has ${a} apples. He buys ${b} more. Then he eats ${c}. How many apples does Xiaoming have now?`,
    cot:
      `First, let's see. Xiaoming starts with ${a} apples. Then he buys ${b} more, so now he has ${a} + ${b} = ${x} ` +
      `apples. After that, he eats ${c} of them, which means he has ${x} - ${c} = ${y} apples. So, finally, ` +
      `Xiaoming has ${y} apples.`,
    answer: String(y),
  };
}

/** Start, bought, eaten: the canonical numbers first, then the variants. */
export const WORKED_NUMBERS: readonly (readonly [number, number, number])[] = [
  [5, 3, 2],
  [4, 2, 3],
  [7, 2, 5],
  [6, 4, 1],
  [2, 6, 1],
];

export function workedExamples(): Example[] {
  return (['en', 'zh'] as const).flatMap((l) =>
    WORKED_NUMBERS.map(([a, b, c]) => workedVariant(l, a, b, c)),
  );
}
