/**
 * Grading one model completion against its gold answer, per dataset, as TokenSkip's evaluation
 * does: GSM8K takes the single last answer; MATH takes every boxed answer as a list and compares
 * it with the gold list.
 *
 *   gradeSample({ dataset: 'gsm8k', question, output: '... $\\boxed{18}$', answer: '18' })
 *   // { prediction: '18', gold: '18', correct: true, source: 'boxed' }
 */
import { gradeMathLists, isCorrect, type EqualOptions } from './equal.ts';
import {
  extractAnswer,
  extractCandidates,
  extractMathAnswer,
  gsm8kGold,
  mathGold,
  type ExtractionSource,
} from './extract.ts';

export type Dataset = 'gsm8k' | 'math';
export const DATASETS: readonly Dataset[] = ['gsm8k', 'math'];

export interface SampleInput {
  dataset: Dataset;
  /** The question; MATH uses it to split "separated by commas" answers. */
  question?: string;
  /** The model's completion. */
  output: string;
  /**
   * Gold answer. GSM8K: the number (commas allowed). MATH: the bare gold answer string (the
   * contents of the solution's box), or a list of answers.
   */
  answer: string | number | readonly string[];
}

export interface GradeResult {
  /** GSM8K: one answer ('' when none was found). MATH: the list that was compared. */
  prediction: string | string[];
  /** The gold answer after extraction, as compared. */
  gold: string | string[];
  correct: boolean;
  /** Which extraction rule found the prediction. */
  source: ExtractionSource;
}

export function isDataset(value: unknown): value is Dataset {
  return value === 'gsm8k' || value === 'math';
}

/** Grades one sample. Never throws on odd model output; the CAS is bounded per comparison. */
export function gradeSample(sample: SampleInput, options: EqualOptions = {}): GradeResult {
  const question = sample.question ?? '';
  const source = extractCandidates(sample.output).source;
  if (sample.dataset === 'gsm8k') {
    const prediction = extractAnswer(sample.output);
    const gold = gsm8kGold(
      Array.isArray(sample.answer) ? sample.answer.join(',') : String(sample.answer),
    );
    // The reference marks an empty prediction wrong without comparing.
    const correct = prediction !== '' && isCorrect(prediction, gold, options);
    return { prediction, gold, correct, source };
  }
  const answer = typeof sample.answer === 'number' ? String(sample.answer) : sample.answer;
  const result = gradeMathLists(
    extractMathAnswer(question, sample.output),
    mathGold(question, answer),
    options,
  );
  return { prediction: result.prediction, gold: result.gold, correct: result.correct, source };
}
