import { describe, expect, it } from 'vitest';
import { dequantizeQ4, quantizeQ4 } from '../../src/core/export/mlc/quantize.ts';
import {
  bf16BitsToF32,
  f16BitsToF32,
  f32ToBf16Bits,
  f32ToF16Bits,
} from '../../src/core/half-float.ts';
import { qwen2Params } from '../../src/core/export/mlc/qwen2-params.ts';
import { seededRandom } from '../../src/core/prompts/tokenskip-format.ts';

function randomWeights(n: number, seed: number, scale = 0.05): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale * (r() < 0.01 ? 20 : 1));
}

describe('half-precision conversions', () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [1e6, 0x7c00],
    [2 ** -24, 0x0001],
    [0.1, 0x2e66],
    [1 + 2 ** -11, 0x3c00], // tie rounds to even
    [1 + 3 * 2 ** -11, 0x3c02],
  ])('f16(%s) = %s', (x, bits) => {
    expect(f32ToF16Bits(x)).toBe(bits);
  });
  it('bf16 keeps the top 16 bits with round-to-nearest-even', () => {
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    expect(bf16BitsToF32(f32ToBf16Bits(3.140625))).toBe(3.140625);
    expect(f16BitsToF32(f32ToF16Bits(0.333251953125))).toBe(0.333251953125);
  });
});

describe('q4 packing', () => {
  it('packs nibbles low-first, eight per uint32, with scale max|w|/7', () => {
    // One row, one group: w = (k - 7) * 0.5 for k = 0..14 then 0s -> q = k exactly.
    const w = new Float32Array(32);
    for (let k = 0; k < 15; k++) w[k] = (k - 7) * 0.5;
    const { qWeight, qScale } = quantizeQ4(w, 1, 32, 'f16');
    expect(f16BitsToF32(qScale[0]!)).toBe(0.5);
    expect(qWeight[0]).toBe(0x76543210);
    expect(qWeight[1]).toBe(0x7edcba98); // w[15] = 0 -> q = 7 in the top nibble
    expect([...qWeight.slice(2)]).toEqual([0x77777777, 0x77777777]);
  });

  it.each(['f16', 'bf16'] as const)(
    'round trip stays within the 4-bit error bound (%s scales)',
    (st) => {
      const rows = 48;
      const cols = 96;
      const w = randomWeights(rows * cols, 7);
      const { qWeight, qScale } = quantizeQ4(w, rows, cols, st);
      expect(qWeight.length).toBe((rows * cols) / 8);
      expect(qScale.length).toBe((rows * cols) / 32);
      const back = dequantizeQ4(qWeight, qScale, rows, cols, st);
      const conv = st === 'f16' ? f16BitsToF32 : bf16BitsToF32;
      let worst = 0;
      for (let i = 0; i < w.length; i++) {
        const g = Math.floor(i / 32);
        const scale = conv(qScale[g]!);
        const maxAbs = Math.max(...w.slice(g * 32, g * 32 + 32).map(Math.abs));
        // Half a step, plus what rounding the scale to 16 bits can push past the clamp at ±7.
        const bound = scale / 2 + Math.abs(maxAbs - 7 * scale) + 1e-7;
        const err = Math.abs(back[i]! - w[i]!);
        expect(err).toBeLessThanOrEqual(bound);
        worst = Math.max(worst, err / scale);
      }
      expect(worst).toBeGreaterThan(0.3); // it is a lossy code, and the test would notice a no-op
    },
  );

  it('rejects widths that are not a multiple of the group', () => {
    expect(() => quantizeQ4(new Float32Array(40), 1, 40, 'f16')).toThrow(/multiple of 32/);
  });
});

describe('Qwen2 parameter names and shapes', () => {
  const q05 = {
    hidden_size: 896,
    intermediate_size: 4864,
    num_hidden_layers: 24,
    num_attention_heads: 14,
    num_key_value_heads: 2,
    vocab_size: 151936,
    tie_word_embeddings: true,
  };
  it('matches the Qwen2.5-0.5B library (docs/method.md#webllm-and-the-mlc-weight-format)', () => {
    const params = new Map(qwen2Params(q05, 'q4f16_1').map((p) => [p.name, p]));
    const shape = (n: string) => params.get(n)?.shape;
    expect(shape('model.layers.0.self_attn.c_attn.q_weight')).toEqual([1152, 112]);
    expect(shape('model.layers.0.self_attn.c_attn.q_scale')).toEqual([1152, 28]);
    expect(shape('model.layers.0.self_attn.c_attn.bias')).toEqual([1152]);
    expect(shape('model.layers.23.self_attn.o_proj.q_weight')).toEqual([896, 112]);
    expect(shape('model.layers.23.self_attn.o_proj.q_scale')).toEqual([896, 28]);
    expect(shape('model.layers.5.mlp.gate_up_proj.q_weight')).toEqual([9728, 112]);
    expect(shape('model.layers.5.mlp.gate_up_proj.q_scale')).toEqual([9728, 28]);
    expect(shape('model.layers.5.mlp.down_proj.q_weight')).toEqual([896, 608]);
    expect(shape('model.layers.5.mlp.down_proj.q_scale')).toEqual([896, 152]);
    expect(shape('model.embed_tokens.q_weight')).toEqual([151936, 112]);
    expect(shape('model.embed_tokens.q_scale')).toEqual([151936, 28]);
    expect(shape('model.norm.weight')).toEqual([896]);
    expect(params.has('lm_head.q_weight')).toBe(false);
    expect(params.size).toBe(2 + 24 * 11 + 1);
    expect(params.get('model.layers.0.input_layernorm.weight')?.dtype).toBe('float16');
    expect(qwen2Params(q05, 'q4f32_1').find((p) => p.name === 'model.norm.weight')?.dtype).toBe(
      'float32',
    );
    expect(
      qwen2Params({ ...q05, tie_word_embeddings: false }, 'q4f16_1').some(
        (p) => p.name === 'lm_head.q_weight',
      ),
    ).toBe(true);
  });
});

describe('model library reuse', () => {
  it('picks the prebuilt library web-llm itself uses for Qwen2.5 0.5B/1.5B/3B/7B', async () => {
    const { prebuiltModelLib } = await import('../../src/core/export/mlc/chat-config.ts');
    const { prebuiltAppConfig } = await import('@mlc-ai/web-llm');
    const list = prebuiltAppConfig.model_list;
    const c = {
      hidden_size: 896,
      intermediate_size: 4864,
      num_hidden_layers: 24,
      num_attention_heads: 14,
      num_key_value_heads: 2,
      vocab_size: 151936,
    };
    expect(prebuiltModelLib(c, 'q4f32_1', list)).toBe(
      'Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm',
    );
    expect(
      prebuiltModelLib({ ...c, hidden_size: 1536, num_hidden_layers: 28 }, 'q4f16_1', list),
    ).toBe('Qwen2-1.5B-Instruct-q4f16_1_cs1k-webgpu.wasm');
    expect(
      prebuiltModelLib({ ...c, hidden_size: 2048, num_hidden_layers: 36 }, 'q4f16_1', list),
    ).toBe('Qwen2.5-3B-Instruct-q4f16_1_cs1k-webgpu.wasm');
    expect(
      prebuiltModelLib({ ...c, hidden_size: 3584, num_hidden_layers: 28 }, 'q4f32_1', list),
    ).toBe('Qwen2-7B-Instruct-q4f32_1_cs1k-webgpu.wasm');
    expect(
      prebuiltModelLib({ ...c, hidden_size: 5120, num_hidden_layers: 48 }, 'q4f16_1', list),
    ).toBeUndefined();
    expect(prebuiltModelLib({ ...c, num_hidden_layers: 2 }, 'q4f16_1', list)).toBeUndefined();
  });
});
