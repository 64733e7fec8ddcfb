/**
 * MLC q4f16_1 / q4f32_1 group quantization (docs/method.md#webllm-and-the-mlc-weight-format), pure and framework-free.
 *
 * Groups of 32 along the input dimension; scale = max|w| / 7, rounded to its storage type
 * (float16 for q4f16_1, bfloat16 for q4f32_1, which MLC stores as "f32-to-bf16");
 * q = clamp(round(w / scale + 7), 0, 14), round half to even like TVM's round; eight 4-bit values per
 * uint32, value j of the eight in bits 4j..4j+3. q_weight is [out, in/8] uint32, q_scale [out, in/32].
 *
 *   const { qWeight, qScale } = quantizeQ4(w, rows, cols, 'f16');
 *   const back = dequantizeQ4(qWeight, qScale, rows, cols, 'f16');   // |back - w| <= scale / 2
 */
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from '../../half-float.ts';

export const GROUP = 32;
export const MAX_INT = 7;
export type ScaleType = 'f16' | 'bf16';

export interface Q4 {
  qWeight: Uint32Array;
  /** float16 or bfloat16 bit patterns. */
  qScale: Uint16Array;
}

export function quantizeQ4(w: Float32Array, rows: number, cols: number, scaleType: ScaleType): Q4 {
  if (cols % GROUP !== 0)
    throw new RangeError(`input dimension ${cols} is not a multiple of ${GROUP}`);
  if (w.length !== rows * cols)
    throw new RangeError(`weight has ${w.length} values, expected ${rows} x ${cols}`);
  const toBits = scaleType === 'f16' ? f32ToF16Bits : f32ToBf16Bits;
  const fromBits = scaleType === 'f16' ? f16BitsToF32 : bf16BitsToF32;
  const nGroups = (rows * cols) / GROUP;
  const qWeight = new Uint32Array((rows * cols) / 8);
  const qScale = new Uint16Array(nGroups);
  // Groups are contiguous in row-major order (cols is a multiple of 32), so one flat loop covers
  // them all; this loop is the converter's hot path, hence the manual inlining.
  for (let g = 0; g < nGroups; g++) {
    const base = g * GROUP;
    let maxAbs = 0;
    for (let i = base; i < base + GROUP; i++) {
      const v = w[i] as number;
      const a = v < 0 ? -v : v;
      if (a > maxAbs) maxAbs = a;
    }
    const bits = toBits(maxAbs / MAX_INT);
    qScale[g] = bits;
    const scale = fromBits(bits);
    const inv = scale > 0 ? 1 / scale : 0;
    let out = base >>> 3;
    for (let word = base; word < base + GROUP; word += 8) {
      let packed = 0;
      for (let j = 0; j < 8; j++) {
        const x = (w[word + j] as number) * inv + MAX_INT;
        let q = Math.round(x);
        if (q - x === 0.5 && (q & 1) === 1) q -= 1; // round half to even, like TVM's round
        q = q < 0 ? 0 : q > 2 * MAX_INT ? 2 * MAX_INT : q;
        packed |= q << (4 * j);
      }
      qWeight[out++] = packed >>> 0;
    }
  }
  return { qWeight, qScale };
}

export function dequantizeQ4(
  qWeight: Uint32Array,
  qScale: Uint16Array,
  rows: number,
  cols: number,
  scaleType: ScaleType,
): Float32Array {
  const fromBits = scaleType === 'f16' ? f16BitsToF32 : bf16BitsToF32;
  const groups = cols / GROUP;
  const w = new Float32Array(rows * cols);
  for (let i = 0; i < rows * cols; i++) {
    const q = ((qWeight[i >>> 3] as number) >>> (4 * (i & 7))) & 0xf;
    const r = Math.floor(i / cols);
    const g = Math.floor((i % cols) / GROUP);
    w[i] = (q - MAX_INT) * fromBits(qScale[r * groups + g] as number);
  }
  return w;
}
