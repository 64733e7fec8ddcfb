/**
 * The runtime's backend and engine notes in the UI's language. The runtime (src/runtime/web/
 * backend.ts `chooseBackend`, generation-engines.ts, engines/onnx and engines/webllm) writes them
 * in English for the CLI and the published results, as "; "-separated parts; each known part is
 * translated here, and a part this table does not know is shown as it is. English passes through.
 *
 *   engineText('WASM chosen; WASM, 2 threads') // zh: '已选 WASM；WASM，2 个线程'
 */
import { i18n, t, type MessageKey } from './i18n.svelte.ts';

const parts: [RegExp, MessageKey, (m: RegExpExecArray) => Record<string, string>][] = [
  [/^WASM chosen$/, 'engineText.wasmChosen', () => ({})],
  [/^WebGPU requested but this browser has no WebGPU$/, 'engineText.webgpuMissing', () => ({})],
  [/^No WebGPU in this browser$/, 'engineText.noWebgpu', () => ({})],
  [/^WebGPU is present but no GPU adapter is available$/, 'engineText.noAdapter', () => ({})],
  [/^WebGPU adapter found \((.*)\)$/, 'engineText.adapter', (m) => ({ name: m[1]! })],
  [/^WASM, (\d+) threads$/, 'engineText.threads', (m) => ({ count: m[1]! })],
  [
    /^WASM, single thread \(page is not cross-origin isolated\)$/,
    'engineText.oneThread',
    () => ({}),
  ],
  [/^no shader-f16 for the fp16 graph, so WASM$/, 'engineText.noF16', () => ({})],
  [/^KV cache on the GPU$/, 'engineText.kvGpu', () => ({})],
  [
    /^ONNX Runtime \((\w+)\), (\d+) layers$/,
    'engineText.ort',
    (m) => ({ device: m[1]!, layers: m[2]! }),
  ],
  [
    /^WebLLM (\S+) \(fell back from (\S+): no shader-f16\)$/,
    'engineText.webllmFellBack',
    (m) => ({ quantization: m[1]!, from: m[2]! }),
  ],
];

export function engineText(text: string): string {
  if (i18n.locale === 'en') return text;
  return text
    .split('; ')
    .map((part) => {
      for (const [re, key, args] of parts) {
        const m = re.exec(part);
        if (m) return t(key, args(m));
      }
      return part;
    })
    .join(t('engineText.separator'));
}
