/** The WebLLM harness page's script: web-llm's real code, bundled once per spec for the browser. */
import path from 'node:path';
import { build } from 'esbuild';

export async function bundleWebLlmHarness(): Promise<string> {
  const built = await build({
    entryPoints: [path.resolve('e2e/harness/webllm-entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return built.outputFiles[0]!.text;
}
