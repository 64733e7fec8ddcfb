/**
 * The ONNX engine in Node (onnxruntime-node, CPU), for the CLI, the trainer's `collect` step, the
 * CTS scorer and the tests. Reads the model folder from disk.
 *
 *   import { createNodeOnnxEngine } from '../engines/onnx/src/runtime/engines/onnx/node.ts';
 *   const engine = createNodeOnnxEngine('models/fixtures/tiny-qwen2');
 *   await engine.load();
 *   const r = await engine.generate(buildPrompt('qwen2.5-instruct', q, 0.6), {
 *     maxNewTokens: 128, stop: PROMPT_FORMATS['qwen2.5-instruct'].stop });
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { TokenSkipError } from '../../core/errors.ts';
import type { GenerationEngine } from '../../core/generation/engine.ts';
import type { OrtLike } from '../engines/onnx/causal-lm.ts';
import type { ModelFiles } from '../engines/onnx/model-files.ts';
import { createOnnxEngine } from '../engines/onnx/onnx-engine.ts';

export function nodeModelFiles(dir: string): ModelFiles {
  return {
    location: dir,
    async readBytes(file, onProgress) {
      try {
        const data = new Uint8Array(await readFile(path.join(dir, file)));
        onProgress?.(data.byteLength, data.byteLength);
        return data;
      } catch (error) {
        throw new TokenSkipError(
          (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? 'MODEL_FILE_MISSING'
            : 'MODEL_LOAD_FAILED',
          `Cannot read ${file} in the model folder ${dir}: ${(error as Error).message}. The folder must hold config.json, tokenizer.json and ${'onnx/model.onnx'} (transformers.js layout).`,
          { cause: error },
        );
      }
    },
  };
}

export interface NodeOnnxEngineOptions {
  modelId?: string;
  graph?: string;
  /** intra-op threads (default: ORT's choice). */
  threads?: number;
}

export function createNodeOnnxEngine(
  dir: string,
  options: NodeOnnxEngineOptions = {},
): GenerationEngine {
  return createOnnxEngine({
    modelId: options.modelId ?? path.basename(path.resolve(dir)),
    // onnxruntime-node and -web share onnxruntime-common's API; the cast only bridges two copies of its types.
    ort: ort as unknown as OrtLike,
    files: nodeModelFiles(dir),
    ...(options.graph ? { graph: options.graph } : {}),
    sessionOptions: {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    },
    device: 'cpu',
    detail: 'onnxruntime-node (CPU)',
  });
}
