/**
 * Reads a `tokenskip mini` run's two eval reports into the reference table
 * (src/core/eval/reference-table.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  referenceTable,
  type EvalRow,
  type LanguageRow,
  type MiniTable,
} from '../../core/eval/reference-table.ts';
import { readJsonl } from './records.ts';

export { tableMarkdown, type MiniTable } from '../../core/eval/reference-table.ts';

async function results(path: string): Promise<{ n: number; results: EvalRow[] }> {
  return JSON.parse(await readFile(path, 'utf8')) as { n: number; results: EvalRow[] };
}

export async function miniTable(out: string): Promise<MiniTable> {
  const base = await results(join(out, 'eval-base.json'));
  const ts = await results(join(out, 'eval-tokenskip.json'));
  const orig = base.results.find((r) => r.gamma === 1);
  if (!orig) throw new Error(`${out}/eval-base.json has no γ = 1 row`);
  const table = referenceTable(ts.n, orig, ts.results);
  const byLanguage = await languageRows(out, ts.n);
  return byLanguage ? { ...table, by_language: byLanguage } : table;
}

interface JournalLine {
  key: string;
  gamma: number;
  correct: boolean;
  cot_tokens: number;
}

/**
 * Accuracy and CoT tokens per language of the test problems, from the two evals' journals (one
 * line per problem and γ, keyed `γ:index`); undefined when the test problems share one language.
 */
async function languageRows(
  out: string,
  n: number,
): Promise<Record<string, LanguageRow[]> | undefined> {
  const problems = (await readJsonl(join(out, 'data', 'test.jsonl'))).slice(0, n);
  const language = problems.map((p) => String((p as { language?: string }).language ?? 'en'));
  const languages = [...new Set(language)].sort();
  if (languages.length < 2) return undefined;
  const result: Record<string, LanguageRow[]> = Object.fromEntries(languages.map((l) => [l, []]));
  const reports: [LanguageRow['method'], string][] = [
    ['Original', 'eval-base.json'],
    ['TokenSkip', 'eval-tokenskip.json'],
  ];
  for (const [method, file] of reports) {
    const lines = (await readJsonl(join(out, `${file}.journal.jsonl`))) as unknown as JournalLine[];
    const gammas = [...new Set(lines.map((l) => l.gamma))].sort((a, b) => b - a);
    for (const gamma of gammas) {
      for (const l of languages) {
        const mine = lines.filter(
          (x) => x.gamma === gamma && language[Number(x.key.split(':')[1])] === l,
        );
        const mean = (f: (x: JournalLine) => number) =>
          mine.reduce((s, x) => s + f(x), 0) / Math.max(1, mine.length);
        result[l]!.push({
          method,
          gamma,
          n: mine.length,
          accuracy: mean((x) => (x.correct ? 1 : 0)),
          cot_tokens: mean((x) => x.cot_tokens),
        });
      }
    }
  }
  return result;
}
