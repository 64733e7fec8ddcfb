/**
 * A tiny random Qwen2 checkpoint (safetensors written by hand, a WordLevel tokenizer with the Qwen
 * special tokens), the input `tokenskip export mlc` tests convert.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  qwen2Plan,
  sourceShapes,
  type Qwen2Config,
} from '../../src/core/export/mlc/qwen2-params.ts';
import { f32ToBf16Bits } from '../../src/core/half-float.ts';
import { seededRandom } from '../../src/core/prompts/tokenskip-format.ts';

/** Writes a safetensors file (F32 or BF16) the way the format specifies, without Python. */
export function writeSafetensors(
  path: string,
  tensors: Record<string, { shape: number[]; data: Float32Array }>,
  dtype: 'F32' | 'BF16',
): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    let buf: Buffer;
    if (dtype === 'F32') buf = Buffer.from(t.data.buffer.slice(0));
    else buf = Buffer.from(Uint16Array.from(t.data, (v) => f32ToBf16Bits(v)).buffer);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + buf.length] };
    offset += buf.length;
    chunks.push(buf);
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([len, Buffer.from(json), ...chunks]));
}

export const tinyConfig: Qwen2Config & { model_type: string } = {
  model_type: 'qwen2',
  hidden_size: 64,
  intermediate_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 320,
  tie_word_embeddings: true,
};

export function makeTinyModel(
  dir: string,
  dtype: 'F32' | 'BF16',
): Record<string, { shape: number[]; data: Float32Array }> {
  mkdirSync(dir, { recursive: true });
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  let seed = 3;
  for (const item of qwen2Plan(tinyConfig)) {
    const shapes = sourceShapes(item, tinyConfig);
    for (const [k, s] of item.sources.entries()) {
      const shape = shapes[k]!;
      const r = seededRandom(seed++);
      const n = shape.reduce((a, b) => a * b, 1);
      tensors[s] = { shape, data: Float32Array.from({ length: n }, () => (r() - 0.5) * 0.2) };
    }
  }
  writeSafetensors(join(dir, 'model.safetensors'), tensors, dtype);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(tinyConfig));
  const vocab: Record<string, number> = {};
  for (let b = 0; b < 94; b++) vocab[String.fromCharCode(33 + b)] = b;
  writeFileSync(
    join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      added_tokens: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'].map((content, i) => ({
        id: 256 + i,
        content,
        special: true,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
      })),
      normalizer: null,
      pre_tokenizer: null,
      decoder: { type: 'Fuse' },
      post_processor: null,
      model: { type: 'WordLevel', vocab, unk_token: '!' },
    }),
  );
  return tensors;
}
