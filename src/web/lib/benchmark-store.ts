/**
 * Saved Benchmark runs, one per tab: each run is a localStorage entry keyed by its run id
 * (`tokenskip-benchmark-v1:<id>`), and a tab keeps the id of its own run in sessionStorage, which
 * survives a reload of that tab but is not shared with other tabs. So two tabs never overwrite
 * each other's run, a reload resumes the tab's own run, and runs left by closed tabs are listed
 * for resuming. A run saved by earlier versions under the single key `tokenskip-benchmark-v1` is
 * moved to a key of its own on first read.
 */
import { readSavedState, type BenchmarkState } from '../../core/benchmark/plan.ts';
import { TokenSkipError } from '../../core/errors.ts';

export const RUN_PREFIX = 'tokenskip-benchmark-v1:';
export const LEGACY_KEY = 'tokenskip-benchmark-v1';
export const TAB_RUN_KEY = 'tokenskip-benchmark-run';

export interface SavedRun {
  runId: string;
  state: BenchmarkState;
}

export interface DamagedRun {
  runId: string;
  problem: string;
}

const local = () => globalThis.localStorage as Storage | undefined;
const session = () => globalThis.sessionStorage as Storage | undefined;

export function newRunId(): string {
  return (
    globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`
  );
}

export function tabRunId(): string | undefined {
  return session()?.getItem(TAB_RUN_KEY) ?? undefined;
}

export function setTabRunId(runId: string): void {
  session()?.setItem(TAB_RUN_KEY, runId);
}

export function saveRun(runId: string, state: BenchmarkState): void {
  local()?.setItem(RUN_PREFIX + runId, JSON.stringify(state));
}

export function removeRun(runId: string): void {
  local()?.removeItem(RUN_PREFIX + runId);
}

export function loadRun(
  runId: string,
): { state: BenchmarkState } | { problem: string } | undefined {
  return readSavedState(local()?.getItem(RUN_PREFIX + runId) ?? null);
}

const unfinished = (s: BenchmarkState) => s.status !== 'done' && s.status !== 'cancelled';

/** Every unfinished saved run, and the saved entries that cannot be read (with why). */
export function listRuns(): { runs: SavedRun[]; damaged: DamagedRun[] } {
  const store = local();
  if (!store) return { runs: [], damaged: [] };
  const legacy = store.getItem(LEGACY_KEY);
  if (legacy !== null) {
    try {
      store.setItem(RUN_PREFIX + newRunId(), legacy);
      store.removeItem(LEGACY_KEY);
    } catch (error) {
      // Storage full: the run stays under its old key and is moved on a later visit.
      if (!isQuotaError(error)) throw error;
    }
  }
  const runs: SavedRun[] = [];
  const damaged: DamagedRun[] = [];
  for (let i = 0; i < store.length; i++) {
    const key = store.key(i);
    if (!key?.startsWith(RUN_PREFIX)) continue;
    const runId = key.slice(RUN_PREFIX.length);
    const saved = readSavedState(store.getItem(key));
    if (!saved) continue;
    if ('problem' in saved) damaged.push({ runId, problem: saved.problem });
    else if (unfinished(saved.state)) runs.push({ runId, state: saved.state });
  }
  runs.sort((a, b) => a.state.startedAt.localeCompare(b.state.startedAt));
  return { runs, damaged };
}

/** Whether `error` is a storage quota error (DOMException QuotaExceededError, any browser). */
export function isQuotaError(error: unknown): boolean {
  const e = error as { name?: unknown; code?: unknown } | null;
  return (
    e?.name === 'QuotaExceededError' ||
    e?.name === 'NS_ERROR_DOM_QUOTA_REACHED' ||
    e?.code === 22 ||
    e?.code === 1014
  );
}

const kb = (chars: number) => `${Math.ceil((chars * 2) / 1024)} KB`;

/**
 * The error for a run that cannot be saved because this site's storage is full, naming what uses
 * it: the other saved benchmark runs (resume or cancel them on this page) and the rest.
 */
export function storageFullError(current?: string): TokenSkipError {
  const store = local();
  let runs = 0;
  let runChars = 0;
  let otherChars = 0;
  for (let i = 0; store && i < store.length; i++) {
    const key = store.key(i) ?? '';
    const size = key.length + (store.getItem(key)?.length ?? 0);
    if (key.startsWith(RUN_PREFIX) && key !== RUN_PREFIX + current) {
      runs++;
      runChars += size;
    } else if (!key.startsWith(RUN_PREFIX)) otherChars += size;
  }
  return new TokenSkipError('STORAGE_FULL', {
    id: 'savedRunsFull',
    params: { runs, runBytes: kb(runChars), otherBytes: kb(otherChars) },
  });
}
