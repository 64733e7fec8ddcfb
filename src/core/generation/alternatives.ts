/**
 * What the UI offers when a generation model fails to load: models on the other engine for the
 * same prompt family, from the registry (src/core/models/registry.ts).
 */
import { GENERATION_MODELS, type GenerationModelRecord } from '../models/registry.ts';

/** The model an id names, without its engine/quantization suffix: `Qwen2.5-0.5B-Instruct`. */
function modelStem(id: string): string {
  return id.replace(/-(q4f16_1|q4f32_1)-MLC$|-onnx$/, '');
}

/**
 * Models on the other engine for the same prompt family: the same model first (the ONNX export of
 * a WebLLM model that failed), then the same kind (TokenSkip or original).
 */
export function alternativesFor(
  record: GenerationModelRecord,
  models: readonly GenerationModelRecord[] = GENERATION_MODELS,
): GenerationModelRecord[] {
  const rank = (m: GenerationModelRecord) =>
    2 * Number(modelStem(m.id) === modelStem(record.id)) + Number(m.tokenskip === record.tokenskip);
  return models
    .filter((m) => m.engine !== record.engine && m.family === record.family)
    .sort((a, b) => rank(b) - rank(a));
}
