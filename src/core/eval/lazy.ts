/**
 * Grading for the browser without Compute Engine in the first load: grades with the CAS absent,
 * and only if a comparison reaches the symbolic check imports `symbolic.ts` (a separate chunk)
 * and grades that sample again. The result is the same as `gradeSample` with the CAS loaded:
 * grading is a pure function of its input, and the CAS is consulted only where it was needed.
 *
 *   const { gradeSampleLazy } = await import('../../core/eval/lazy.ts');
 *   const r = await gradeSampleLazy({ dataset: 'math', question, output, answer });
 */
import { gradeSample, type GradeResult, type SampleInput } from './grade.ts';
import type { EqualOptions } from './equal.ts';
import { SymbolicNotLoaded, symbolicLoaded } from './symbolic-hook.ts';

export async function loadSymbolic(): Promise<void> {
  if (!symbolicLoaded()) await import('./symbolic.ts');
}

export async function gradeSampleLazy(
  sample: SampleInput,
  options: EqualOptions = {},
): Promise<GradeResult> {
  try {
    return gradeSample(sample, options);
  } catch (error) {
    if (!(error instanceof SymbolicNotLoaded)) throw error;
    await loadSymbolic();
    return gradeSample(sample, options);
  }
}
