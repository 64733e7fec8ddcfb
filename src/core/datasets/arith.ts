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
 * and hedges: "First", "then", "so", "finally") or `context` (names, verbs, items). Roles are used
 * only to *measure* a scorer (share of essential words kept, filler dropped), never to train one.
 *
 * Arithmetic is kept easy on purpose (start 2-9, operands 1-9, every value 1-20, doubling only up
 * to 10, halving only even numbers): the model must learn to copy, chain and add small numbers,
 * not long arithmetic. Each split has its own seed range, and a problem whose question appears in
 * an earlier split (test, then validation, then train) is skipped, so splits never share a question.
 */
import { TokenSkipError } from '../errors.ts';
import { pick, randomInt, seededRandom } from '../random.ts';
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
  /** One role per whitespace-separated word of `cot`. */
  roles: WordRole[];
  /** Number of operations after the start (2-4). */
  steps: number;
}

/** Seed offsets that keep the three splits' random streams apart for any base seed. */
const SPLIT_SALT: Record<ArithSplit, number> = { test: 0x7e57, val: 0x0a11, train: 0x7a14 };
export const MAX_PROBLEMS = 1_000_000;
export const MAX_VALUE = 20;

interface Person {
  name: string;
  he: string;
  He: string;
}

const PEOPLE: Person[] = [
  { name: 'Xiaoming', he: 'he', He: 'He' },
  { name: 'Lily', he: 'she', He: 'She' },
  { name: 'Tom', he: 'he', He: 'He' },
  { name: 'Anna', he: 'she', He: 'She' },
  { name: 'Ben', he: 'he', He: 'He' },
  { name: 'Mia', he: 'she', He: 'She' },
  { name: 'Leo', he: 'he', He: 'He' },
  { name: 'Xiaohong', he: 'she', He: 'She' },
  { name: 'Sam', he: 'he', He: 'He' },
  { name: 'Emma', he: 'she', He: 'She' },
];
const FRIENDS = ['Jack', 'Rosa', 'Ivan', 'Nina', 'Omar', 'Yuki'];
const FOOD = ['apples', 'pears', 'cookies', 'candies', 'eggs', 'oranges'];
const THINGS = ['books', 'pencils', 'marbles', 'stickers', 'cards', 'stamps'];

/** Filler phrases: the words TokenSkip should learn to skip. `{He}`/`{he}` are the pronoun. */
const OPENERS = [
  "First, let's see.",
  "Okay, let's think.",
  "Well, let's work it out step by step.",
];
const STARTS = [
  '{Name} starts with {a} {items}.',
  'At the beginning, {Name} has {a} {items}.',
  'We know that {Name} has {a} {items} at first.',
];
const NEXT = ['Then', 'Next,', 'After that,', 'Now'];
const SO = ['so', 'so now', 'which means'];
const CLOSERS = ['So, finally,', 'Therefore, in the end,', 'So, all in all,'];

type OpKind = 'buy' | 'give' | 'eat' | 'double' | 'half';

interface Op {
  kind: OpKind;
  k: number;
  friend: string;
}

/** Question sentence and CoT clause templates per operation. Essential tokens are marked later. */
function questionSentence(op: Op, p: Person, first: boolean): string {
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
}

function cotAction(op: Op, p: Person): string {
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

function drawOp(rand: () => number, x: number, edible: boolean): Op {
  for (;;) {
    const kinds: OpKind[] = ['buy', 'give', 'buy', 'give', 'double', 'half'];
    if (edible) kinds.push('eat', 'eat');
    const kind = pick(rand, kinds);
    const op: Op = { kind, k: randomInt(rand, 1, 9), friend: pick(rand, FRIENDS) };
    if (kind === 'double' && x > MAX_VALUE / 2) continue;
    if (kind === 'half' && x % 2 !== 0) continue;
    const { y } = apply(op, x);
    if (y >= 1 && y <= MAX_VALUE) return op;
  }
}

const ESSENTIAL = /^[0-9]+[.,]?$|^[+\-*/=]$/;

/** Roles of a sentence's words: numbers/operators essential, the rest `other`. */
function roleWords(text: string, other: WordRole): WordRole[] {
  return text
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => (ESSENTIAL.test(w) ? 'essential' : other));
}

/** Builds the CoT from role-tagged pieces so every word's role is known by construction. */
class CotWriter {
  private parts: string[] = [];
  readonly roles: WordRole[] = [];
  add(text: string, role: WordRole): this {
    this.parts.push(text);
    this.roles.push(...roleWords(text, role));
    return this;
  }
  text(): string {
    return this.parts.join(' ').replace(/ ([,.])/g, '$1');
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** One problem from a 32-bit seed: deterministic, the same in every runtime. */
export function arithProblem(seed: number, id: string): ArithProblem {
  const rand = seededRandom(seed);
  const p = pick(rand, PEOPLE);
  const edible = rand() < 0.5;
  const items = pick(rand, edible ? FOOD : THINGS);
  const steps = randomInt(rand, 2, 4);
  const a = randomInt(rand, 2, 9);
  const ops: Op[] = [];
  let x = a;
  const values = [a];
  for (let i = 0; i < steps; i++) {
    const op = drawOp(rand, x, edible);
    ops.push(op);
    x = apply(op, x).y;
    values.push(x);
  }
  const question = [
    `${p.name} has ${a} ${items}.`,
    ...ops.map((op, i) => questionSentence(op, p, i === 0)),
    `How many ${items} does ${p.name} have now?`,
  ].join(' ');

  const w = new CotWriter();
  w.add(pick(rand, OPENERS), 'filler');
  w.add(fill(pick(rand, STARTS), p, a, items), 'context');
  ops.forEach((op, i) => {
    const before = values[i] as number;
    const { expr, y } = apply(op, before);
    const next = pick(rand, NEXT);
    // "Then he buys 3 more, so now he has 5 + 3 = 8 apples."
    w.add(next, 'filler');
    w.add(cotAction(op, p) + ',', 'context');
    w.add(pick(rand, SO), 'filler');
    w.add(`${p.he} has ${expr} = ${y} ${items}.`, 'context');
  });
  w.add(pick(rand, CLOSERS), 'filler');
  w.add(`${p.name} has ${x} ${items}.`, 'context');
  const cot = capitalise(w.text());
  return { id, question, cot, answer: String(x), roles: w.roles, steps };
}

function fill(template: string, p: Person, a: number, items: string): string {
  return template.replace('{Name}', p.name).replace('{a}', String(a)).replace('{items}', items);
}

export interface ArithSplits {
  test: ArithProblem[];
  val: ArithProblem[];
  train: ArithProblem[];
}

function checkCount(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > MAX_PROBLEMS) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `${name} must be a whole number from 0 to ${MAX_PROBLEMS.toLocaleString('en')}; got ${n}.`,
    );
  }
}

/**
 * The three splits for a base seed. Problem i of a split comes from its own seed stream; a question
 * already in an earlier split is skipped (and the next seed tried), so the splits are disjoint.
 */
export function arithSplits(
  seed: number,
  sizes: { train: number; val: number; test: number },
): ArithSplits {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `seed must be a whole number from 0 to 4294967295; got ${seed}.`,
    );
  }
  checkCount('train size', sizes.train);
  checkCount('val size', sizes.val);
  checkCount('test size', sizes.test);
  const seen = new Set<string>();
  const make = (split: ArithSplit, n: number): ArithProblem[] => {
    const out: ArithProblem[] = [];
    const stream = seededRandom(seed ^ SPLIT_SALT[split]);
    // The problem space is large (about 10^9 questions) but finite: give up rather than loop.
    for (let tries = 0; out.length < n; tries++) {
      if (tries > 4 * n + 1000) {
        throw new TokenSkipError(
          'INVALID_ARGUMENT',
          `could not draw ${n} distinct ${split} problems; ask for fewer.`,
        );
      }
      const p = arithProblem(Math.floor(stream() * 4294967296), `arith-${split}-${out.length}`);
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
  return cot.split(/\s+/).filter((w) => w !== '');
}

/** Roles from the dataset's one-letter form (`e`, `f`, `c` per CoT word). */
export function parseRoles(letters: string): WordRole[] {
  return [...letters].map((l) => {
    if (l === 'e') return 'essential';
    if (l === 'f') return 'filler';
    if (l === 'c') return 'context';
    throw new TokenSkipError('MALFORMED_JSONL', `unknown word role '${l}' (expected e, f or c).`);
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
 * Adds one compressed CoT to a tally: a CoT word counts as kept when most of its characters belong
 * to words the compressor kept (`word_labels` use the scorer's own word splitting).
 */
export function tallyRoles(
  tally: RoleTally,
  cot: string,
  roles: readonly WordRole[],
  wordLabels: readonly (readonly [string, number])[],
): RoleTally {
  const chars = characterValues(
    cot,
    wordLabels.map(([w]) => w),
    wordLabels.map(([, keep]) => keep),
  );
  const words = cotWords(cot);
  if (words.length !== roles.length) {
    throw new TokenSkipError(
      'MALFORMED_JSONL',
      `the CoT has ${words.length} words but ${roles.length} roles.`,
    );
  }
  pieceMeans(cot, chars, words).forEach((mean, i) => {
    const t = tally[roles[i] as WordRole];
    t.total++;
    if (mean >= 0.5) t.kept++;
  });
  return tally;
}
