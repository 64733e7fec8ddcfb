// Every extraction path of docs/method.md#grading, in its order of preference, with the exact
// strings the reference produces (its quirks included and named as such).
import { describe, expect, it } from 'vitest';
import {
  extractAnswer,
  extractAnswers,
  extractBoxedAnswers,
  extractCandidates,
  extractMathAnswer,
  extractProgramOutput,
  gsm8kGold,
  gsm8kReferenceOutput,
  mathGold,
  mathGoldFromSolution,
} from '../../src/core/eval/extract.ts';

const SINGLE: [name: string, output: string, last: string, all: string[]][] = [
  [
    'final answer is $...$. I hope',
    'So x = 2.\nFinal Answer: The final answer is $\\frac{1}{2}$. I hope it is correct.',
    '\\frac{1}{2}',
    ['\\frac{1}{2}'],
  ],
  [
    'the final-answer form wins over a box',
    'We get \\boxed{3}. The final answer is $4$. I hope it is correct.',
    '4',
    ['4'],
  ],
  ['the last of several boxes', 'First \\boxed{1}, then \\boxed{2}.', '2', ['1', '2']],
  [
    'brace-matched nested box',
    'Thus $\\boxed{\\frac{\\sqrt{3}}{2}}$.',
    '\\frac{\\sqrt{3}}{2}',
    ['\\frac{\\sqrt{3}}{2}'],
  ],
  [
    'TokenSkip output format',
    'Step 1: 3 + 4 = 7.\n\nThe final answer is: $\\boxed{7}$',
    '7',
    ['7'],
  ],
  [
    'box with a unit that is not trailing',
    'The area is $\\boxed{24\\text{ cm}^2}$.',
    '24\\text{cm}^2',
    ['24\\text{cm}^2'],
  ],
  ['percent inside the box', 'The rate is $\\boxed{25\\%}$.', '25%', ['25%']],
  [
    'reference quirk: % right after the box keeps the brace',
    'The rate is \\boxed{25}%.',
    '25}',
    ['25}'],
  ],
  ['dollars and .00', 'She makes $\\boxed{\\$1,080.00}$ per week.', '1,080', ['1,080']],
  ['an unterminated box is skipped', 'so \\boxed{5} and then \\boxed{6', '5', ['5']],
  ['the word "boxed" without a box finds nothing', 'I boxed the result: 42', '', []],
  ['he answer is', 'Adding up, the answer is 15 apples.\nDone', '15apples', ['15apples']],
  ['The answer is: (colon stripped)', 'The answer is: 8.', '8', ['8']],
  [
    'program output block',
    'x = 3\n```python\nprint(6*7)\n```\n```output\n42\n```\nNo more.',
    '42',
    ['42'],
  ],
  [
    'last number, commas removed',
    'He has 1,234 marbles and gives away 34, leaving 1200',
    '1200',
    ['1200'],
  ],
  ['last number, negative decimal', 'The temperature fell to -3.5 degrees', '-3.5', ['-3.5']],
  ['nothing at all', 'I do not know.', '', []],
  ['first line only', 'The answer is 12\nbut also 13', '12', ['12']],
  ['only one leading colon run is stripped', 'The answer is: : 9', ':9', [':9']],
  ['trailing slash stripped', 'The answer is 3/', '3', ['3']],
];

describe('extractAnswer / extractAnswers', () => {
  it.each(SINGLE)('%s', (_name, output, last, all) => {
    expect(extractAnswer(output)).toBe(last);
    expect(extractAnswers(output)).toEqual(all);
  });

  it('reports which rule found the answer', () => {
    expect(extractCandidates('final answer is $1$. I hope').source).toBe('final-answer');
    expect(extractCandidates('\\boxed{1}').source).toBe('boxed');
    expect(extractCandidates('The answer is 1').source).toBe('answer-is');
    expect(extractCandidates('```output\n1\n```').source).toBe('program');
    expect(extractCandidates('1 2 3').source).toBe('last-number');
    expect(extractCandidates('none').source).toBe('none');
  });

  it('extractBoxedAnswers and extractProgramOutput on their own', () => {
    expect(extractBoxedAnswers('\\boxed{a{b}c} x \\fboxed{d}')).toEqual(['a{b}c', 'd']);
    expect(extractProgramOutput('```output\n 1 \n```\n```output\n2\n```')).toBe('2');
    expect(extractProgramOutput('```output\nunclosed 3')).toBe('unclosed 3');
    expect(extractProgramOutput('no block')).toBe('');
  });
});

const MATH: [name: string, question: string, output: string, expected: string[]][] = [
  [
    'split on commas when the question says "separated by commas"',
    'Find all solutions, separated by commas.',
    'The roots are $\\boxed{1, -2, 3}$.',
    ['1', '-2', '3'],
  ],
  [
    'no split when the answer holds brackets',
    'Enter the points, separated by commas.',
    '$\\boxed{(1,2), (3,4)}$',
    ['(1,2),(3,4)'],
  ],
  ['split on \\text{and}', 'Which two?', '$\\boxed{3 \\text{ and } 5}$', ['3', '5']],
  [
    'reference quirk: \\text{A} \\text{ and } \\text{C} is unwrapped first',
    'Which two?',
    '$\\boxed{\\text{A} \\text{ and } \\text{C}}$',
    ['A}', '\\text{C'],
  ],
  ['every box is an answer', 'Solve.', 'So $x=\\boxed{2}$ or $x=\\boxed{5}$.', ['2', '5']],
  ['no split without the phrase', 'Find the point.', '\\boxed{1, 2}', ['1,2']],
];

describe('extractMathAnswer', () => {
  it.each(MATH)('%s', (_name, question, output, expected) => {
    expect(extractMathAnswer(question, output)).toEqual(expected);
  });
});

describe('gold answers', () => {
  it('GSM8K gold is the answer with commas removed, nothing else', () => {
    expect(gsm8kGold('70,000')).toBe('70000');
    expect(gsm8kGold(18)).toBe('18');
    expect(gsm8kGold(' 5 ')).toBe(' 5 ');
  });

  it('MATH gold from the bare answer string is built like a boxed solution answer', () => {
    expect(mathGold('Convert the point.', '\\left( 3, \\frac{\\pi}{2} \\right)')).toEqual([
      '(3,\\frac{\\pi}{2})',
    ]);
    expect(mathGold('Enter all the solutions, separated by commas.', '-2, 1')).toEqual(['-2', '1']);
    expect(mathGold('', '\\text{(C)}')).toEqual(['(C)']);
    expect(mathGold('', ['\\dfrac12', '3'])).toEqual(['\\frac{1}{2}', '3']);
  });

  it('MATH gold from a solution takes every box', () => {
    expect(mathGoldFromSolution('', 'So $a = \\boxed{2}$ and $b = \\boxed{3}.$')).toEqual([
      '2',
      '3',
    ]);
  });

  it('GSM8K reference output drops calculator notes and appends the boxed answer', () => {
    const cot = 'Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.';
    expect(gsm8kReferenceOutput(cot, '18')).toBe(
      'Janet sells 16 - 3 - 4 = 9 duck eggs a day.\nSo the answer is $\\boxed{18}$.',
    );
  });
});
