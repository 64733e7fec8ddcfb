/**
 * When the first page has done the work it starts by itself (Learn: scoring its worked example on
 * arrival), so that background work can wait for it: main.ts registers the service worker, whose
 * install downloads and stores the whole precache (89.5 MB), only then. On this machine the
 * precache running alongside cost a cold visit about 2 s before Learn's live scores (bench:first-visit,
 * README "First visit").
 */
let settle: () => void = () => undefined;
const done = new Promise<void>((resolve) => (settle = resolve));

/** Called by the page once its own first work finished, whether it succeeded or not. */
export function markFirstWorkDone(): void {
  settle();
}

/** Resolves when the first page's own work is done, or after `timeoutMs` at the latest. */
export function firstWorkDone(timeoutMs: number): Promise<void> {
  return Promise.race([done, new Promise<void>((resolve) => setTimeout(resolve, timeoutMs))]);
}
