/**
 * Where an ONNX causal LM's files come from. The engine asks for files by their path inside the
 * model folder (`config.json`, `onnx/model.onnx`); the browser reads them over HTTP (through the
 * model cache), Node from disk or HTTP. Keeping this a two-method interface lets tests and the CLI
 * skip the browser's cache.
 */
import { TokenSkipError } from '../../../core/errors.ts';

export interface ModelFiles {
  /** A short name for messages (the folder or URL). */
  readonly location: string;
  readBytes(
    path: string,
    onProgress?: (loaded: number, total: number) => void,
  ): Promise<Uint8Array>;
}

export async function readJson(files: ModelFiles, path: string): Promise<Record<string, unknown>> {
  const bytes = await files.readBytes(path);
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch (error) {
    throw new TokenSkipError(
      'MODEL_FILE_CORRUPT',
      {
        id: 'jsonInvalid',
        params: { where: `${files.location}/${path}`, raw: (error as Error).message },
      },
      { cause: error },
    );
  }
}
