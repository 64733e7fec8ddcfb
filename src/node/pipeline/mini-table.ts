/**
 * Reads a `tokenskip mini` run's two eval reports into the reference table
 * (src/core/eval/reference-table.ts).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { referenceTable, type EvalRow, type MiniTable } from '../../core/eval/reference-table.ts';

export { tableMarkdown, type MiniTable } from '../../core/eval/reference-table.ts';

async function results(path: string): Promise<{ n: number; results: EvalRow[] }> {
  return JSON.parse(await readFile(path, 'utf8')) as { n: number; results: EvalRow[] };
}

export async function miniTable(out: string): Promise<MiniTable> {
  const base = await results(join(out, 'eval-base.json'));
  const ts = await results(join(out, 'eval-tokenskip.json'));
  const orig = base.results.find((r) => r.gamma === 1);
  if (!orig) throw new Error(`${out}/eval-base.json has no γ = 1 row`);
  return referenceTable(ts.n, orig, ts.results);
}
