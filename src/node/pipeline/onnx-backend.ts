/**
 * In-process back-end for `tokenskip collect` / `eval`: the app's ONNX engine on onnxruntime-node
 * (src/runtime/engines/onnx), for small models and tests. Greedy, one request at a time.
 *
 *   const backend = createOnnxBackend('web/q05-onnx', PROMPT_FORMATS['qwen2.5-instruct'].stop);
 */
import { createNodeOnnxEngine } from '../../runtime/node/onnx-engine-node.ts';
import type { GenerationEngine } from '../../core/generation/engine.ts';
import type { CompletionBackend } from './openai-backend.ts';

export function createOnnxBackend(
  dir: string,
  stop: string[],
): CompletionBackend & { unload(): Promise<void> } {
  const engine: GenerationEngine = createNodeOnnxEngine(dir);
  let loaded: Promise<unknown> | undefined;
  return {
    slots: 1,
    async complete(prompt, { maxTokens }) {
      loaded ??= engine.load();
      await loaded;
      const r = await engine.generate(prompt, { maxNewTokens: maxTokens, stop });
      return r.text;
    },
    unload: () => engine.unload(),
  };
}
