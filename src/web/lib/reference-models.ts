/**
 * Reference causal LMs the Compress page offers for CTS and perplexity: every ONNX causal LM in the
 * model registry (src/core/models/registry.ts). Any other causal LM in the transformers.js layout
 * works too: `#/compress?ref=<folder URL>` (its graph is `onnx/model.onnx`).
 */
import {
  referenceModels as registryReferenceModels,
  type OnnxModelRecord,
} from '../../core/models/registry.ts';
import { planCachedModel } from '../../runtime/hub/web/model-source.ts';

/** A registry id; its name in the UI's language is `modelName(id)` (model-text.ts). */
export interface ReferenceModelOption {
  id: string;
}

export interface ResolvedReference {
  /** Folder URL: absolute for a registry model, as given for a folder URL. */
  url: string;
  graphs: { webgpu: string; wasm: string };
}

const records: OnnxModelRecord[] = registryReferenceModels();

export const referenceModels: ReferenceModelOption[] = records.map(({ id }) => ({ id }));

/**
 * A registry id, else a folder URL with the default graph. An unpinned hub entry is pinned to the
 * commit `main` pointed to at its first load (recorded in the browser, like the scorers).
 */
export async function resolveReference(spec: string): Promise<ResolvedReference> {
  const record = records.find((m) => m.id === spec);
  if (!record) {
    const graph = 'onnx/model.onnx';
    return { url: spec, graphs: { webgpu: graph, wasm: graph } };
  }
  const graphs = { webgpu: record.onnx.webgpu.file, wasm: record.onnx.wasm.file };
  // The folder as the loaders plan it (hub/web/model-source.ts); the CTS worker plans its files.
  const plan = await planCachedModel(record, []);
  return { url: plan.base, graphs };
}
