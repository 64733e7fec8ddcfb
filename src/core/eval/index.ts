/**
 * TokenSkip-faithful evaluation: the public API shared by the benchmark page, the CLI
 * (`tokenskip grade`, `tokenskip report`) and the trainer. Runs in the browser and in Node.
 *
 * Grade one completion:
 *
 *   import { gradeSample } from '../core/eval/index.ts';
 *   const r = gradeSample({ dataset: 'math', question, output, answer: '\\frac{14}{3}' });
 *   r.correct; r.prediction; // ['\\frac{14}{3}']
 *
 * Summarise runs and render the paper-style table:
 *
 *   const summaries = summarizeRuns(
 *     [
 *       { name: 'orig', method: 'Original', model: 'Qwen2.5-0.5B', dataset: 'gsm8k', gamma: 1, original: true, samples },
 *       { name: 'ts-0.6', method: 'TokenSkip', model: 'Qwen2.5-0.5B', dataset: 'gsm8k', gamma: 0.6, samples: s06 },
 *     ],
 *     { countTokens: (text) => tokenizer.encode(text).length },
 *   );
 *   toMarkdownTable(summaries); toCsv(summaries); toJson(summaries, { tokenizer: 'Qwen2.5' });
 *
 * Importing this module loads Compute Engine (a few MB) for the symbolic check. A page that
 * grades should use `lazy.ts` instead (`gradeSampleLazy`), which imports the CAS only when an
 * answer reaches the symbolic check, so GSM8K runs never download it.
 */
export { gradeSample, isDataset, DATASETS } from './grade.ts';
export type { Dataset, SampleInput, GradeResult } from './grade.ts';

export {
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
} from './extract.ts';
export type { ExtractionSource } from './extract.ts';

export { normalizeAnswer } from './normalize.ts';
export { gradeMathLists, isCorrect, mathEqual } from './equal.ts';
export type { EqualOptions } from './equal.ts';
export {
  DEFAULT_SYMBOLIC_TIMEOUT_MS,
  resetSymbolicStats,
  symbolicEqual,
  symbolicStats,
} from './symbolic.ts';
export type { SymbolicStats } from './symbolic.ts';

export { FINAL_ANSWER_DELIMITER, cotText, summarizeRun, summarizeRuns } from './metrics.ts';
export type {
  RunInput,
  RunSummary,
  SampleMetrics,
  SampleRecord,
  SummarizeOptions,
  TokenCounter,
} from './metrics.ts';

export { groupRuns } from './runs.ts';
export type { RunRecord } from './runs.ts';

export { CSV_COLUMNS, toCsv, toJson, toMarkdownTable } from './report.ts';
export type { ReportMeta } from './report.ts';
