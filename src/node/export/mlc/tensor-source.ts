/**
 * Where the converter reads HF tensors from: safetensors checkpoints on disk (one or sharded with
 * an index), read one tensor at a time as float32 so a model never has to fit in memory whole.
 * Tests and benchmarks plug in synthetic sources with the same interface.
 */
import { open, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TokenSkipError } from '../../../core/errors.ts';
import { bf16BitsToF32, f16BitsToF32 } from '../../../core/half-float.ts';

export interface TensorInfo {
  shape: number[];
  dtype: string;
}

export interface TensorSource {
  info(name: string): TensorInfo | undefined;
  read(name: string): Promise<Float32Array>;
  /** Files read (for the manifest). */
  files: string[];
}

interface Entry extends TensorInfo {
  file: string;
  begin: number;
  end: number;
}

async function readHeader(file: string): Promise<Map<string, Entry>> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const lenBuf = Buffer.alloc(8);
    await fh.read(lenBuf, 0, 8, 0);
    const n = Number(lenBuf.readBigUInt64LE(0));
    if (size < 8 || n > 100 * 2 ** 20 || 8 + n > size) {
      throw new TokenSkipError(
        'MODEL_FILE_CORRUPT',
        `${file} is not a safetensors file (bad header length); download it again.`,
      );
    }
    const hb = Buffer.alloc(n);
    await fh.read(hb, 0, n, 8);
    let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    try {
      header = JSON.parse(hb.toString('utf8'));
    } catch {
      throw new TokenSkipError(
        'MODEL_FILE_CORRUPT',
        `${file} has a corrupt safetensors header; download it again.`,
      );
    }
    const out = new Map<string, Entry>();
    for (const [name, v] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const [b, e] = v.data_offsets;
      if (8 + n + e > size) {
        throw new TokenSkipError(
          'MODEL_FILE_CORRUPT',
          `${file}: tensor ${name} lies past the end of the file (truncated download?).`,
        );
      }
      out.set(name, { file, shape: v.shape, dtype: v.dtype, begin: 8 + n + b, end: 8 + n + e });
    }
    return out;
  } finally {
    await fh.close();
  }
}

export async function openSafetensors(modelDir: string): Promise<TensorSource> {
  const index = join(modelDir, 'model.safetensors.index.json');
  let files: string[];
  if (existsSync(index)) {
    const map = (
      JSON.parse(await readFile(index, 'utf8')) as { weight_map: Record<string, string> }
    ).weight_map;
    files = [...new Set(Object.values(map))].sort().map((f) => join(modelDir, f));
  } else {
    files = [join(modelDir, 'model.safetensors')];
  }
  for (const f of files) {
    if (!existsSync(f))
      throw new TokenSkipError(
        'MODEL_FILE_MISSING',
        `${f} is missing; the model folder is incomplete.`,
      );
  }
  const entries = new Map<string, Entry>();
  for (const f of files) for (const [k, v] of await readHeader(f)) entries.set(k, v);
  return {
    files,
    info: (name) => entries.get(name),
    async read(name) {
      const e = entries.get(name);
      if (!e)
        throw new TokenSkipError('MODEL_FILE_CORRUPT', `tensor ${name} is not in ${modelDir}.`);
      const fh = await open(e.file, 'r');
      const buf = Buffer.alloc(e.end - e.begin);
      try {
        await fh.read(buf, 0, buf.length, e.begin);
      } finally {
        await fh.close();
      }
      return toFloat32(buf, e.dtype, name);
    },
  };
}

function toFloat32(buf: Buffer, dtype: string, name: string): Float32Array {
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  if (dtype === 'F32') return new Float32Array(ab);
  if (dtype === 'F16' || dtype === 'BF16') {
    const src = new Uint16Array(ab);
    const out = new Float32Array(src.length);
    const conv = dtype === 'F16' ? f16BitsToF32 : bf16BitsToF32;
    for (let i = 0; i < src.length; i++) out[i] = conv(src[i] as number);
    return out;
  }
  throw new TokenSkipError(
    'MODEL_FILE_CORRUPT',
    `tensor ${name} has dtype ${dtype}; only F32, F16 and BF16 weights convert.`,
  );
}
