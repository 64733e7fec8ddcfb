/**
 * Loads a reference causal LM (any model in the transformers.js layout: `config.json`,
 * `tokenizer.json`, `onnx/model.onnx`) and builds the CTS or perplexity scorer on it. Shared by the
 * CLI (onnxruntime-node, a folder) and the web worker (onnxruntime-web, a URL); the caller passes
 * its ORT module and session options, so this file imports no backend.
 *
 *   const scorer = await loadCausalScorer(ort, dirModelSource('models/fixtures/tiny-qwen2'), {
 *     scorer: 'cts', options: { condition: 'question' } });
 */
import type * as OrtCommon from 'onnxruntime-common';
import { TokenSkipError } from '../../core/errors.ts';
import { createCausalScorer, type CausalScorer } from '../../core/scoring/causal-scorer.ts';
import type {
  CausalLogProbs,
  CausalScorerOptions,
  CausalTokenizer,
} from '../../core/scoring/types.ts';
import { createOnnxCausalLm, type CausalLmConfig, type OrtModule } from './causal-lm.ts';
import { loadCausalTokenizer } from './causal-tokenizer.ts';
import { readJson, requireFile, type ModelSource } from './model-source.ts';

export interface OrtWithSessions extends OrtModule {
  InferenceSession: typeof OrtCommon.InferenceSession;
}

export interface ReferenceModel {
  id: string;
  config: CausalLmConfig;
  tokenizer: CausalTokenizer;
  lm: CausalLogProbs;
  session: OrtCommon.InferenceSession;
}

export interface LoadReferenceOptions {
  sessionOptions?: OrtCommon.InferenceSession.SessionOptions;
  /** ONNX file inside the model folder (default `onnx/model.onnx`). */
  onnxFile?: string;
  maxLogitsFloats?: number;
}

export async function loadReferenceModel(
  ort: OrtWithSessions,
  source: ModelSource,
  options: LoadReferenceOptions = {},
): Promise<ReferenceModel> {
  const config = await readJson<CausalLmConfig>(source, 'config.json');
  if (!config) {
    throw new TokenSkipError(
      'MODEL_FILE_MISSING',
      `${source.id} has no config.json; a reference model in the transformers.js layout needs it.`,
    );
  }
  // The tokenizer is checked before the (large) ONNX file is read, so a bad folder fails fast.
  const tokenizer = await loadCausalTokenizer(source, config);
  const onnxFile = options.onnxFile ?? 'onnx/model.onnx';
  const bytes = await requireFile(source, onnxFile, 'the ONNX graph');
  let session: OrtCommon.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, options.sessionOptions ?? {});
  } catch (error) {
    throw new TokenSkipError(
      'MODEL_LOAD_FAILED',
      `ONNX Runtime could not load ${source.id}/${onnxFile}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const lm = createOnnxCausalLm(ort, session, config, {
    model: source.id,
    ...(options.maxLogitsFloats ? { maxLogitsFloats: options.maxLogitsFloats } : {}),
  });
  return { id: source.id, config, tokenizer, lm, session };
}

export async function loadCausalScorer(
  ort: OrtWithSessions,
  source: ModelSource,
  settings: {
    scorer: 'cts' | 'ppl';
    options?: Partial<CausalScorerOptions>;
  } & LoadReferenceOptions,
): Promise<CausalScorer & { reference: ReferenceModel }> {
  const reference = await loadReferenceModel(ort, source, settings);
  const scorer = createCausalScorer(
    settings.scorer,
    reference.lm,
    reference.tokenizer,
    reference.id,
    settings.options,
  );
  return Object.assign(scorer, { reference });
}
