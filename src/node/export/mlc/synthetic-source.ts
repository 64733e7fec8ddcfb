/**
 * A TensorSource that invents deterministic weights with a real model's names and shapes, for the
 * converter's shape tests and `npm run bench:export` (0.5B shapes without a 2 GB checkpoint).
 * Each tensor is generated when it is read, so memory holds one tensor at a time.
 */
import {
  qwen2Plan,
  sourceShapes,
  type Qwen2Config,
} from '../../../core/export/mlc/qwen2-params.ts';
import { seededRandom } from '../../../core/prompts/tokenskip-format.ts';
import type { TensorInfo, TensorSource } from './tensor-source.ts';

export function syntheticQwen2Source(config: Qwen2Config, seed = 1): TensorSource {
  const shapes = new Map<string, TensorInfo>();
  for (const item of qwen2Plan(config)) {
    const want = sourceShapes(item, config);
    item.sources.forEach((s, k) => shapes.set(s, { shape: want[k] as number[], dtype: 'F32' }));
  }
  let n = 0;
  return {
    files: [],
    info: (name) => shapes.get(name),
    async read(name) {
      const info = shapes.get(name);
      if (!info) throw new Error(`synthetic source has no tensor ${name}`);
      const size = info.shape.reduce((a, b) => a * b, 1);
      const rand = seededRandom(seed + n++);
      const out = new Float32Array(size);
      for (let i = 0; i < size; i++) out[i] = (rand() - 0.5) * 0.1;
      return out;
    },
  };
}
