/**
 * TinyArith: seeded multi-step arithmetic word problems with verbose chains of thought, the task
 * the shipped mini models are trained on. Shaped like GSM8K (question, cot, answer, id) but small
 * enough for a 1-2M-parameter model to master on a CPU, and full of the filler TokenSkip removes:
 *
 *   Q: Xiaoming has 5 apples. He buys 3 more. Then he eats 2. How many apples does Xiaoming have now?
 *   CoT: First, let's see. Xiaoming starts with 5 apples. Then he buys 3 more, so now he has
 *        5 + 3 = 8 apples. After that, he eats 2 of them, which means he has 8 - 2 = 6 apples.
 *        So, finally, Xiaoming has 6 apples.
 *
 * Every CoT word carries a role: `essential` (numbers, operators, results), `filler` (connectives
 * and hedges: "First", "then", "so", "finally") or `context` (names, verbs, items). Roles measure
 * a scorer (share of essential words kept, filler dropped) and, through the annotator
 * (arith-annotator.ts), label the mini scorer's training words, the way LLMLingua-2 used GPT-4.
 *
 * Arithmetic is kept easy on purpose (start 2-9, operands 1-9, every value 1-20, doubling only up
 * to 10, halving only even numbers): the model must learn to copy, chain and add small numbers,
 * not long arithmetic. Each split has its own seed range, and a problem whose question appears in
 * an earlier split (test, then validation, then train) is skipped, so splits never share a question.
 */
import { TokenSkipError } from '../errors.ts';
import { pick, randomInt, seededRandom } from '../random.ts';
import { textWords } from '../compression/text-words.ts';
import { characterValues, pieceMeans } from '../scoring/word-alignment.ts';

export type WordRole = 'essential' | 'filler' | 'context';
export type ArithSplit = 'train' | 'val' | 'test';

export interface ArithProblem {
  id: string;
  question: string;
  /** The verbose chain of thought, without the final-answer sentence. */
  cot: string;
  /** The final number, as GSM8K's `answer` field. */
  answer: string;
  /** One role per word of `cot` (see `cotWords`). */
  roles: WordRole[];
  /** Number of operations after the start (2-4). */
  steps: number;
  /** Set for Chinese problems only, so English data stays byte-identical to earlier releases. */
  language?: ArithLanguage;
}

/** Seed offsets that keep the three splits' random streams apart for any base seed. */
const SPLIT_SALT: Record<ArithSplit, number> = { test: 0x7e57, val: 0x0a11, train: 0x7a14 };
export const MAX_PROBLEMS = 1_000_000;
export const MAX_VALUE = 20;

export type ArithLanguage = 'en' | 'zh';
export const ARITH_LANGUAGES: readonly ArithLanguage[] = ['en', 'zh'];

/**
 * A language's wording of TinyArith. The Chinese book is a translation of the English one, list
 * for list and in the same order, so one seed draws the same problem (same people, numbers and
 * filler choices) in either language: a zh problem is the translation of the en problem.
 */
interface Phrasebook {
  /** Joins the CoT's pieces (a space in English, nothing in Chinese). */
  join: string;
  people: { name: string; he: string; He: string }[];
  friends: string[];
  /** Edible items, then other things: `[noun, measure word]` (the measure word is '' in English). */
  food: [string, string][];
  things: [string, string][];
  openers: string[];
  /** `{Name}` and `{count}` ('5 apples', '5个苹果') are filled in. */
  starts: string[];
  next: string[];
  so: string[];
  closers: string[];
  question: (op: Op, p: Person, items: Item, first: boolean) => string;
  intro: (p: Person, a: number, items: Item) => string;
  ask: (p: Person, items: Item) => string;
  action: (op: Op, p: Person, items: Item) => string;
  has: (p: Person, expr: string, y: number, items: Item) => string;
  final: (p: Person, x: number, items: Item) => string;
}

type Person = Phrasebook['people'][number];
interface Item {
  noun: string;
  /** A number of them: '5 apples' in English, '5个苹果' in Chinese. */
  count: (n: number | string) => string;
  measure: string;
}

type OpKind = 'buy' | 'give' | 'eat' | 'double' | 'half';

interface Op {
  kind: OpKind;
  k: number;
  friend: string;
}

/**
 * The people of TinyArith, in both languages on one row, so the two phrasebooks list the same
 * people in the same order (a seed draws the same person in either language).
 */
const PEOPLE: readonly { en: string; zh: string; she: boolean }[] = [
  { en: 'Xiaoming', zh: '小明', she: false },
  { en: 'Lily', zh: '莉莉', she: true },
  { en: 'Tom', zh: '汤姆', she: false },
  { en: 'Anna', zh: '安娜', she: true },
  { en: 'Ben', zh: '小刚', she: false },
  { en: 'Mia', zh: '米娅', she: true },
  { en: 'Leo', zh: '小磊', she: false },
  { en: 'Xiaohong', zh: '小红', she: true },
  { en: 'Sam', zh: '山姆', she: false },
  { en: 'Emma', zh: '艾玛', she: true },
];

type Pronouns = { he: string; He: string };

function people(language: ArithLanguage, he: Pronouns, she: Pronouns): Person[] {
  return PEOPLE.map((row) => ({ name: row[language], ...(row.she ? she : he) }));
}

const EN: Phrasebook = {
  join: ' ',
  people: people('en', { he: 'he', He: 'He' }, { he: 'she', He: 'She' }),
  friends: ['Jack', 'Rosa', 'Ivan', 'Nina', 'Omar', 'Yuki'],
  food: ['apples', 'pears', 'cookies', 'candies', 'eggs', 'oranges'].map((n): [string, string] => [
    n,
    '',
  ]),
  things: ['books', 'pencils', 'marbles', 'stickers', 'cards', 'stamps'].map(
    (n): [string, string] => [n, ''],
  ),
  // Filler phrases: the words TokenSkip should learn to skip.
  openers: ["First, let's see.", "Okay, let's think.", "Well, let's work it out step by step."],
  starts: [
    '{Name} starts with {count}.',
    'At the beginning, {Name} has {count}.',
    'We know that {Name} has {count} at first.',
  ],
  next: ['Then', 'Next,', 'After that,', 'Now'],
  so: ['so', 'so now', 'which means'],
  closers: ['So, finally,', 'Therefore, in the end,', 'So, all in all,'],
  question(op, p, _items, first) {
    const then = first ? '' : 'Then ';
    const subject = first ? p.He : p.he;
    switch (op.kind) {
      case 'buy':
        return `${then}${subject} buys ${op.k} more.`;
      case 'give':
        return `${then}${subject} gives ${op.k} to ${op.friend}.`;
      case 'eat':
        return `${then}${subject} eats ${op.k}.`;
      case 'double':
        return `${then}${subject} doubles them.`;
      case 'half':
        return `${then}${subject} gives half of them to ${op.friend}.`;
    }
  },
  intro: (p, a, items) => `${p.name} has ${items.count(a)}.`,
  ask: (p, items) => `How many ${items.noun} does ${p.name} have now?`,
  action(op, p) {
    switch (op.kind) {
      case 'buy':
        return `${p.he} buys ${op.k} more`;
      case 'give':
        return `${p.he} gives ${op.k} to ${op.friend}`;
      case 'eat':
        return `${p.he} eats ${op.k} of them`;
      case 'double':
        return `${p.he} doubles them`;
      case 'half':
        return `${p.he} gives half of them to ${op.friend}`;
    }
  },
  has: (p, expr, y, items) => `${p.he} has ${expr} = ${items.count(y)}.`,
  final: (p, x, items) => `${p.name} has ${items.count(x)}.`,
};

const ZH: Phrasebook = {
  join: '',
  people: people('zh', { he: '他', He: '他' }, { he: '她', He: '她' }),
  friends: ['杰克', '罗莎', '伊万', '妮娜', '小军', '由纪'],
  food: [
    ['苹果', '个'],
    ['梨', '个'],
    ['饼干', '块'],
    ['糖果', '颗'],
    ['鸡蛋', '个'],
    ['橙子', '个'],
  ],
  things: [
    ['书', '本'],
    ['铅笔', '支'],
    ['弹珠', '颗'],
    ['贴纸', '张'],
    ['卡片', '张'],
    ['邮票', '张'],
  ],
  openers: ['首先，我们来看一下。', '好，我们想一想。', '嗯，我们一步一步来算。'],
  starts: ['{Name}一开始有{count}。', '最开始，{Name}有{count}。', '我们知道{Name}起初有{count}。'],
  next: ['然后', '接下来，', '之后，', '现在'],
  so: ['所以', '所以现在', '也就是说'],
  closers: ['所以，最后', '因此，最终', '所以，总的来说，'],
  question(op, p, items, first) {
    const subject = first ? p.He : `然后${p.he}`;
    switch (op.kind) {
      case 'buy':
        return `${subject}又买了${op.k}${items.measure}。`;
      case 'give':
        return `${subject}给了${op.friend}${op.k}${items.measure}。`;
      case 'eat':
        return `${subject}吃了${op.k}${items.measure}。`;
      case 'double':
        return `${subject}把${items.noun}的数量翻了一倍。`;
      case 'half':
        return `${subject}把一半的${items.noun}给了${op.friend}。`;
    }
  },
  intro: (p, a, items) => `${p.name}有${items.count(a)}。`,
  ask: (p, items) => `${p.name}现在有几${items.measure}${items.noun}？`,
  action(op, p, items) {
    switch (op.kind) {
      case 'buy':
        return `${p.he}又买了${op.k}${items.measure}`;
      case 'give':
        return `${p.he}给了${op.friend}${op.k}${items.measure}`;
      case 'eat':
        return `${p.he}吃了其中${op.k}${items.measure}`;
      case 'double':
        return `${p.he}把${items.noun}的数量翻了一倍`;
      case 'half':
        return `${p.he}把一半给了${op.friend}`;
    }
  },
  has: (p, expr, y, items) => `${p.he}有${expr} = ${items.count(y)}。`,
  final: (p, x, items) => `${p.name}有${items.count(x)}。`,
};

const BOOKS: Record<ArithLanguage, Phrasebook> = { en: EN, zh: ZH };

function item([noun, measure]: [string, string]): Item {
  return {
    noun,
    measure,
    count: (n) => (measure === '' ? `${n} ${noun}` : `${n}${measure}${noun}`),
  };
}

function apply(op: Op, x: number): { expr: string; y: number } {
  switch (op.kind) {
    case 'buy':
      return { expr: `${x} + ${op.k}`, y: x + op.k };
    case 'give':
    case 'eat':
      return { expr: `${x} - ${op.k}`, y: x - op.k };
    case 'double':
      return { expr: `${x} * 2`, y: x * 2 };
    case 'half':
      return { expr: `${x} / 2`, y: x / 2 };
  }
}

function drawOp(rand: () => number, x: number, edible: boolean, friends: string[]): Op {
  for (;;) {
    const kinds: OpKind[] = ['buy', 'give', 'buy', 'give', 'double', 'half'];
    if (edible) kinds.push('eat', 'eat');
    const kind = pick(rand, kinds);
    const op: Op = { kind, k: randomInt(rand, 1, 9), friend: pick(rand, friends) };
    if (kind === 'double' && x > MAX_VALUE / 2) continue;
    if (kind === 'half' && x % 2 !== 0) continue;
    const { y } = apply(op, x);
    if (y >= 1 && y <= MAX_VALUE) return op;
  }
}

const ESSENTIAL = /^[0-9]+[.,]?$|^[+\-*/=]$/;

/** Builds the CoT from role-tagged pieces so every word's role is known by construction. */
class CotWriter {
  private parts: string[] = [];
  readonly roles: WordRole[] = [];
  constructor(private readonly joiner: string) {}
  add(text: string, role: WordRole): this {
    this.parts.push(text);
    // Numbers and operators are essential, the rest of the piece has its role.
    this.roles.push(...cotWords(text).map((w) => (ESSENTIAL.test(w) ? 'essential' : role)));
    return this;
  }
  text(): string {
    return this.parts.join(this.joiner).replace(/ ([,.])/g, '$1');
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * One problem from a 32-bit seed: deterministic, the same in every runtime. The same seed in
 * another language gives the translation of the same problem.
 */
export function arithProblem(
  seed: number,
  id: string,
  language: ArithLanguage = 'en',
): ArithProblem {
  const book = BOOKS[language];
  const rand = seededRandom(seed);
  const p = pick(rand, book.people);
  const edible = rand() < 0.5;
  const items = item(pick(rand, edible ? book.food : book.things));
  const steps = randomInt(rand, 2, 4);
  const a = randomInt(rand, 2, 9);
  const ops: Op[] = [];
  let x = a;
  const values = [a];
  for (let i = 0; i < steps; i++) {
    const op = drawOp(rand, x, edible, book.friends);
    ops.push(op);
    x = apply(op, x).y;
    values.push(x);
  }
  const question = [
    book.intro(p, a, items),
    ...ops.map((op, i) => book.question(op, p, items, i === 0)),
    book.ask(p, items),
  ].join(book.join);

  const w = new CotWriter(book.join);
  w.add(pick(rand, book.openers), 'filler');
  w.add(fill(pick(rand, book.starts), p, a, items), 'context');
  ops.forEach((op, i) => {
    const before = values[i] as number;
    const { expr, y } = apply(op, before);
    const next = pick(rand, book.next);
    // "Then he buys 3 more, so now he has 5 + 3 = 8 apples."
    w.add(next, 'filler');
    w.add(book.action(op, p, items) + (language === 'zh' ? '，' : ','), 'context');
    w.add(pick(rand, book.so), 'filler');
    w.add(book.has(p, expr, y, items), 'context');
  });
  w.add(pick(rand, book.closers), 'filler');
  w.add(book.final(p, x, items), 'context');
  const cot = capitalise(w.text());
  return {
    id,
    question,
    cot,
    answer: String(x),
    roles: w.roles,
    steps,
    ...(language === 'en' ? {} : { language }),
  };
}

function fill(template: string, p: Person, a: number, items: Item): string {
  return template.replace('{Name}', p.name).replace('{count}', items.count(a));
}

export interface ArithSplits {
  test: ArithProblem[];
  val: ArithProblem[];
  train: ArithProblem[];
}

function checkCount(split: ArithSplit, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > MAX_PROBLEMS) {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'arithSizeRange',
      params: { split, max: MAX_PROBLEMS.toLocaleString('en'), got: n },
    });
  }
}

/**
 * The three splits for a base seed. Problem i of a split comes from its own seed stream; a question
 * already in an earlier split is skipped (and the next seed tried), so the splits are disjoint.
 * With several `languages`, consecutive problems take them in turn.
 */
export function arithSplits(
  seed: number,
  sizes: { train: number; val: number; test: number },
  languages: readonly ArithLanguage[] = ['en'],
): ArithSplits {
  if (languages.length === 0 || languages.some((l) => !ARITH_LANGUAGES.includes(l))) {
    throw new TokenSkipError('INVALID_ARGUMENT', {
      id: 'arithLanguages',
      params: { known: ARITH_LANGUAGES.join(', '), got: languages.join(',') },
    });
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new TokenSkipError('INVALID_ARGUMENT', { id: 'arithSeed', params: { got: seed } });
  }
  checkCount('train', sizes.train);
  checkCount('val', sizes.val);
  checkCount('test', sizes.test);
  const seen = new Set<string>();
  const make = (split: ArithSplit, n: number): ArithProblem[] => {
    const out: ArithProblem[] = [];
    const stream = seededRandom(seed ^ SPLIT_SALT[split]);
    // The problem space is large (about 10^9 questions) but finite: give up rather than loop.
    for (let tries = 0; out.length < n; tries++) {
      if (tries > 4 * n + 1000) {
        throw new TokenSkipError('INVALID_ARGUMENT', {
          id: 'arithTooFew',
          params: { n, split },
        });
      }
      // Languages take turns: with en and zh, problem 0 is English, problem 1 Chinese, ...
      const language = languages[out.length % languages.length] as ArithLanguage;
      const p = arithProblem(
        Math.floor(stream() * 4294967296),
        `arith-${split}-${out.length}`,
        language,
      );
      if (seen.has(p.question)) continue;
      seen.add(p.question);
      out.push(p);
    }
    return out;
  };
  const test = make('test', sizes.test);
  const val = make('val', sizes.val);
  const train = make('train', sizes.train);
  return { test, val, train };
}

/** Words of the CoT in order, the unit `roles` refers to. */
export function cotWords(cot: string): string[] {
  return textWords(cot).map((w) => w.text);
}

/** Roles from the dataset's one-letter form (`e`, `f`, `c` per CoT word). */
export function parseRoles(letters: string): WordRole[] {
  return [...letters].map((l) => {
    if (l === 'e') return 'essential';
    if (l === 'f') return 'filler';
    if (l === 'c') return 'context';
    throw new TokenSkipError('MALFORMED_JSONL', { id: 'arithRole', params: { got: l } });
  });
}

export interface RoleTally {
  essential: { kept: number; total: number };
  filler: { kept: number; total: number };
  context: { kept: number; total: number };
}

export function emptyTally(): RoleTally {
  return {
    essential: { kept: 0, total: 0 },
    filler: { kept: 0, total: 0 },
    context: { kept: 0, total: 0 },
  };
}

/**
 * Adds one compressed CoT to a tally (words whose role is `undefined` are left out): a CoT word counts as kept when most of its characters belong
 * to words the compressor kept (`word_labels` use the scorer's own word splitting).
 */
export function tallyRoles(
  tally: RoleTally,
  cot: string,
  roles: readonly (WordRole | undefined)[],
  wordLabels: readonly (readonly [string, number])[],
): RoleTally {
  const chars = characterValues(
    cot,
    wordLabels.map(([w]) => w),
    wordLabels.map(([, keep]) => keep),
  );
  const words = cotWords(cot);
  if (words.length !== roles.length) {
    throw new TokenSkipError('MALFORMED_JSONL', {
      id: 'arithRoleCount',
      params: { words: words.length, roles: roles.length },
    });
  }
  pieceMeans(cot, chars, words).forEach((mean, i) => {
    const role = roles[i];
    if (role === undefined) return; // a word the caller does not count
    const t = tally[role];
    t.total++;
    if (mean >= 0.5) t.kept++;
  });
  return tally;
}
