/**
 * The shipped mini model's reference table (models/mini/table.json, from the app's own origin),
 * fetched once and shared by the Benchmark page's reference run and its collapsible table.
 */
import type { MiniTable } from '../../core/eval/reference-table.ts';

let pending: Promise<MiniTable> | undefined;

export function loadMiniTable(): Promise<MiniTable> {
  pending ??= fetch(`${import.meta.env.BASE_URL}models/mini/table.json`).then(async (r) => {
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return (await r.json()) as MiniTable;
  });
  // A failed read is tried again on the next call (the page may be back online).
  pending.catch(() => (pending = undefined));
  return pending;
}
