/**
 * The seam between the grader and its computer-algebra check. `equal.ts` calls the CAS through
 * here, and `symbolic.ts` (which imports Compute Engine, ~1 MB gzipped) installs itself when it is
 * imported. Node and the CLI import it through `index.ts`, eagerly; the browser grades through
 * `lazy.ts`, which imports it only when an answer actually reaches the symbolic check (a MATH
 * answer that is not plain numbers), so GSM8K runs never download it.
 */
export const DEFAULT_SYMBOLIC_TIMEOUT_MS = 1000;

export type SymbolicEqual = (left: string, right: string, timeoutMs?: number) => boolean;

/** Thrown when a comparison needs the CAS before it was loaded (caught by `gradeSampleLazy`). */
export class SymbolicNotLoaded extends Error {
  constructor() {
    super('The symbolic grader (Compute Engine) is not loaded: import ./symbolic.ts first.');
    this.name = 'SymbolicNotLoaded';
  }
}

let impl: SymbolicEqual | undefined;

export function installSymbolicEqual(fn: SymbolicEqual): void {
  impl = fn;
}

export function symbolicLoaded(): boolean {
  return impl !== undefined;
}

export function callSymbolicEqual(left: string, right: string, timeoutMs: number): boolean {
  if (!impl) throw new SymbolicNotLoaded();
  return impl(left, right, timeoutMs);
}
