/**
 * The generation models the app offers, as data. Scorer models (LLMLingua-2) live in
 * models/manifest.json; these are the causal LMs the Generate and Benchmark pages run.
 *
 * - `onnx` records: a folder in the transformers.js layout (config.json, tokenizer.json,
 *   onnx/<graph>). `baseUrl` may be relative to the app (the shipped fixture) or absolute (the hub).
 * - `webllm` records: MLC weights plus a prebuilt WebLLM model library. A TokenSkip model is a
 *   LoRA-merged fine-tune of the same architecture, so it reuses the base model's library and
 *   only its weights differ. `model` may be relative to the app (self-hosted weights under
 *   /models/); the adapter makes it absolute because WebLLM rejects relative URLs. WebLLM reads
 *   every model folder at `<model>/resolve/main/` unless the URL already has a `/resolve/<x>/`
 *   segment (see webllm-urls.ts), so self-hosted records name that segment explicitly.
 *   `modelLib` is a bare prebuilt library file name (resolved against web-llm's exported
 *   `modelLibURLPrefix` + `modelVersion` at load time) or a URL.
 *
 * `tokenskip: true` marks models trained with the γ marker (γ < 1 means something to them);
 * `baselineOf` links an original instruct model to the TokenSkip model it is the γ = 1 baseline for.
 */
import { TokenSkipError } from '../errors.ts';
import type { PromptFamily } from '../prompts/formats.ts';

interface RecordBase {
  id: string;
  label: string;
  family: PromptFamily;
  tokenskip: boolean;
  baselineOf?: string;
  /** One line for the model picker. */
  notes: string;
}

export interface OnnxModelRecord extends RecordBase {
  engine: 'onnx';
  baseUrl: string;
  /** Graph per backend; WebGPU fp16 graphs need `shader-f16`, so WASM gets an fp32/q4 one. */
  graphs: { webgpu: string; wasm: string; node: string };
  /** Set where the WebGPU graph is fp16. */
  webgpuRequiresShaderF16?: boolean;
}

export interface WebLlmModelRecord extends RecordBase {
  engine: 'webllm';
  /** WebLLM `model`: URL of the MLC weights folder (WebLLM's `/resolve/main/` rule applies). */
  model: string;
  /** A prebuilt library file name of the installed web-llm, or a library URL. */
  modelLib: string;
  quantization: 'q4f16_1' | 'q4f32_1';
  vramRequiredMB: number;
  requiredFeatures: string[];
  /** The q4f32_1 record to use when the GPU lacks `shader-f16`. */
  fallbackId?: string;
  contextWindowSize: number;
}

export type GenerationModelRecord = OnnxModelRecord | WebLlmModelRecord;

/** web-llm's prebuilt library for Qwen2.5 0.5B/1.5B is the Qwen2 one (its prebuiltAppConfig). */
const qwenLib = (size: '0.5B' | '1.5B', q: string) =>
  `Qwen2-${size}-Instruct-${q}_cs1k-webgpu.wasm`;

export const GENERATION_MODELS: GenerationModelRecord[] = [
  {
    engine: 'onnx',
    id: 'mini-tokenskip',
    label: 'TokenSkip-mini (ONNX, trained by this project)',
    family: 'qwen2.5-instruct',
    tokenskip: true,
    notes:
      'A 1.7M-parameter Qwen2-architecture model trained from scratch by `tokenskip mini` on TinyArith word problems, then TokenSkip-tuned (LoRA, merged): ask for any γ. Shipped with the app; runs offline on the ONNX engine (WebLLM would need a compiled model library for this shape).',
    baseUrl: '/models/mini/tokenskip/',
    graphs: { webgpu: 'onnx/model.onnx', wasm: 'onnx/model.onnx', node: 'onnx/model.onnx' },
  },
  {
    engine: 'onnx',
    id: 'mini-base',
    label: 'mini base (ONNX, original, before TokenSkip)',
    family: 'qwen2.5-instruct',
    tokenskip: false,
    baselineOf: 'mini-tokenskip',
    notes:
      'The TokenSkip-mini model before its TokenSkip step: trained on full CoTs only (the γ = 1 baseline, and the CTS reference model of the mini scorer).',
    baseUrl: '/models/mini/base/',
    graphs: { webgpu: 'onnx/model.onnx', wasm: 'onnx/model.onnx', node: 'onnx/model.onnx' },
  },
  {
    engine: 'onnx',
    id: 'tiny-qwen2',
    label: 'tiny-qwen2 (fixture, ONNX)',
    family: 'qwen2.5-instruct',
    tokenskip: true,
    notes:
      'A 170k-parameter test fixture shipped with the app: instant, offline, answers are wrong.',
    baseUrl: '/models/fixtures/tiny-qwen2/',
    graphs: { webgpu: 'onnx/model.onnx', wasm: 'onnx/model.onnx', node: 'onnx/model.onnx' },
  },
  {
    engine: 'onnx',
    id: 'Qwen2.5-0.5B-Instruct-onnx',
    label: 'Qwen2.5-0.5B-Instruct (ONNX, original)',
    family: 'qwen2.5-instruct',
    tokenskip: false,
    notes: 'The original instruct model from the hub (onnx-community export): the γ = 1 baseline.',
    baseUrl: 'https://huggingface.co/onnx-community/Qwen2.5-0.5B-Instruct/resolve/main/',
    graphs: {
      webgpu: 'onnx/model_q4f16.onnx',
      wasm: 'onnx/model_q4.onnx',
      node: 'onnx/model_q4.onnx',
    },
    webgpuRequiresShaderF16: true,
  },
  {
    engine: 'webllm',
    id: 'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    label: 'Qwen2.5-0.5B-Instruct (WebLLM q4f16, original)',
    family: 'qwen2.5-instruct',
    tokenskip: false,
    baselineOf: 'TokenSkip-Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    notes: 'The original instruct model (prebuilt MLC weights): the γ = 1 baseline.',
    model: 'https://huggingface.co/mlc-ai/Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    modelLib: qwenLib('0.5B', 'q4f16_1'),
    quantization: 'q4f16_1',
    vramRequiredMB: 944.62,
    requiredFeatures: ['shader-f16'],
    fallbackId: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
    contextWindowSize: 4096,
  },
  {
    engine: 'webllm',
    id: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
    label: 'Qwen2.5-0.5B-Instruct (WebLLM q4f32, original)',
    family: 'qwen2.5-instruct',
    tokenskip: false,
    baselineOf: 'TokenSkip-Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
    notes: 'For GPUs without shader-f16.',
    model: 'https://huggingface.co/mlc-ai/Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
    modelLib: qwenLib('0.5B', 'q4f32_1'),
    quantization: 'q4f32_1',
    vramRequiredMB: 1060.2,
    requiredFeatures: [],
    contextWindowSize: 4096,
  },
  {
    engine: 'webllm',
    id: 'TokenSkip-Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
    label: 'TokenSkip Qwen2.5-0.5B-Instruct (WebLLM q4f16)',
    family: 'qwen2.5-instruct',
    tokenskip: true,
    notes: 'LoRA-merged TokenSkip weights from `npx tokenskip` (self-hosted under /models/).',
    model: '/models/TokenSkip-Qwen2.5-0.5B-Instruct-q4f16_1-MLC/resolve/main/',
    modelLib: qwenLib('0.5B', 'q4f16_1'),
    quantization: 'q4f16_1',
    vramRequiredMB: 944.62,
    requiredFeatures: ['shader-f16'],
    fallbackId: 'TokenSkip-Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
    contextWindowSize: 4096,
  },
  {
    engine: 'webllm',
    id: 'TokenSkip-Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
    label: 'TokenSkip Qwen2.5-0.5B-Instruct (WebLLM q4f32)',
    family: 'qwen2.5-instruct',
    tokenskip: true,
    notes: 'For GPUs without shader-f16.',
    model: '/models/TokenSkip-Qwen2.5-0.5B-Instruct-q4f32_1-MLC/resolve/main/',
    modelLib: qwenLib('0.5B', 'q4f32_1'),
    quantization: 'q4f32_1',
    vramRequiredMB: 1060.2,
    requiredFeatures: [],
    contextWindowSize: 4096,
  },
];

export function findGenerationModel(
  id: string,
  models: GenerationModelRecord[] = GENERATION_MODELS,
): GenerationModelRecord {
  const found = models.find((m) => m.id === id);
  if (!found) {
    throw new TokenSkipError(
      'MODEL_NOT_FOUND',
      `Unknown generation model "${id}". Known models: ${models.map((m) => m.id).join(', ')}.`,
    );
  }
  return found;
}

/** The model an id names, without its engine/quantization suffix: `Qwen2.5-0.5B-Instruct`. */
function modelStem(id: string): string {
  return id.replace(/-(q4f16_1|q4f32_1)-MLC$|-onnx$/, '');
}

/**
 * Models on the other engine for the same prompt family: the same model first (the ONNX export of
 * a WebLLM model that failed), then the same kind (TokenSkip or original). What the UI offers when
 * a model fails to load.
 */
export function alternativesFor(
  record: GenerationModelRecord,
  models: GenerationModelRecord[] = GENERATION_MODELS,
): GenerationModelRecord[] {
  const rank = (m: GenerationModelRecord) =>
    2 * Number(modelStem(m.id) === modelStem(record.id)) + Number(m.tokenskip === record.tokenskip);
  return models
    .filter((m) => m.engine !== record.engine && m.family === record.family)
    .sort((a, b) => rank(b) - rank(a));
}
