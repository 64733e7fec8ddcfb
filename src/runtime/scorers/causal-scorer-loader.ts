/**
 * Loads a reference causal LM (any model in the transformers.js layout: `config.json`,
 * `tokenizer.json`, optional `tokenizer_config.json`, `onnx/model.onnx`) and builds the CTS or
 * perplexity scorer on it. Shared by the CLI (onnxruntime-node, a folder) and the web worker
 * (onnxruntime-web, URLs); the caller passes `readFile` and its ORT module, as `scorer-loader.ts`
 * does for LLMLingua-2, so this file imports no backend.
 *
 *   const model = await openModel({ folder: 'models/fixtures/tiny-qwen2' }, { kind: 'causal' }, nodeHub());
 *   const scorer = await loadCausalScorer(ort, model.id, model.readFile, { scorer: 'cts' });
 */
import type { InferenceSession } from 'onnxruntime-common';
import { TokenSkipError } from '../../core/errors.ts';
import { createCausalScorer, type CausalScorer } from '../../core/scoring/causal-scorer.ts';
import type {
  CausalLogProbs,
  CausalScorerOptions,
  CausalTokenizer,
} from '../../core/scoring/types.ts';
import { createCausalTokenizer } from './causal-tokenizer.ts';
import { createOnnxCausalLm, type CausalLmConfigJson, type OrtModule } from './onnx-causal-lm.ts';
import type { ReadModelFile } from './scorer-loader.ts';

export interface OrtWithSessions extends OrtModule {
  InferenceSession: {
    create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession>;
  };
}

export interface ReferenceModel {
  id: string;
  config: CausalLmConfigJson;
  tokenizer: CausalTokenizer;
  lm: CausalLogProbs;
  session: InferenceSession;
}

export interface LoadReferenceOptions {
  sessionOptions?: InferenceSession.SessionOptions;
  /** ONNX file inside the model folder (default `onnx/model.onnx`). */
  onnxFile?: string;
  maxLogitsFloats?: number;
}

/** `readFile` for an optional file: `undefined` when it is missing. */
async function readOptional(
  readFile: ReadModelFile,
  path: string,
): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (error instanceof TokenSkipError && error.code === 'MODEL_FILE_MISSING') return undefined;
    throw error;
  }
}

function parseJson<T>(bytes: Uint8Array, where: string): T {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (error) {
    throw new TokenSkipError(
      'MODEL_FILE_CORRUPT',
      { id: 'jsonInvalidShort', params: { where } },
      { cause: error },
    );
  }
}

async function requireJson<T>(
  id: string,
  readFile: ReadModelFile,
  path: 'config.json' | 'tokenizer.json',
): Promise<T> {
  const bytes = await readOptional(readFile, path);
  if (!bytes) {
    throw new TokenSkipError('MODEL_FILE_MISSING', {
      id: path === 'config.json' ? 'referenceNoConfig' : 'referenceNoTokenizer',
      params: { model: id },
    });
  }
  return parseJson<T>(bytes, `${id}/${path}`);
}

export async function loadReferenceModel(
  ort: OrtWithSessions,
  id: string,
  readFile: ReadModelFile,
  options: LoadReferenceOptions = {},
): Promise<ReferenceModel> {
  // config.json sizes the KV cache; the scorers tokenize the CoT with tokenizer.json.
  const config = await requireJson<CausalLmConfigJson>(id, readFile, 'config.json');
  // The tokenizer is checked before the (large) ONNX file is read, so a bad folder fails fast.
  const tokenizerJson = await requireJson<object>(id, readFile, 'tokenizer.json');
  const tokenizerConfigBytes = await readOptional(readFile, 'tokenizer_config.json');
  const tokenizerConfig = tokenizerConfigBytes
    ? parseJson<object>(tokenizerConfigBytes, `${id}/tokenizer_config.json`)
    : {};
  const tokenizer = createCausalTokenizer(tokenizerJson, tokenizerConfig, config, id);
  const graph = await readFile(options.onnxFile ?? 'onnx/model.onnx');
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(graph, options.sessionOptions ?? {});
  } catch (error) {
    throw new TokenSkipError(
      'MODEL_LOAD_FAILED',
      {
        id: 'ortLoadFailed',
        params: { model: id, raw: error instanceof Error ? error.message : String(error) },
      },
      { cause: error },
    );
  }
  try {
    const lm = createOnnxCausalLm(ort, session, config, {
      model: id,
      ...(options.maxLogitsFloats ? { maxLogitsFloats: options.maxLogitsFloats } : {}),
    });
    return { id, config, tokenizer, lm, session };
  } catch (error) {
    await session.release();
    throw error;
  }
}

export interface CausalScorerSettings extends LoadReferenceOptions {
  scorer: 'cts' | 'ppl';
  options?: Partial<CausalScorerOptions>;
}

export async function loadCausalScorer(
  ort: OrtWithSessions,
  id: string,
  readFile: ReadModelFile,
  settings: CausalScorerSettings,
): Promise<CausalScorer & { reference: ReferenceModel }> {
  const reference = await loadReferenceModel(ort, id, readFile, settings);
  const scorer = createCausalScorer(
    settings.scorer,
    reference.lm,
    reference.tokenizer,
    id,
    settings.options,
  );
  return Object.assign(scorer, { reference });
}
