/**
 * mlc-chat-config.json and the WebLLM model record for a converted Qwen2 model.
 *
 * WebLLM takes the chat format from `conv_template` (it does not read Jinja templates), so the full
 * Qwen2 template object is written here. A fine-tune of a supported size reuses the prebuilt model
 * library (REFERENCE section 4): only the weights change.
 */
import type { Quantization, Qwen2Config } from './qwen2-params.ts';
import type { WebLlmModelRecord as AppWebLlmRecord } from '../../models/registry.ts';

export interface ChatConfigOptions {
  quantization: Quantization;
  contextWindow: number;
  prefillChunk: number;
  tokenizerFiles: string[];
  stopTokenIds: number[];
  bosTokenId?: number;
  padTokenId?: number;
}

export function qwen2ConvTemplate(stopTokenIds: number[]): Record<string, unknown> {
  return {
    name: 'qwen2',
    system_template: '<|im_start|>system\n{system_message}<|im_end|>\n',
    system_message: 'You are a helpful assistant.',
    system_prefix_token_ids: null,
    add_role_after_system_message: true,
    roles: { user: '<|im_start|>user', assistant: '<|im_start|>assistant' },
    role_templates: {
      user: '{user_message}',
      assistant: '{assistant_message}',
      tool: '{tool_message}',
    },
    messages: [],
    seps: ['<|im_end|>\n'],
    role_content_sep: '\n',
    role_empty_sep: '\n',
    stop_str: ['<|endoftext|>', '<|im_end|>'],
    stop_token_ids: stopTokenIds,
    function_string: '',
    use_function_calling: false,
  };
}

export function mlcChatConfig(c: Qwen2Config, o: ChatConfigOptions): Record<string, unknown> {
  return {
    version: '0.1.0',
    model_type: 'qwen2',
    quantization: o.quantization,
    model_config: {
      hidden_act: 'silu',
      hidden_size: c.hidden_size,
      intermediate_size: c.intermediate_size,
      num_attention_heads: c.num_attention_heads,
      num_hidden_layers: c.num_hidden_layers,
      num_key_value_heads: c.num_key_value_heads,
      rms_norm_eps: c.rms_norm_eps ?? 1e-6,
      rope_theta: c.rope_theta ?? 1000000,
      vocab_size: c.vocab_size,
      tie_word_embeddings: c.tie_word_embeddings ?? false,
      context_window_size: o.contextWindow,
      prefill_chunk_size: o.prefillChunk,
      tensor_parallel_shards: 1,
      head_dim: c.head_dim ?? c.hidden_size / c.num_attention_heads,
      dtype: 'float32',
      max_batch_size: 80,
    },
    vocab_size: c.vocab_size,
    context_window_size: o.contextWindow,
    sliding_window_size: -1,
    prefill_chunk_size: o.prefillChunk,
    attention_sink_size: -1,
    tensor_parallel_shards: 1,
    pipeline_parallel_stages: 1,
    // Qwen2.5-Instruct's generation defaults; TokenSkip evaluation overrides them with greedy.
    temperature: 0.7,
    presence_penalty: 0.0,
    frequency_penalty: 0.0,
    repetition_penalty: 1.05,
    top_p: 0.8,
    tokenizer_files: o.tokenizerFiles,
    tokenizer_info: {
      token_postproc_method: 'byte_level',
      prepend_space_in_encode: false,
      strip_space_in_decode: false,
    },
    conv_template: qwen2ConvTemplate(o.stopTokenIds),
    pad_token_id: o.padTokenId ?? 0,
    bos_token_id: o.bosTokenId ?? o.stopTokenIds[0] ?? 0,
    eos_token_id: o.stopTokenIds,
  };
}

/** Qwen2.5-Instruct sizes web-llm ships records for, told apart by hidden size and depth. */
const QWEN25_SIZES: { hidden: number; layers: number; size: string }[] = [
  { hidden: 896, layers: 24, size: '0.5B' },
  { hidden: 1536, layers: 28, size: '1.5B' },
  { hidden: 2048, layers: 36, size: '3B' },
  { hidden: 3584, layers: 28, size: '7B' },
];

/**
 * The prebuilt library web-llm itself uses for this Qwen2.5 size, as a bare file name (the app
 * resolves it against web-llm's `modelLibURLPrefix` + `modelVersion`). Looked up in web-llm's own
 * `prebuiltAppConfig.model_list` (pass it in): in 0.2.86 0.5B/1.5B use the Qwen2 libraries,
 * 3B its own `Qwen2.5-3B-Instruct-*_cs1k` one, and 7B reuses Qwen2-7B's.
 */
export function prebuiltModelLib(
  c: Qwen2Config,
  q: Quantization,
  modelList: readonly { model_id: string; model_lib: string }[],
): string | undefined {
  const size = QWEN25_SIZES.find(
    (s) => s.hidden === c.hidden_size && s.layers === c.num_hidden_layers,
  )?.size;
  if (!size) return undefined;
  const record = modelList.find((m) => m.model_id === `Qwen2.5-${size}-Instruct-${q}-MLC`);
  return record?.model_lib.split('/').pop();
}

function vramMB(weightBytes: number): number {
  // Weights plus a KV cache / activation allowance in the ratio of the prebuilt 0.5B records.
  return Math.round((weightBytes / 2 ** 20) * 1.6 + 500);
}

/**
 * The app's registry entry for the export (an item of `models` in models/manifest.json, typed in
 * src/core/models/registry.ts); `model` may be app-relative.
 */
export function appModelRecord(
  modelUrl: string,
  modelId: string,
  modelLib: string,
  q: Quantization,
  weightBytes: number,
  contextWindow: number,
): AppWebLlmRecord {
  return {
    id: modelId,
    label: `${modelId} (TokenSkip, ${q})`,
    kind: 'causal-lm',
    source: { type: 'served', url: modelUrl },
    // MLC shards are listed in tensor-cache.json beside the weights; WebLLM checks them itself.
    files: [],
    family: 'qwen2.5-instruct',
    tokenskip: true,
    notes:
      'LoRA-merged TokenSkip fine-tune exported by tokenskip export mlc; reuses the prebuilt Qwen2 library.',
    engine: 'webllm',
    model: modelUrl,
    modelLib,
    quantization: q,
    vramRequiredMB: vramMB(weightBytes),
    requiredFeatures: q === 'q4f16_1' ? ['shader-f16'] : [],
    contextWindowSize: contextWindow,
  };
}

export interface WebLlmModelRecord {
  model: string;
  model_id: string;
  model_lib: string;
  overrides: { context_window_size: number };
  vram_required_MB: number;
  low_resource_required: boolean;
  required_features?: string[];
}

/** The `appConfig.model_list` entry; `model` must be an absolute URL (WebLLM rejects relative ones). */
export function webLlmRecord(
  modelUrl: string,
  modelId: string,
  modelLib: string,
  q: Quantization,
  weightBytes: number,
  contextWindow: number,
): WebLlmModelRecord {
  if (!/^https?:\/\//.test(modelUrl)) {
    throw new RangeError(
      `model URL '${modelUrl}' must be absolute (http(s)://...): WebLLM throws "Invalid URL" otherwise`,
    );
  }
  return {
    model: modelUrl,
    model_id: modelId,
    model_lib: modelLib,
    overrides: { context_window_size: contextWindow },
    vram_required_MB: vramMB(weightBytes),
    low_resource_required: true,
    ...(q === 'q4f16_1' ? { required_features: ['shader-f16'] } : {}),
  };
}
