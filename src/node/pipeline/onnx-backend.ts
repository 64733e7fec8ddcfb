/**
 * In-process back-end for `tokenskip collect` / `eval`: the app's ONNX engine on onnxruntime-node
 * (src/runtime/engines/onnx), for small models and tests. Greedy, one request at a time.
 *
 *   const backend = createOnnxBackend('web/q05-onnx', PROMPT_FORMATS['qwen2.5-instruct'].stop);
 */
import { TokenSkipError, toTokenSkipError } from '../../core/errors.ts';
import { createNodeOnnxEngine } from '../../runtime/node/onnx-engine-node.ts';
import type { GenerationEngine } from '../../core/generation/engine.ts';
import type { CompletionBackend } from './openai-backend.ts';

export function createOnnxBackend(
  dir: string,
  stop: string[],
): CompletionBackend & { unload(): Promise<void> } {
  const engine: GenerationEngine = createNodeOnnxEngine(dir);
  let loaded: Promise<void> | undefined;
  // One token from a tiny prompt right after loading: a model with corrupt weights (NaN logits,
  // caught in the engine) is refused before the first real question.
  const ready = () =>
    (loaded ??= engine.load().then(async () => {
      try {
        await engine.generate('1 + 1 =', { maxNewTokens: 1, stop });
      } catch (error) {
        const e = toTokenSkipError(error);
        throw new TokenSkipError(e.code, `Model check on load failed for '${dir}': ${e.message}`);
      }
    }));
  return {
    slots: 1,
    ready,
    async complete(prompt, { maxTokens }) {
      await ready();
      const r = await engine.generate(prompt, { maxNewTokens: maxTokens, stop });
      return r.text;
    },
    unload: () => engine.unload(),
  };
}
