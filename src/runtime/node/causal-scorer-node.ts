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
import { resolveModel } from '../hub/node/model-files.ts';

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
  const model = resolveModel(spec, {
    kind: 'causal',
    ...(options.onnxFile ? { onnxFile: options.onnxFile } : {}),
  });
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
  const model = resolveModel(spec, {
    kind: 'causal',
    ...(settings.onnxFile ? { onnxFile: settings.onnxFile } : {}),
  });
  return loadCausalScorer(ort as unknown as OrtWithSessions, model.id, model.readFile, {
    ...settings,
    onnxFile: model.variant.file,
    sessionOptions: sessionOptions(settings.threads),
  });
}
