/**
 * Reference causal LMs the Compress page offers for CTS and perplexity: the ONNX generation models
 * (the base model itself, or a stronger one), from the generation model records. Any other causal LM
 * in the transformers.js layout works too: `#/compress?ref=<folder URL>` (its graph is
 * `onnx/model.onnx`).
 */
import { GENERATION_MODELS, type OnnxModelRecord } from '../../core/generation/model-records.ts';

export interface ReferenceModelOption {
  id: string;
  label: string;
  /** Folder URL, relative to the app or absolute. */
  url: string;
  graphs: { webgpu: string; wasm: string };
}

export const referenceModels: ReferenceModelOption[] = GENERATION_MODELS.filter(
  (m): m is OnnxModelRecord => m.engine === 'onnx',
).map((m) => ({
  id: m.id,
  label: m.label,
  url: m.baseUrl,
  graphs: { webgpu: m.graphs.webgpu, wasm: m.graphs.wasm },
}));

/** A record by id, else a folder URL with the default graph. */
export function resolveReference(spec: string): ReferenceModelOption {
  const known = referenceModels.find((m) => m.id === spec || m.url === spec);
  if (known) return known;
  const graph = 'onnx/model.onnx';
  return { id: spec, label: spec, url: spec, graphs: { webgpu: graph, wasm: graph } };
}
