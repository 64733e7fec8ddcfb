/**
 * `npm run bench:memory`: peak memory of `tokenskip compress` on a 100 MB and a 1 GB JSONL input,
 * side by side with their ratio. The input is streamed (src/node/line-reader.ts), so the peak
 * should not grow with the file: a ratio near 1 means bounded; a whole-file reader would need
 * ~10x more for the 1 GB file (and dies with ERR_STRING_TOO_LONG past 512 MiB).
 *
 * Each input is generated in a temp folder (deleted afterwards) from GSM8K records padded to
 * ~2 KB, and compressed with the default scorer and `--limit 2`: the checking pass still streams
 * (and hashes) every byte of the file, while the model runs on two records only, so the run takes
 * seconds of I/O instead of hours of scoring. BENCH_SIZES_MB=100,1000 overrides the sizes.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchArgs } from './bench-args.ts';

// No flags (environment variables only): --help prints the comment above.
benchArgs(import.meta.url, {});

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(root, 'bin/tokenskip.mjs');
const preload = pathToFileURL(path.join(root, 'bench/peak-rss.mjs')).href;
const sizesMb = (process.env.BENCH_SIZES_MB ?? '100,1000').split(',').map(Number);

const seed = readFileSync(path.join(root, 'data/gsm8k/train.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Writes ~`mb` MB of JSONL records to `file`; returns the record count. */
async function generate(file: string, mb: number): Promise<number> {
  const out = createWriteStream(file);
  const target = mb * 1_000_000;
  let bytes = 0;
  let n = 0;
  while (bytes < target) {
    const lines: string[] = [];
    for (let k = 0; k < 2000 && bytes < target; k++, n++) {
      const r = seed[n % seed.length]!;
      const cot = String(r.cot ?? r.answer ?? '');
      const line = `${JSON.stringify({ ...r, id: n, cot: `${cot} ${cot} ${cot}`.slice(0, 2000) })}\n`;
      lines.push(line);
      bytes += Buffer.byteLength(line);
    }
    if (!out.write(lines.join(''))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return n;
}

interface Run {
  mb: number;
  records: number;
  seconds: number;
  peakMiB: number;
}

async function measure(dir: string, mb: number): Promise<Run> {
  const input = path.join(dir, `in-${mb}.jsonl`);
  const records = await generate(input, mb);
  const rssFile = path.join(dir, `rss-${mb}`);
  const start = performance.now();
  const r = spawnSync(
    process.execPath,
    [bin, 'compress', '--in', input, '--out', path.join(dir, `out-${mb}.jsonl`), '--limit', '2'],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${preload}`,
        PEAK_RSS_FILE: rssFile,
      },
    },
  );
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`compress failed on ${mb} MB:\n${r.stderr}`);
  rmSync(input);
  const written = readFileSync(path.join(dir, `out-${mb}.jsonl`), 'utf8').split('\n').length - 1;
  if (written !== 2) throw new Error(`expected 2 output records on ${mb} MB, got ${written}`);
  return {
    mb,
    records,
    seconds,
    peakMiB: Number(readFileSync(rssFile, 'utf8')) / 1024,
  };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-memory-bench-'));
try {
  const runs: Run[] = [];
  for (const mb of sizesMb) {
    const run = await measure(dir, mb);
    runs.push(run);
    console.log(
      `${String(run.mb).padStart(5)} MB input, ${run.records.toLocaleString('en')} records: ` +
        `peak RSS ${run.peakMiB.toFixed(0)} MiB, ${run.seconds.toFixed(1)} s ` +
        `(${(run.mb / run.seconds).toFixed(0)} MB/s including model load)`,
    );
  }
  const [small, large] = [runs[0]!, runs.at(-1)!];
  console.log(
    `\npeak RSS ${large.mb} MB vs ${small.mb} MB input: ${large.peakMiB.toFixed(0)} / ` +
      `${small.peakMiB.toFixed(0)} MiB = ${(large.peakMiB / small.peakMiB).toFixed(2)}x ` +
      `for ${(large.mb / small.mb).toFixed(0)}x the data (bounded: near 1x)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
