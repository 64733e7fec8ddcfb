/**
 * `npm run bench:train`: LoRA training throughput (tokens/s) and peak memory, through the same
 * Python trainer `tokenskip train` runs. On a CUDA machine it uses Qwen2.5-0.5B shapes with random
 * weights; on CPU a small model (CPU numbers are for regression tracking, not for planning runs).
 *
 *   npm run bench:train
 *   npm run bench:train -- --preset qwen2.5-0.5b --steps 20 --seq-len 512 --micro-batch 8
 */
import { findPython, runTrainerModule, type TrainerEvent } from '../src/node/pipeline/python.ts';
import { benchArgs } from './bench-args.ts';

const { values } = benchArgs(import.meta.url, {
  preset: { type: 'string' },
  steps: { type: 'string' },
  'seq-len': { type: 'string' },
  'micro-batch': { type: 'string', default: '1' },
});
const py = await findPython();
const gpu = py.cuda;
const args = [
  ...((values.preset ?? gpu)
    ? ['--preset', values.preset ?? 'qwen2.5-0.5b']
    : ['--hidden', '64', '--layers', '2']),
  '--steps',
  values.steps ?? (gpu ? '20' : '4'),
  '--seq-len',
  values['seq-len'] ?? (gpu ? '512' : '128'),
  '--micro-batch',
  values['micro-batch'] ?? '1',
];
console.log(
  `training bench: ${py.executable} (torch ${py.torch}, ${gpu ? 'CUDA' : 'CPU'}) -m tokenskip_trainer.bench_train ${args.join(' ')}`,
);
let result: TrainerEvent | undefined;
const r = await runTrainerModule(py, 'bench_train', args, {
  stderr: process.stderr,
  onEvent: (e) => {
    if (e.event === 'bench') result = e;
  },
});
if (r.code !== 0 || !result) {
  console.error(`bench failed: ${r.lastError ?? r.code}`);
  process.exit(1);
}
console.log(
  `${String(result.device)} ${String(result.precision)}: ${String(result.layers)} layers x hidden ${String(result.hidden)}, ` +
    `seq ${String(result.seq_len)}, micro-batch ${String(result.micro_batch)} x accum -> batch ${String(result.batch)}`,
);
console.log(`tokens/s (median): ${String(result.tokens_per_s_median)}`);
console.log(
  `peak memory: ${String(result.peak_mem_mb)} MB (${gpu ? 'CUDA max allocated' : 'CPU max RSS'})`,
);
