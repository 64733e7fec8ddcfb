/**
 * Teacher labels for the mini scorer, the LLMLingua-2 way with a teacher we can run.
 *
 * LLMLingua-2 labelled each word keep/drop with GPT-4 and trained a token classifier on the labels.
 * Here the teacher is CTS on the base model (src/core/scoring/causal-scorer.ts): a unit's score is
 * how much conditioning on the answer raises its log-probability. Per CoT, the top `keepShare` of
 * units by score are labelled keep, the rest drop; labels move to the scorer's WordPiece tokens
 * through the characters they cover (src/core/scoring/word-alignment.ts), and each record is the
 * scorer's model input (`[CLS] tokens [SEP]`, as `buildModelInput` feeds it) with one label per
 * token (-100 for the boundaries and anything unaligned).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TokenSkipError } from '../../core/errors.ts';
import {
  createScorerTokenizer,
  detectFamily,
  type ScorerTokenizer,
} from '../../core/compression/scorer-tokenizer.ts';
import { buildModelInput } from '../../core/compression/llmlingua2-words.ts';
import { characterValues, pieceMeans } from '../../core/scoring/word-alignment.ts';
import type { ScoredText } from '../../core/compression/types.ts';
import { textWords } from '../../core/compression/text-words.ts';

export const IGNORE_INDEX = -100;

export interface ScorerRecord {
  id: string;
  input_ids: number[];
  labels: number[];
}

export async function loadScorerTokenizer(dir: string): Promise<ScorerTokenizer> {
  const read = async (f: string) =>
    JSON.parse(await readFile(join(dir, f), 'utf8')) as Record<string, unknown>;
  const tokenizerJson = await read('tokenizer.json');
  const family = detectFamily('bert', tokenizerJson);
  return createScorerTokenizer(tokenizerJson, await read('tokenizer_config.json'), family);
}

/** Keep/drop per scored unit: the top `keepShare` of a CoT's units by score (ties: earlier first). */
export function teacherLabels(scored: ScoredText, keepShare: number): number[] {
  const scores = scored.chunks.flat().map((w) => w.score);
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const keep = new Set(order.slice(0, Math.round(keepShare * scores.length)).map(([, i]) => i));
  return scores.map((_, i) => (keep.has(i) ? 1 : 0));
}

/** The scorer's training record for one CoT from the teacher's per-unit labels. */
export function scorerRecord(
  id: string,
  cot: string,
  scored: ScoredText,
  labels: readonly number[],
  tokenizer: ScorerTokenizer,
): ScorerRecord {
  const units = scored.chunks.flat().map((w) => w.display);
  return unitRecord(id, cot, units, labels, tokenizer, 'hard');
}

/**
 * The scorer's training record for one TinyArith CoT from the annotator's keep targets per word
 * (src/core/datasets/arith-annotator.ts): soft labels in [0, 1], a token's being the mean over
 * the characters it covers.
 */
export function annotatorRecord(
  id: string,
  cot: string,
  targets: readonly number[],
  tokenizer: ScorerTokenizer,
): ScorerRecord {
  const words = textWords(cot).map((w) => w.text);
  return unitRecord(id, cot, words, targets, tokenizer, 'soft');
}

function unitRecord(
  id: string,
  cot: string,
  units: readonly string[],
  labels: readonly number[],
  tokenizer: ScorerTokenizer,
  kind: 'hard' | 'soft',
): ScorerRecord {
  const chars = characterValues(cot, units, labels);
  const input = buildModelInput(tokenizer, cot, false);
  const tokens = Array.from(input.ids, (t) => tokenizer.idToToken(t));
  // Boundaries ([CLS], [SEP]) are not text; WordPiece continuations are located without `##`.
  const inner = tokens.slice(1, -1).map((t) => t.replace(/^##/, ''));
  if (tokens[0] !== '[CLS]' || tokens[tokens.length - 1] !== '[SEP]') {
    throw new TokenSkipError(
      'INVALID_ARGUMENT',
      `${id}: the CoT does not fit one 512-token scorer input; shorten it.`,
    );
  }
  const means = pieceMeans(cot, chars, inner);
  const label = (m: number) => (kind === 'soft' ? Math.round(m * 1000) / 1000 : m >= 0.5 ? 1 : 0);
  const tokenLabels = means.map((m) => (Number.isNaN(m) ? IGNORE_INDEX : label(m)));
  return {
    id,
    input_ids: Array.from(input.ids),
    labels: [IGNORE_INDEX, ...tokenLabels, IGNORE_INDEX],
  };
}
