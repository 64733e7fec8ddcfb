/**
 * `npm run bench:export`: MLC conversion throughput of our TypeScript converter on Qwen2.5-0.5B
 * shapes (synthetic weights, streamed tensor by tensor), q4f16_1 and q4f32_1 side by side.
 * Prints source MB/s (fp32 MB read per second) and the written size.
 *
 *   npm run bench:export                 # 4 of the 24 layers + the full embedding
 *   npm run bench:export -- --layers 24  # the whole model
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeShards } from '../src/node/export/mlc/convert.ts';
import { syntheticQwen2Source } from '../src/node/export/mlc/synthetic-source.ts';
import type { Quantization, Qwen2Config } from '../src/core/export/mlc/qwen2-params.ts';
import { benchArgs } from './bench-args.ts';

const { values } = benchArgs(import.meta.url, { layers: { type: 'string', default: '4' } });
const cfg: Qwen2Config = {
  hidden_size: 896,
  intermediate_size: 4864,
  num_hidden_layers: Number(values.layers),
  num_attention_heads: 14,
  num_key_value_heads: 2,
  vocab_size: 151936,
  tie_word_embeddings: true,
};

// Generating the synthetic weights costs time too; measure it alone so it can be subtracted.
const src = syntheticQwen2Source(cfg);
const t0 = performance.now();
let genBytes = 0;
for (const name of ['model.embed_tokens.weight', 'model.layers.0.mlp.gate_proj.weight'])
  genBytes += (await src.read(name)).byteLength;
const genMbps = genBytes / 2 ** 20 / ((performance.now() - t0) / 1000);

console.log(
  `MLC export bench: Qwen2.5-0.5B shapes, ${cfg.num_hidden_layers} layers + embedding (synthetic weights)`,
);
for (const q of ['q4f16_1', 'q4f32_1'] as Quantization[]) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-mlc-'));
  try {
    const r = await writeShards(syntheticQwen2Source(cfg), cfg, q, dir);
    const srcMb = r.sourceBytes / 2 ** 20;
    const convertOnly = srcMb / (r.seconds - srcMb / genMbps);
    console.log(
      `${q}: ${srcMb.toFixed(0)} MB fp32 -> ${(r.bytesWritten / 2 ** 20).toFixed(0)} MB in ${r.shards.length} shards, ` +
        `${r.seconds.toFixed(1)} s, ${(srcMb / r.seconds).toFixed(1)} MB/s end to end, ~${convertOnly.toFixed(1)} MB/s without weight generation`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`synthetic weight generation alone: ${genMbps.toFixed(1)} MB/s`);
