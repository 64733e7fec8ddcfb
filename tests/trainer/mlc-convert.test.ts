import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdirSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSafetensors } from '../../src/node/export/mlc/tensor-source.ts';
import { syntheticQwen2Source } from '../../src/node/export/mlc/synthetic-source.ts';
import {
  MAX_SHARD_BYTES,
  writeShards,
  type ShardRecord,
} from '../../src/node/export/mlc/convert.ts';
import { qwen2Params, type Qwen2Config } from '../../src/core/export/mlc/qwen2-params.ts';
import { dequantizeQ4 } from '../../src/core/export/mlc/quantize.ts';
import { f16BitsToF32, f32ToBf16Bits } from '../../src/core/half-float.ts';
import { main } from '../../src/node/cli.ts';
import { makeTinyModel, tinyConfig } from '../helpers/tiny-qwen2-checkpoint.ts';

const root = mkdtempSync(join(tmpdir(), 'mlc-convert-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function readShardTensor(dir: string, shards: ShardRecord[], name: string): Buffer {
  for (const s of shards) {
    const rec = s.records.find((r) => r.name === name);
    if (rec)
      return readFileSync(join(dir, s.dataPath)).subarray(
        rec.byteOffset,
        rec.byteOffset + rec.nbytes,
      );
  }
  throw new Error(`no record ${name}`);
}

describe('MLC export of a tiny Qwen2 checkpoint', () => {
  it.each(['q4f16_1', 'q4f32_1'] as const)(
    'writes %s weights that dequantize back to the checkpoint',
    async (q) => {
      const model = join(root, `tiny-${q}`);
      const tensors = makeTinyModel(model, q === 'q4f16_1' ? 'F32' : 'BF16');
      let out = join(root, `out-${q}`);
      const chunks: string[] = [];
      const io = {
        stdin: process.stdin,
        stdout: { write: (s: string) => chunks.push(s) },
        stderr: { write: () => true },
      } as never;
      const code = await main(
        [
          'export',
          'mlc',
          '--json',
          '--model',
          model,
          '--out',
          out,
          '--quantization',
          q,
          '--model-url',
          'https://example.org/m',
          '--model-lib',
          'https://example.org/lib.wasm',
        ],
        io,
      );
      expect(code).toBe(0);
      // WebLLM reads https://example.org/m/resolve/main/...: the weights go there, records on top.
      const top = out;
      for (const f of ['webllm-model-record.json', 'app-model-record.json', 'manifest.json']) {
        expect(existsSync(join(top, f)), f).toBe(true);
      }
      out = join(top, 'resolve/main');
      for (const f of [
        'tensor-cache.json',
        'ndarray-cache.json',
        'mlc-chat-config.json',
        'tokenizer.json',
      ]) {
        expect(existsSync(join(out, f)), f).toBe(true);
      }
      const cache = JSON.parse(readFileSync(join(out, 'tensor-cache.json'), 'utf8')) as {
        records: ShardRecord[];
      };
      expect(readFileSync(join(out, 'ndarray-cache.json'), 'utf8')).toBe(
        readFileSync(join(out, 'tensor-cache.json'), 'utf8'),
      );
      const names = cache.records.flatMap((s) => s.records.map((r) => r.name));
      expect(names).toEqual(qwen2Params(tinyConfig, q).map((p) => p.name));
      for (const s of cache.records) {
        const bin = readFileSync(join(out, s.dataPath));
        expect(bin.length).toBe(s.nbytes);
        expect(createHash('md5').update(bin).digest('hex')).toBe(s.md5sum);
      }
      // c_attn = q, k, v stacked on the output axis; dequantized within half a step of the original.
      const rows = (4 + 2 * 2) * 16;
      const qw = readShardTensor(out, cache.records, 'model.layers.1.self_attn.c_attn.q_weight');
      const qs = readShardTensor(out, cache.records, 'model.layers.1.self_attn.c_attn.q_scale');
      const scaleBits = new Uint16Array(qs.buffer.slice(qs.byteOffset, qs.byteOffset + qs.length));
      const back = dequantizeQ4(
        new Uint32Array(qw.buffer.slice(qw.byteOffset, qw.byteOffset + qw.length)),
        scaleBits,
        rows,
        64,
        q === 'q4f16_1' ? 'f16' : 'bf16',
      );
      const orig = ['q_proj', 'k_proj', 'v_proj'].flatMap((p) => [
        ...tensors[`model.layers.1.self_attn.${p}.weight`]!.data,
      ]);
      const bf = (v: number) => new Float32Array(Uint32Array.of(f32ToBf16Bits(v) << 16).buffer)[0]!;
      let maxErr = 0;
      for (let i = 0; i < orig.length; i++) {
        const o = q === 'q4f32_1' ? bf(orig[i]!) : orig[i]!; // the q4f32 checkpoint was written in bf16
        maxErr = Math.max(maxErr, Math.abs(back[i]! - o));
      }
      expect(maxErr).toBeLessThanOrEqual((0.1 / 7) * 0.5 * 1.01);
      expect(maxErr).toBeGreaterThan(0);
      // Biases and norms: float16 raw, or float32 stored as bf16.
      const bias = readShardTensor(out, cache.records, 'model.layers.0.self_attn.c_attn.bias');
      const rec = cache.records[0]!.records.find(
        (r) => r.name === 'model.layers.0.self_attn.c_attn.bias',
      )!;
      expect(rec.format).toBe(q === 'q4f16_1' ? 'raw' : 'f32-to-bf16');
      expect(rec.nbytes).toBe(rows * 2);
      if (q === 'q4f16_1') {
        const b0 = f16BitsToF32(bias.readUInt16LE(0));
        expect(
          Math.abs(b0 - tensors['model.layers.0.self_attn.q_proj.bias']!.data[0]!),
        ).toBeLessThan(1e-3);
      }
      const chat = JSON.parse(readFileSync(join(out, 'mlc-chat-config.json'), 'utf8'));
      expect(chat.quantization).toBe(q);
      expect(chat.conv_template.stop_token_ids).toEqual([256, 258]);
      expect(chat.model_config.num_hidden_layers).toBe(2);
      const record = JSON.parse(readFileSync(join(top, 'webllm-model-record.json'), 'utf8'));
      const app = JSON.parse(readFileSync(join(top, 'app-model-record.json'), 'utf8'));
      expect(app).toMatchObject({
        engine: 'webllm',
        quantization: q,
        tokenskip: true,
        family: 'qwen2.5-instruct',
        model: 'https://example.org/m/resolve/main/',
      });
      expect(record.model).toBe('https://example.org/m/resolve/main/');
      expect(record.model_lib).toBe('https://example.org/lib.wasm');
      expect(record.required_features ?? []).toEqual(q === 'q4f16_1' ? ['shader-f16'] : []);
      expect(JSON.parse(chunks.join('')).params).toBe(names.length);
    },
  );

  it('writes flat when --model-url names a /resolve/<rev>/ folder; picks a prebuilt library', async () => {
    const model = join(root, 'tiny-flat');
    makeTinyModel(model, 'F32');
    const out = join(root, 'out-flat');
    const io = {
      stdin: process.stdin,
      stdout: { write: () => true },
      stderr: { write: () => true },
    } as never;
    const url = 'https://example.org/m/resolve/v1/';
    expect(
      await main(['export', 'mlc', '--model', model, '--out', out, '--model-url', url], io),
    ).toBe(1);
    // A tiny model has no prebuilt library; --model-lib is then required.
    const args = ['export', 'mlc', '--model', model, '--out', out, '--model-url', url];
    expect(await main([...args, '--model-lib', 'https://example.org/lib.wasm'], io)).toBe(0);
    expect(existsSync(join(out, 'mlc-chat-config.json'))).toBe(true);
    expect(existsSync(join(out, 'resolve'))).toBe(false);
    const app = JSON.parse(readFileSync(join(out, 'app-model-record.json'), 'utf8'));
    expect(app.model).toBe(url);
  });

  it('refuses weights that do not match config.json, leaving no output', async () => {
    const model = join(root, 'mismatch');
    makeTinyModel(model, 'F32');
    writeFileSync(
      join(model, 'config.json'),
      JSON.stringify({ ...tinyConfig, intermediate_size: 256 }),
    );
    const out = join(root, 'out-mismatch');
    const err: string[] = [];
    const io = {
      stdin: process.stdin,
      stdout: { write: () => true },
      stderr: { write: (s: string) => err.push(s) },
    } as never;
    expect(await main(['export', 'mlc', '--model', model, '--out', out], io)).toBe(1);
    expect(err.join('')).toMatch(/do not match/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('reads a truncated checkpoint as an error', async () => {
    const model = join(root, 'trunc');
    makeTinyModel(model, 'F32');
    const p = join(model, 'model.safetensors');
    writeFileSync(p, readFileSync(p).subarray(0, statSync(p).size - 100));
    await expect(openSafetensors(model)).rejects.toThrow(/truncated/);
  });
});

describe('MLC export on Qwen2.5-0.5B shapes (synthetic, streamed)', () => {
  it('names, shapes, byte sizes and the 32 MB shard limit', async () => {
    // Real 0.5B widths and vocabulary; two of the 24 layers keep the test fast (every layer has the same shapes).
    const cfg: Qwen2Config = {
      hidden_size: 896,
      intermediate_size: 4864,
      num_hidden_layers: 2,
      num_attention_heads: 14,
      num_key_value_heads: 2,
      vocab_size: 151936,
      tie_word_embeddings: true,
    };
    const dir = join(root, 'q05');
    mkdirSync(dir);
    const r = await writeShards(syntheticQwen2Source(cfg), cfg, 'q4f16_1', dir);
    const records = r.shards.flatMap((s) => s.records);
    const want = qwen2Params(cfg, 'q4f16_1');
    expect(records.map((x) => [x.name, x.shape])).toEqual(want.map((p) => [p.name, p.shape]));
    for (const rec of records) {
      const n = rec.shape.reduce((a, b) => a * b, 1);
      expect(rec.nbytes, rec.name).toBe(n * (rec.dtype === 'uint32' ? 4 : 2));
    }
    for (const s of r.shards) {
      // A shard stays under 32 MB unless it holds one tensor larger than that (the 68 MB embedding).
      if (s.records.length > 1) expect(s.nbytes).toBeLessThanOrEqual(MAX_SHARD_BYTES);
      expect(statSync(join(dir, s.dataPath)).size).toBe(s.nbytes);
    }
    expect(records.find((x) => x.name === 'model.embed_tokens.q_weight')!.nbytes).toBe(
      151936 * 112 * 4,
    );
  }, 90_000);
});
