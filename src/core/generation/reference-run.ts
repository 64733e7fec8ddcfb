/**
 * The Generate page's reference run (data/reference/generate-mini.json, written by
 * scripts/make-generate-reference.ts): the shipped TokenSkip-mini answering the worked example at
 * γ = 1 and γ = 0.6, so the page opens on a finished result instead of an empty form. It is shown
 * only while the page's settings are the ones it was made with.
 */
import type { FinishReason, GenerationUsage } from './engine.ts';
import type { TimelinePoint } from './timeline.ts';

/** The settings the reference was generated with (the Generate page's defaults). */
export const GENERATE_REFERENCE_SETTINGS = {
  model: 'mini-tokenskip',
  gamma: 0.6,
  maxNewTokens: 128,
} as const;

export interface GenerateReferenceRun {
  gamma: number;
  text: string;
  finishReason: FinishReason;
  usage: GenerationUsage;
  cotTokens: number;
  timeline: TimelinePoint[];
}

export interface GenerateReference {
  model: string;
  gamma: number;
  maxNewTokens: number;
  /** What generated it: the engine's detail line and its CPU threads. */
  engine: string;
  threads: number;
  languages: Record<'en' | 'zh', { question: string; runs: GenerateReferenceRun[] }>;
}

/** The reference runs for these settings, or undefined when they are not the reference's. */
export function referenceRunsFor(
  reference: GenerateReference,
  settings: {
    model: string;
    question: string;
    gamma: number;
    maxNewTokens: number;
    sideBySide: boolean;
  },
): GenerateReferenceRun[] | undefined {
  if (
    !settings.sideBySide ||
    settings.model !== reference.model ||
    settings.gamma !== reference.gamma ||
    settings.maxNewTokens !== reference.maxNewTokens
  )
    return undefined;
  return Object.values(reference.languages).find((l) => l.question === settings.question.trim())
    ?.runs;
}
