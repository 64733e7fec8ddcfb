/**
 * Answer extraction from a model's completion, and gold answers from GSM8K / MATH records, as
 * TokenSkip's evaluation does it (DeepSeek-Math `answer_extraction.py`).
 *
 * Order of preference for a completion:
 *   1. the text between `final answer is $` and `$. I hope`;
 *   2. every brace-matched `\boxed{...}` (the last one when one answer is wanted);
 *   3. what follows the last `he answer is`;
 *   4. the last fenced ```output block;
 *   5. the last number `-?\d*\.?\d+` after removing commas.
 * Each candidate keeps its first line, loses a leading `:` and trailing `.` and `/`, and is
 * normalised with {@link normalizeAnswer}.
 *
 *   extractAnswer('... so the total is \\boxed{\\dfrac{1}{2}}.')                  // '\\frac{1}{2}'
 *   extractMathAnswer('List them, separated by commas.', '\\boxed{1, 2}')         // ['1', '2']
 */
import { lstripChars, normalizeAnswer, rstripChars } from './normalize.ts';

/**
 * Contents of every `boxed{...}` (brace-matched; an unterminated box is skipped).
 * Reference quirk kept on purpose: when the closing brace is followed by `%`, the candidate keeps
 * the closing brace (`\boxed{50}%` gives `50}`), which then grades as wrong.
 */
export function extractBoxedAnswers(text: string): string[] {
  const answers: string[] = [];
  for (const piece of text.split('boxed{').slice(1)) {
    let depth = 0;
    for (let i = 0; i < piece.length; i++) {
      const ch = piece[i];
      if (ch === '{') depth++;
      else if (ch === '}') {
        depth--;
        if (depth < 0) {
          answers.push(piece[i + 1] === '%' ? piece.slice(0, i + 1) : piece.slice(0, i));
          break;
        }
      }
    }
  }
  return answers;
}

/** The text of the last ```output ... ``` block, trimmed; '' when there is none. */
export function extractProgramOutput(text: string): string {
  if (!text.includes('```output')) return '';
  let tail = text.split('```output').at(-1) ?? '';
  if (tail.includes('```')) tail = tail.split('```')[0] ?? '';
  return tail.trim();
}

/** Which rule produced the raw candidates (useful for per-sample records and debugging). */
export type ExtractionSource =
  'final-answer' | 'boxed' | 'answer-is' | 'program' | 'last-number' | 'none';

/** Raw candidates (before clean-up) and the rule that found them. */
export function extractCandidates(text: string): {
  source: ExtractionSource;
  candidates: string[];
} {
  if (text.includes('final answer is $') && text.includes('$. I hope')) {
    const after = text.slice(text.indexOf('final answer is $') + 'final answer is $'.length);
    const end = after.indexOf('$. I hope');
    return {
      source: 'final-answer',
      candidates: [(end >= 0 ? after.slice(0, end) : after).trim()],
    };
  }
  if (text.includes('boxed')) return { source: 'boxed', candidates: extractBoxedAnswers(text) };
  if (text.includes('he answer is')) {
    return { source: 'answer-is', candidates: [(text.split('he answer is').at(-1) ?? '').trim()] };
  }
  const program = extractProgramOutput(text);
  if (program !== '') return { source: 'program', candidates: [program] };
  const numbers = text.replace(/,/g, '').match(/-?\d*\.?\d+/g);
  const last = numbers?.at(-1);
  return last ? { source: 'last-number', candidates: [last] } : { source: 'none', candidates: [] };
}

/** First line, leading `:` and trailing `.`/`/` removed, then normalised. */
export function cleanCandidate(candidate: string): string {
  let s = candidate.trim().split('\n')[0] ?? '';
  s = lstripChars(s, ':');
  s = rstripChars(s, '.');
  s = rstripChars(s, '/');
  return normalizeAnswer(s);
}

/** Every answer found in `text` (all boxed answers, in order), each cleaned and normalised. */
export function extractAnswers(text: string): string[] {
  return extractCandidates(text).candidates.map(cleanCandidate);
}

/** The single answer of `text` (the last candidate), or '' when nothing was found. */
export function extractAnswer(text: string): string {
  return extractAnswers(text).at(-1) ?? '';
}

const TEXT_AND = /\\text\{\s*and\s*\}/;

/**
 * MATH answers as a list: each extracted answer is split on commas when the question says
 * "separated by commas" (and the answer holds no bracket), or on `\text{and}`.
 */
export function extractMathAnswer(question: string, text: string): string[] {
  const out: string[] = [];
  for (const ans of extractAnswers(text)) {
    if (question.includes('separated by commas') && ![...'()[]'].some((ch) => ans.includes(ch))) {
      // A loop, not push(...parts): a huge list would overflow the call stack.
      for (const part of ans.split(',')) out.push(part.trim());
    } else if (TEXT_AND.test(ans)) {
      for (const part of ans.split(new RegExp(TEXT_AND.source, 'g'))) out.push(part.trim());
    } else {
      out.push(ans.trim());
    }
  }
  return out;
}

/** GSM8K gold: the `answer` field with commas removed (no other normalisation, as the reference). */
export function gsm8kGold(answer: string | number): string {
  return String(answer).replace(/,/g, '');
}

/**
 * MATH gold list from the bare gold answer string (MATH-500's `answer` field): built exactly as
 * from a solution whose boxed answer it is. A list is taken as already split, one answer each.
 */
export function mathGold(question: string, answer: string | readonly string[]): string[] {
  if (typeof answer === 'string') return extractMathAnswer(question, `\\boxed{${answer}}`);
  return answer.flatMap((a) => extractMathAnswer(question, `\\boxed{${a}}`));
}

/** MATH gold list from a full reference solution (the reference's `process_math_test`). */
export function mathGoldFromSolution(question: string, solution: string): string[] {
  return extractMathAnswer(question, solution);
}

/**
 * GSM8K's human CoT turned into a reference completion as TokenSkip's data processing does:
 * `<<...>>` calculator notes removed and `\nSo the answer is $\boxed{ANSWER}$.` appended.
 */
export function gsm8kReferenceOutput(cot: string, answer: string | number): string {
  return `${cot.replace(/<<[^<>]*>>/g, '')}\nSo the answer is $\\boxed{${String(answer).trim()}}$.`;
}
