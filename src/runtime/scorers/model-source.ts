/**
 * Where a model's files come from: a folder on disk (CLI, tests, benches) or a URL prefix (the web
 * app serves `/models/...`). The causal scorers read `config.json`, `tokenizer.json`,
 * `tokenizer_config.json` and `onnx/model.onnx` through it, so the same loader runs in both places.
 */
import { TokenSkipError } from '../../core/errors.ts';

export interface ModelSource {
  /** Model id or folder, for messages. */
  readonly id: string;
  /** File contents, or `undefined` when the file does not exist. */
  read(path: string): Promise<Uint8Array | undefined>;
}

export async function readJson<T>(source: ModelSource, path: string): Promise<T | undefined> {
  const bytes = await source.read(path);
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch (error) {
    throw new TokenSkipError(
      'MODEL_FILE_CORRUPT',
      `${path} of ${source.id} is not valid JSON; re-export or re-download the model.`,
      { cause: error },
    );
  }
}

export async function requireFile(
  source: ModelSource,
  path: string,
  what: string,
): Promise<Uint8Array> {
  const bytes = await source.read(path);
  if (!bytes) {
    throw new TokenSkipError(
      'MODEL_FILE_MISSING',
      `${source.id} has no ${path} (${what}); a model in the transformers.js layout needs it.`,
    );
  }
  return bytes;
}

/** Files under a URL prefix (e.g. `/models/fixtures/tiny-qwen2`); 404 means missing. */
export function urlModelSource(base: string, fetchImpl: typeof fetch = fetch): ModelSource {
  const prefix = base.replace(/\/+$/, '');
  return {
    id: prefix,
    async read(path) {
      let response: Response;
      try {
        response = await fetchImpl(`${prefix}/${path}`);
      } catch (error) {
        throw new TokenSkipError(
          'DOWNLOAD_FAILED',
          `Could not fetch ${prefix}/${path}: ${String(error)}.`,
          {
            cause: error,
          },
        );
      }
      if (response.status === 404) return undefined;
      if (!response.ok) {
        throw new TokenSkipError(
          'DOWNLOAD_FAILED',
          `Fetching ${prefix}/${path} answered HTTP ${response.status}; check the server and retry.`,
        );
      }
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}
