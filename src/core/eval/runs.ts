/**
 * Grouping flat per-sample results into runs (one model, dataset, method and γ each), for pages and
 * commands that collect samples from several runs in one list.
 *
 *   const runs = groupRuns([
 *     { model: 'Qwen2.5-0.5B', dataset: 'gsm8k', method: 'Original', gamma: 1, correct: true, output },
 *     { model: 'Qwen2.5-0.5B', dataset: 'gsm8k', method: 'TokenSkip', gamma: 0.6, correct: false, output },
 *   ]);
 *   summarizeRuns(runs, { countTokens });
 */
import type { RunInput, SampleRecord } from './metrics.ts';

/** A graded sample with the run it belongs to. */
export interface RunRecord extends SampleRecord {
  /** An explicit run name; records with the same name form one run whatever their other fields. */
  run?: string;
  model?: string;
  dataset?: string;
  method?: string;
  /** Target ratio γ (default 1). */
  gamma?: number;
  /** Marks the baseline run. */
  original?: boolean;
  /** Where the record came from (e.g. a file name); records from different sources never mix. */
  source?: string;
}

function describe(r: RunRecord): string {
  return [r.model, r.dataset, r.method, `γ=${r.gamma ?? 1}`].filter(Boolean).join(' ');
}

/**
 * Groups records into runs, keeping first-seen order. A run is named by its `run` field, else by
 * its source (when the source holds one run), else by model, dataset, method and γ.
 * The first record of a run supplies its metadata.
 */
export function groupRuns(records: readonly RunRecord[]): RunInput[] {
  const groups = new Map<string, { first: RunRecord; samples: SampleRecord[] }>();
  for (const r of records) {
    const key =
      r.run !== undefined
        ? `run\u0000${r.run}`
        : ['auto', r.source, r.model, r.dataset, r.method, r.gamma ?? 1].join('\u0000');
    const sample: SampleRecord = { correct: r.correct };
    for (const field of [
      'id',
      'prediction',
      'output',
      'cotTokens',
      'latencyS',
      'decodeTokensPerS',
    ] as const) {
      if (r[field] !== undefined) Object.assign(sample, { [field]: r[field] });
    }
    const group = groups.get(key);
    if (group) group.samples.push(sample);
    else groups.set(key, { first: r, samples: [sample] });
  }
  const perSource = new Map<string, number>();
  for (const { first } of groups.values()) {
    if (first.run === undefined && first.source !== undefined) {
      perSource.set(first.source, (perSource.get(first.source) ?? 0) + 1);
    }
  }
  return [...groups.values()].map(({ first, samples }) => {
    let name = first.run;
    if (name === undefined && first.source !== undefined) {
      name =
        perSource.get(first.source) === 1 ? first.source : `${first.source} ${describe(first)}`;
    }
    const run: RunInput = { name: name ?? describe(first), gamma: first.gamma ?? 1, samples };
    if (first.method !== undefined) run.method = first.method;
    if (first.model !== undefined) run.model = first.model;
    if (first.dataset !== undefined) run.dataset = first.dataset;
    if (first.original !== undefined) run.original = first.original;
    return run;
  });
}
