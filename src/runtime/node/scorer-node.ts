/**
 * The LLMLingua-2 scorer on onnxruntime-node (CPU), for the CLI, the trainer and the tests.
 *
 *   const scorer = await loadNodeScorer('tiny-lingua-xlmr');
 *   const [scored] = await scoreLingua2([cot], scorer.tokenizer, scorer.classifier);
 */
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { loadScorer, type LoadedScorer } from '../scorer-loader.ts';
import { resolveModel } from './model-files.ts';

export interface NodeScorerOptions {
  onnxFile?: string;
  threads?: number;
  hubHost?: string;
}

export async function loadNodeScorer(
  spec: string,
  options: NodeScorerOptions = {},
): Promise<LoadedScorer> {
  const model = resolveModel(spec, options);
  const threads = options.threads ?? Math.max(1, Math.min(4, os.availableParallelism()));
  return loadScorer(model.id, model.readFile, model.variant, ort, {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
}
