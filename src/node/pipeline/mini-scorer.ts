/**
 * The mini scorer's two pipeline steps that run models from Node:
 * - `distilLabels`: CTS on the base model labels every collected CoT (the teacher), written as the
 *   scorer's training records (src/node/pipeline/scorer-labels.ts);
 * - `measureScorer`: the trained scorer compresses held-out TinyArith CoTs at a few γ through the
 *   common `Scorer` contract (it is an LLMLingua-2 token classifier: scored once, selected per γ), and the kept words are tallied against the generator's word roles
 *   (share of essential words kept, of filler dropped).
 */
import { TokenSkipError } from '../../core/errors.ts';
import { validationIndices } from '../../core/prompts/tokenskip-format.ts';
import { validateCausalOptions } from '../../core/scoring/causal-scorer.ts';
import type { Condition } from '../../core/scoring/types.ts';
import type { LinguaOptions } from '../../core/compression/llmlingua2.ts';
import { createLingua2Scorer } from '../../core/scoring/lingua2-scorer.ts';
import { selectScored } from '../../core/scoring/select.ts';
import { emptyTally, parseRoles, tallyRoles, type RoleTally } from '../../core/datasets/arith.ts';
import {
  annotatorTargets,
  heldOutSpans,
  usesHeldOutPhrasing,
} from '../../core/datasets/arith-annotator.ts';
import { loadNodeCausalScorer } from '../../runtime/node/causal-scorer-node.ts';
import { loadNodeScorer } from '../../runtime/node/scorer-node.ts';
import { readJsonl, stringField } from './records.ts';
import { writeAtomic } from './manifest.ts';
import { createBar } from './progress.ts';
import {
  annotatorRecord,
  loadScorerTokenizer,
  scorerRecord,
  teacherLabels,
  IGNORE_INDEX,
  type ScorerRecord,
} from './scorer-labels.ts';

export interface DistilOptions {
  traces: string;
  /** The teacher: a causal LM folder in the transformers.js layout (the base model's ONNX export). */
  reference: string;
  scorerDir: string;
  out: string;
  keepShare: number;
  /** What the teacher's conditional pass sees before the CoT. */
  condition: Condition;
  threads: number;
  stderr: NodeJS.WritableStream;
}

export async function distilLabels(o: DistilOptions): Promise<Record<string, unknown>> {
  const traces = await readJsonl(o.traces);
  if (traces.length < 2) {
    throw new TokenSkipError(
      'EMPTY_INPUT',
      `${o.traces}: ${traces.length} trace(s); the scorer needs at least 2 (train and validation).`,
    );
  }
  const teacher = await loadNodeCausalScorer(o.reference, {
    scorer: 'cts',
    options: validateCausalOptions({ condition: o.condition }),
    threads: o.threads,
  });
  const tokenizer = await loadScorerTokenizer(o.scorerDir);
  const records: ScorerRecord[] = [];
  let kept = 0;
  let labelled = 0;
  const bar = createBar(o.stderr, 'teacher', traces.length);
  try {
    for (const [i, t] of traces.entries()) {
      const where = `${o.traces}:${i + 1}`;
      const cot = stringField(t, ['cot'], where);
      const answer = stringField(t, ['prediction', 'answer'], where);
      const question = stringField(t, ['question'], where);
      const scored = await teacher.score({ question, cot, answer });
      const rec = scorerRecord(
        String(t.id ?? i),
        cot,
        scored,
        teacherLabels(scored, o.keepShare),
        tokenizer,
      );
      for (const l of rec.labels) {
        if (l === IGNORE_INDEX) continue;
        labelled++;
        kept += l;
      }
      records.push(rec);
      bar.increment();
    }
  } finally {
    bar.stop();
    await teacher.reference.session.release();
  }
  const held = await writeSplit(records, o.out);
  return {
    records: records.length,
    val: held.size,
    token_keep_share: labelled ? kept / labelled : 0,
    teacher: `cts, condition ${o.condition}`,
  };
}

/**
 * The annotator's labels (src/core/datasets/arith-annotator.ts) for the first `limit` generated
 * TinyArith problems that use none of the held-out phrasings, as the scorer's training records.
 */
export async function annotatorLabels(o: {
  problems: string;
  scorerDir: string;
  out: string;
  limit: number;
}): Promise<Record<string, unknown>> {
  const rows = await readJsonl(o.problems);
  const tokenizer = await loadScorerTokenizer(o.scorerDir);
  const records: ScorerRecord[] = [];
  let skipped = 0;
  for (const [i, r] of rows.entries()) {
    if (records.length >= o.limit) break;
    const where = `${o.problems}:${i + 1}`;
    const cot = stringField(r, ['cot'], where);
    if (usesHeldOutPhrasing(cot)) {
      skipped++;
      continue;
    }
    const roles = parseRoles(stringField(r, ['roles'], where));
    const id = String(r.id ?? i);
    records.push(annotatorRecord(id, cot, annotatorTargets(cot, roles), tokenizer));
  }
  if (records.length < 2) {
    throw new TokenSkipError(
      'EMPTY_INPUT',
      `${o.problems}: ${records.length} problem(s) without a held-out phrasing; the scorer needs at least 2.`,
    );
  }
  const held = await writeSplit(records, o.out);
  return {
    records: records.length,
    val: held.size,
    skipped_held_out_phrasing: skipped,
    teacher: 'TinyArith annotator (word roles)',
  };
}

/** The scorer's records as train.jsonl and val.jsonl (a seeded tenth held out); the held-out indices. */
async function writeSplit(records: ScorerRecord[], out: string): Promise<Set<number>> {
  const held = validationIndices(records.length, 0.1, 42);
  const lines = (keep: boolean) =>
    records
      .filter((_, i) => held.has(i) === keep)
      .map((r) => JSON.stringify(r))
      .join('\n') + '\n';
  await writeAtomic(`${out}/train.jsonl`, lines(false));
  await writeAtomic(`${out}/val.jsonl`, lines(true));
  return held;
}

interface RoleShares {
  essential_kept: number;
  filler_dropped: number;
  context_kept: number;
  tally: RoleTally;
  /** The same shares over the words of the held-out phrasings alone (never seen in training). */
  held_out?: { filler_dropped: number; context_kept: number; tally: RoleTally };
}

export interface ScorerQuality {
  problems: number;
  /** Only problems that use a held-out phrasing were measured (`heldOut`), and `held_out` tallies their words. */
  held_out_phrasings?: boolean;
  /** Per compression config (LLMLingua-2 options), per γ. */
  configs: Record<string, Record<string, RoleShares>>;
}

export async function measureScorer(o: {
  scorer: string;
  problems: string;
  rates: number[];
  out: string;
  threads: number;
  limit?: number;
  /** Measure on problems that use a held-out phrasing (the scorer never trained on one). */
  heldOut?: boolean;
  configs: Record<string, Partial<LinguaOptions>>;
}): Promise<ScorerQuality> {
  const all = await readJsonl(o.problems);
  const rows = (
    o.heldOut
      ? all.filter((r, i) => usesHeldOutPhrasing(stringField(r, ['cot'], `${o.problems}:${i + 1}`)))
      : all
  ).slice(0, o.limit ?? 500);
  const scorer = await loadNodeScorer(o.scorer, { threads: o.threads });
  try {
    const cots = rows.map((r, i) => stringField(r, ['cot'], `${o.problems}:${i + 1}`));
    const result: ScorerQuality = {
      problems: rows.length,
      ...(o.heldOut ? { held_out_phrasings: true } : {}),
      configs: {},
    };
    const share = (k: { kept: number; total: number }) => (k.total ? k.kept / k.total : 0);
    for (const [name, options] of Object.entries(o.configs)) {
      const lingua = createLingua2Scorer(
        scorer.tokenizer,
        scorer.classifier,
        scorer.modelId,
        options,
      );
      const scored = await lingua.scoreMany(cots.map((cot) => ({ cot })));
      const byRate: Record<string, RoleShares> = {};
      for (const rate of o.rates) {
        const tally = emptyTally();
        const heldTally = emptyTally();
        scored.forEach((s, i) => {
          const labels = selectScored(s, rate).word_labels;
          const roles = parseRoles(stringField(rows[i]!, ['roles'], `${o.problems}:${i + 1}`));
          tallyRoles(tally, cots[i]!, roles, labels);
          if (o.heldOut) {
            const spans = heldOutSpans(cots[i]!);
            // Roles outside the held-out spans are not counted (`undefined` tallies nowhere).
            tallyRoles(
              heldTally,
              cots[i]!,
              roles.map((r, k) => (spans[k] ? r : undefined)),
              labels,
            );
          }
        });
        byRate[String(rate)] = {
          essential_kept: share(tally.essential),
          filler_dropped: 1 - share(tally.filler),
          context_kept: share(tally.context),
          tally,
          ...(o.heldOut
            ? {
                held_out: {
                  filler_dropped: 1 - share(heldTally.filler),
                  context_kept: share(heldTally.context),
                  tally: heldTally,
                },
              }
            : {}),
        };
      }
      result.configs[name] = byRate;
    }
    await writeAtomic(o.out, `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await scorer.classifier.release();
  }
}
