/**
 * The MLC parameter list of a Qwen2 model (docs/method.md#webllm-and-the-mlc-weight-format): names, shapes and dtypes exactly as
 * the prebuilt Qwen2 model library expects, and which HF tensors each one is built from.
 *
 *   for (const p of qwen2Plan(hfConfig, 'q4f16_1')) ...   // p.sources are HF tensor names
 *
 * q, k, v are concatenated into `c_attn` (weights and biases), gate and up into `gate_up_proj`.
 * Linear weights and the embedding are 4-bit quantized; norms and biases stay float
 * (float16 for q4f16_1, float32 for q4f32_1).
 */

export type Quantization = 'q4f16_1' | 'q4f32_1';
export type MlcDtype = 'uint32' | 'float16' | 'float32';

export interface Qwen2Config {
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  vocab_size: number;
  head_dim?: number;
  tie_word_embeddings?: boolean;
  rms_norm_eps?: number;
  rope_theta?: number;
  max_position_embeddings?: number;
}

/** One source tensor group turned into MLC parameters. */
export type PlanItem =
  | { kind: 'quantized'; prefix: string; sources: string[]; rows: number; cols: number }
  | { kind: 'float'; name: string; sources: string[]; length: number };

/** The shape each HF source tensor must have (sources are stacked along the first axis). */
export function sourceShapes(item: PlanItem, c: Qwen2Config): number[][] {
  const hd = headDim(c);
  const split = (total: number): number[] =>
    item.sources.length === 3
      ? [c.num_attention_heads * hd, c.num_key_value_heads * hd, c.num_key_value_heads * hd]
      : item.sources.map(() => total / item.sources.length);
  if (item.kind === 'float') return split(item.length).map((n) => [n]);
  return split(item.rows).map((r) => [r, item.cols]);
}

export interface MlcParam {
  name: string;
  shape: number[];
  dtype: MlcDtype;
}

export function headDim(c: Qwen2Config): number {
  return c.head_dim ?? c.hidden_size / c.num_attention_heads;
}

export function qwen2Plan(c: Qwen2Config): PlanItem[] {
  const h = c.hidden_size;
  const hd = headDim(c);
  const qkv = (c.num_attention_heads + 2 * c.num_key_value_heads) * hd;
  const items: PlanItem[] = [
    {
      kind: 'quantized',
      prefix: 'model.embed_tokens',
      sources: ['model.embed_tokens.weight'],
      rows: c.vocab_size,
      cols: h,
    },
  ];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const l = `model.layers.${i}`;
    const attn = ['q_proj', 'k_proj', 'v_proj'].map((p) => `${l}.self_attn.${p}`);
    items.push(
      {
        kind: 'quantized',
        prefix: `${l}.self_attn.c_attn`,
        sources: attn.map((p) => `${p}.weight`),
        rows: qkv,
        cols: h,
      },
      {
        kind: 'float',
        name: `${l}.self_attn.c_attn.bias`,
        sources: attn.map((p) => `${p}.bias`),
        length: qkv,
      },
      {
        kind: 'quantized',
        prefix: `${l}.self_attn.o_proj`,
        sources: [`${l}.self_attn.o_proj.weight`],
        rows: h,
        cols: c.num_attention_heads * hd,
      },
      {
        kind: 'quantized',
        prefix: `${l}.mlp.gate_up_proj`,
        sources: [`${l}.mlp.gate_proj.weight`, `${l}.mlp.up_proj.weight`],
        rows: 2 * c.intermediate_size,
        cols: h,
      },
      {
        kind: 'quantized',
        prefix: `${l}.mlp.down_proj`,
        sources: [`${l}.mlp.down_proj.weight`],
        rows: h,
        cols: c.intermediate_size,
      },
      {
        kind: 'float',
        name: `${l}.input_layernorm.weight`,
        sources: [`${l}.input_layernorm.weight`],
        length: h,
      },
      {
        kind: 'float',
        name: `${l}.post_attention_layernorm.weight`,
        sources: [`${l}.post_attention_layernorm.weight`],
        length: h,
      },
    );
  }
  items.push({
    kind: 'float',
    name: 'model.norm.weight',
    sources: ['model.norm.weight'],
    length: h,
  });
  if (c.tie_word_embeddings === false) {
    items.push({
      kind: 'quantized',
      prefix: 'lm_head',
      sources: ['lm_head.weight'],
      rows: c.vocab_size,
      cols: h,
    });
  }
  return items;
}

export function floatDtype(q: Quantization): MlcDtype {
  return q === 'q4f16_1' ? 'float16' : 'float32';
}

/** The MLC parameters a plan item produces, in order. */
export function paramsOf(item: PlanItem, q: Quantization): MlcParam[] {
  if (item.kind === 'float')
    return [{ name: item.name, shape: [item.length], dtype: floatDtype(q) }];
  return [
    { name: `${item.prefix}.q_weight`, shape: [item.rows, item.cols / 8], dtype: 'uint32' },
    { name: `${item.prefix}.q_scale`, shape: [item.rows, item.cols / 32], dtype: floatDtype(q) },
  ];
}

export function qwen2Params(c: Qwen2Config, q: Quantization): MlcParam[] {
  return qwen2Plan(c).flatMap((item) => paramsOf(item, q));
}
