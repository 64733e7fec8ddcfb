/**
 * The LLMLingua-2 scorer on onnxruntime-node (CPU), for the CLI, the trainer and the tests.
 *
 *   const scorer = await loadNodeScorer('tiny-lingua-xlmr');
 *   const [scored] = await scoreLingua2([cot], scorer.tokenizer, scorer.classifier);
 *
 * One pass, top-down: one call into the hub (runtime/hub/node `openModelSpec`: settings and
 * registry from the environment, the id looked up by core/models' findScorer, revision, URLs and
 * hashes planned, every file fetched, checked and read), then the session is created from those
 * bytes (runtime/scorers).
 */
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { findScorer } from '../../core/models/registry.ts';
import { loadScorer, type LoadedScorer } from '../scorers/scorer-loader.ts';
import { INTEGRITY_LABEL, openModelSpec, type IntegrityStatus } from '../hub/node/model-files.ts';

export interface NodeScorerOptions {
  onnxFile?: string;
  threads?: number;
  hubHost?: string;
  /** Where to say how the files were checked (default: stderr, for hub models only). */
  report?: (line: string) => void;
}

export async function loadNodeScorer(
  spec: string,
  options: NodeScorerOptions = {},
): Promise<LoadedScorer & { integrity: IntegrityStatus }> {
  const model = await openModelSpec(spec, {
    kind: 'scorer',
    onnxFile: options.onnxFile,
    hubHost: options.hubHost,
    find: findScorer,
  });
  const threads = options.threads ?? Math.max(1, Math.min(4, os.availableParallelism()));
  const scorer = await loadScorer(model.id, model.readFile, model.variant, ort, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const { integrity } = model;
  // Hub files without a manifest sha256 are trusted on first use: say so rather than "verified".
  if (integrity === 'recorded') {
    (options.report ?? ((line) => process.stderr.write(line)))(
      `${model.id}: model files ${INTEGRITY_LABEL.recorded} (the manifest has no sha256 for them; later downloads must match).\n`,
    );
  }
  return { ...scorer, integrity };
}
