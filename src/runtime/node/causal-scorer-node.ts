/**
 * The CTS and perplexity scorers on onnxruntime-node (CPU), for the CLI, the trainer, the tests and
 * the bench. `spec` is a model folder in the transformers.js layout or the id of an ONNX causal LM
 * in the registry (src/core/models/registry.ts).
 *
 *   const scorer = await loadNodeCausalScorer('models/fixtures/tiny-qwen2', { scorer: 'cts' });
 *   const result = selectScored(await scorer.score({ cot, question }), 0.6);
 */
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import type { CausalScorer } from '../../core/scoring/causal-scorer.ts';
import {
  loadCausalScorer,
  loadReferenceModel,
  type CausalScorerSettings,
  type LoadReferenceOptions,
  type OrtWithSessions,
  type ReferenceModel,
} from '../scorers/causal-scorer-loader.ts';
import { findReferenceModel } from '../../core/models/registry.ts';
import { openModelSpec, type OpenedModel } from '../hub/node/model-files.ts';

/** The registry id or folder `spec`, opened in one pass (scorer-node.ts has the walk). */
function open(spec: string, onnxFile?: string): Promise<OpenedModel> {
  return openModelSpec(spec, { kind: 'causal', onnxFile, find: findReferenceModel });
}

export interface NodeCausalOptions {
  threads?: number;
}

function sessionOptions(threads?: number): LoadReferenceOptions['sessionOptions'] {
  return {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads ?? Math.max(1, Math.min(4, os.availableParallelism())),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  };
}

export async function loadNodeReferenceModel(
  spec: string,
  options: NodeCausalOptions & Omit<LoadReferenceOptions, 'sessionOptions'> = {},
): Promise<ReferenceModel> {
  const model = await open(spec, options.onnxFile);
  return loadReferenceModel(ort as unknown as OrtWithSessions, model.id, model.readFile, {
    ...options,
    onnxFile: model.variant.file,
    sessionOptions: sessionOptions(options.threads),
  });
}

export async function loadNodeCausalScorer(
  spec: string,
  settings: NodeCausalOptions & Omit<CausalScorerSettings, 'sessionOptions'>,
): Promise<CausalScorer & { reference: ReferenceModel }> {
  const model = await open(spec, settings.onnxFile);
  return loadCausalScorer(ort as unknown as OrtWithSessions, model.id, model.readFile, {
    ...settings,
    onnxFile: model.variant.file,
    sessionOptions: sessionOptions(settings.threads),
  });
}
