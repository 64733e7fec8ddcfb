/**
 * A `ModelSource` over a model folder on disk, for the CLI, the tests and the benches.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { TokenSkipError } from '../core/errors.ts';
import type { ModelSource } from '../runtime/scorers/model-source.ts';

export async function dirModelSource(dir: string): Promise<ModelSource> {
  const root = path.resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new TokenSkipError(
      'MODEL_NOT_FOUND',
      `Model folder ${dir} does not exist; give a folder with config.json, tokenizer.json and onnx/model.onnx.`,
    );
  }
  return {
    id: dir,
    async read(file) {
      try {
        return new Uint8Array(await readFile(path.join(root, file)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
  };
}
