/**
 * Builds a ready LLMLingua-2 scorer (tokenizer + ONNX classifier) from a model's files, wherever they
 * come from: the browser's model cache, a hub download, or a folder on disk. The caller supplies
 * `readFile` and its `ort` module, so this one loader serves the web worker and the CLI.
 */
import { TokenSkipError } from '../../core/errors.ts';
import {
  createScorerTokenizer,
  detectFamily,
  type ScorerTokenizer,
} from '../../core/compression/scorer-tokenizer.ts';
import type { InferenceSession } from 'onnxruntime-common';
import type { OnnxVariant } from '../../core/models/registry.ts';
import {
  createOnnxTokenClassifier,
  type OnnxTokenClassifier,
  type OrtLike,
} from './onnx-token-classifier.ts';

export type ReadModelFile = (path: string) => Promise<Uint8Array>;
/**
 * Where ORT can fetch a large file itself (a URL, in the browser), so that it never passes through
 * one JS ArrayBuffer; ORT-web's `externalData: [{path, data: url}]` session option.
 */
export type LocateModelFile = (path: string) => Promise<string>;

export interface LoadedScorer {
  modelId: string;
  tokenizer: ScorerTokenizer;
  classifier: OnnxTokenClassifier;
  variant: OnnxVariant;
}

function parseJson(bytes: Uint8Array, where: string): Record<string, unknown> {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch (error) {
    throw new TokenSkipError(
      'MODEL_FILE_CORRUPT',
      { id: 'jsonInvalid', params: { where, raw: (error as Error).message } },
      { cause: error },
    );
  }
}

export async function loadScorer(
  modelId: string,
  readFile: ReadModelFile,
  variant: OnnxVariant,
  ort: OrtLike,
  sessionOptions: InferenceSession.SessionOptions,
  locateFile?: LocateModelFile,
  /** Filled with how long each part took (ms): `tokenizer` (read + built), `session` (graph read + ORT session). */
  phases?: Record<string, number>,
): Promise<LoadedScorer> {
  const time = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await run();
    } finally {
      if (phases) phases[name] = Math.round(performance.now() - started);
    }
  };
  // The tokenizer is built while ORT creates the session (in the browser, compiling its
  // WebAssembly off the main thread on the first session): neither waits for the other.
  const tokenizerReady = time('tokenizer', async () => {
    const [config, tokenizerJson, tokenizerConfig] = await Promise.all(
      ['config.json', 'tokenizer.json', 'tokenizer_config.json'].map(async (f) =>
        parseJson(await readFile(f), `${modelId}/${f}`),
      ),
    );
    const family = detectFamily(config!.model_type as string | undefined, tokenizerJson!);
    const tokenizer = createScorerTokenizer(tokenizerJson!, tokenizerConfig!, family);
    const vocab = config!.vocab_size;
    if (typeof vocab === 'number' && vocab < tokenizer.vocabSize) {
      throw new TokenSkipError('MODEL_LOAD_FAILED', {
        id: 'scorerVocabTooSmall',
        params: { model: modelId, vocab, needed: tokenizer.vocabSize },
      });
    }
    return tokenizer;
  });
  // Observed below; a tokenizer failure must not go unhandled while the session loads.
  tokenizerReady.catch(() => undefined);
  const classifierReady = time('session', async () => {
    const graph = await readFile(variant.file);
    const externalData = await Promise.all(
      (variant.externalData ?? []).map(async (path) => ({
        path: path.split('/').pop()!,
        data: locateFile ? await locateFile(path) : await readFile(path),
      })),
    );
    return createOnnxTokenClassifier(ort, graph, {
      name: modelId,
      sessionOptions:
        externalData.length > 0 ? { ...sessionOptions, externalData } : sessionOptions,
    });
  });
  let tokenizer: ScorerTokenizer;
  try {
    tokenizer = await tokenizerReady;
  } catch (error) {
    // Not a corrupt config and a session left open: free the session once it exists.
    void classifierReady.then((c) => c.release()).catch(() => undefined);
    throw error;
  }
  const classifier = await classifierReady;
  return { modelId, tokenizer, classifier, variant };
}
