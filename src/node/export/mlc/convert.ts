/**
 * HF Qwen2 checkpoint -> MLC weights for WebLLM, streamed tensor by tensor:
 * params_shard_*.bin (<= 32 MB each, md5 per shard), tensor-cache.json and ndarray-cache.json
 * (same content, old and new WebLLM names), mlc-chat-config.json, tokenizer files, and
 * webllm-model-record.json.
 *
 *   await convertToMlc(await openSafetensors('merged'), hfConfig, { out: 'mlc', quantization: 'q4f16_1', ... });
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TokenSkipError } from '../../../core/errors.ts';
import { quantizeQ4 } from '../../../core/export/mlc/quantize.ts';
import { f32ToBf16Bits, f32ToF16Bits } from '../../../core/half-float.ts';
import {
  paramsOf,
  qwen2Plan,
  sourceShapes,
  type MlcDtype,
  type Quantization,
  type Qwen2Config,
} from '../../../core/export/mlc/qwen2-params.ts';
import type { TensorSource } from './tensor-source.ts';

export const MAX_SHARD_BYTES = 32 * 2 ** 20;

export interface CacheRecord {
  name: string;
  shape: number[];
  dtype: MlcDtype;
  format: 'raw' | 'f32-to-bf16';
  nbytes: number;
  byteOffset: number;
}

export interface ShardRecord {
  dataPath: string;
  format: 'raw-shard';
  nbytes: number;
  records: CacheRecord[];
  md5sum: string;
}

export interface ConvertResult {
  shards: ShardRecord[];
  paramCount: number;
  bytesWritten: number;
  sourceBytes: number;
  seconds: number;
}

/** Collects encoded tensors into shards of at most MAX_SHARD_BYTES and writes them as they fill. */
class ShardWriter {
  shards: ShardRecord[] = [];
  private parts: Uint8Array[] = [];
  private records: CacheRecord[] = [];
  private size = 0;
  bytesWritten = 0;

  constructor(private dir: string) {}

  async add(
    name: string,
    shape: number[],
    dtype: MlcDtype,
    format: CacheRecord['format'],
    data: Uint8Array,
  ): Promise<void> {
    if (this.size > 0 && this.size + data.byteLength > MAX_SHARD_BYTES) await this.flush();
    this.records.push({
      name,
      shape,
      dtype,
      format,
      nbytes: data.byteLength,
      byteOffset: this.size,
    });
    this.parts.push(data);
    this.size += data.byteLength;
  }

  async flush(): Promise<void> {
    if (this.records.length === 0) return;
    const dataPath = `params_shard_${this.shards.length}.bin`;
    const md5 = createHash('md5');
    for (const p of this.parts) md5.update(p);
    const path = join(this.dir, dataPath);
    try {
      await writeFile(path, this.parts);
    } catch (error) {
      throw new TokenSkipError(
        'INTERNAL',
        `could not write ${path}: ${(error as Error).message} (disk full?)`,
        { cause: error },
      );
    }
    this.shards.push({
      dataPath,
      format: 'raw-shard',
      nbytes: this.size,
      records: this.records,
      md5sum: md5.digest('hex'),
    });
    this.bytesWritten += this.size;
    this.parts = [];
    this.records = [];
    this.size = 0;
  }
}

function bytesOf(a: Uint32Array | Uint16Array | Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Float tensors: float16 for q4f16_1; float32 stored as bf16 ("f32-to-bf16") for q4f32_1, as MLC does. */
function encodeFloat(
  v: Float32Array,
  q: Quantization,
): { data: Uint8Array; format: CacheRecord['format'] } {
  const out = new Uint16Array(v.length);
  const conv = q === 'q4f16_1' ? f32ToF16Bits : f32ToBf16Bits;
  for (let i = 0; i < v.length; i++) out[i] = conv(v[i] as number);
  return { data: bytesOf(out), format: q === 'q4f16_1' ? 'raw' : 'f32-to-bf16' };
}

function concat(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0] as Float32Array;
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Checks every source tensor exists with the shape the config implies, before writing anything. */
export function checkSources(src: TensorSource, config: Qwen2Config): void {
  for (const item of qwen2Plan(config)) {
    const shapes = sourceShapes(item, config);
    item.sources.forEach((s, k) => {
      const info = src.info(s);
      if (!info)
        throw new TokenSkipError(
          'MODEL_FILE_CORRUPT',
          `tensor ${s} is missing from the checkpoint (is this a Qwen2 model?).`,
        );
      const want = shapes[k] as number[];
      if (info.shape.join(',') !== want.join(',')) {
        throw new TokenSkipError(
          'MODEL_FILE_CORRUPT',
          `tensor ${s} has shape [${info.shape.join(', ')}] but config.json implies [${want.join(', ')}]; the weights and config.json do not match (different models?).`,
        );
      }
    });
  }
}

export async function writeShards(
  src: TensorSource,
  config: Qwen2Config,
  q: Quantization,
  dir: string,
  onprogress?: (done: number, total: number) => void,
): Promise<ConvertResult> {
  const t0 = performance.now();
  checkSources(src, config);
  const plan = qwen2Plan(config);
  const writer = new ShardWriter(dir);
  const scaleType = q === 'q4f16_1' ? 'f16' : 'bf16';
  let sourceBytes = 0;
  let paramCount = 0;
  for (let i = 0; i < plan.length; i++) {
    const item = plan[i]!;
    const parts = await Promise.all(item.sources.map((s) => src.read(s)));
    const values = concat(parts);
    sourceBytes += values.length * 4;
    const [p0, p1] = paramsOf(item, q);
    if (item.kind === 'quantized') {
      const { qWeight, qScale } = quantizeQ4(values, item.rows, item.cols, scaleType);
      await writer.add(p0!.name, p0!.shape, p0!.dtype, 'raw', bytesOf(qWeight));
      await writer.add(
        p1!.name,
        p1!.shape,
        p1!.dtype,
        q === 'q4f16_1' ? 'raw' : 'f32-to-bf16',
        bytesOf(qScale),
      );
      paramCount += 2;
    } else {
      const { data, format } = encodeFloat(values, q);
      await writer.add(p0!.name, p0!.shape, p0!.dtype, format, data);
      paramCount += 1;
    }
    onprogress?.(i + 1, plan.length);
  }
  await writer.flush();
  return {
    shards: writer.shards,
    paramCount,
    bytesWritten: writer.bytesWritten,
    sourceBytes,
    seconds: (performance.now() - t0) / 1000,
  };
}

export function tensorCache(shards: ShardRecord[]): Record<string, unknown> {
  const bytes = shards.reduce((n, s) => n + s.nbytes, 0);
  const count = shards.reduce((n, s) => n + s.records.length, 0);
  return { metadata: { ParamSize: count, ParamBytes: bytes, BitsPerParam: 0 }, records: shards };
}

/** Replaces `dir` with the finished output in one rename, so a failure never leaves half a model. */
export async function withTempDir<T>(dir: string, fn: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = `${dir.replace(/\/+$/, '')}.partial`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    const r = await fn(tmp);
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    return r;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}
