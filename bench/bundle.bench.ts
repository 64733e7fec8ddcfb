/**
 * `npm run bench:bundle`: builds the app (Vite, production) into a temporary folder and prints the
 * raw and gzipped (level 9) size of every emitted chunk, then the first page's own JS: the entry
 * chunk plus everything it imports statically (what the browser must fetch before the page runs),
 * without ORT's .wasm, workers, lazy chunks or model files, against its target (< 250 KB gzipped),
 * and how many chunks hold WebLLM's library and what the service worker precaches
 * (bench/bundle-measure.ts; tests/web/bundle-size.test.ts fails when a target is missed).
 *
 *   npm run bench:bundle
 *   npm run bench:bundle -- --keep /tmp/dist     # keep the build for a look
 *   npm run bench:bundle -- --dist dist          # measure a build made with `npm run build -- --manifest`
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp, FIRST_PAGE_TARGET_KB, measureBundle } from './bundle-measure.ts';
import { benchArgs } from './bench-args.ts';

const { values } = benchArgs(import.meta.url, {
  keep: { type: 'string' },
  dist: { type: 'string' },
});
// --dist: an existing build (the tests share one: tests/helpers/app-build.ts); it needs Vite's
// manifest, which `vite build` writes with --manifest.
if (values.dist && !existsSync(path.join(values.dist, '.vite', 'manifest.json'))) {
  console.error(
    `--dist ${values.dist}: no .vite/manifest.json there; build it with \`npm run build -- --manifest\`.`,
  );
  process.exit(2);
}
const outDir = values.dist ?? values.keep ?? mkdtempSync(path.join(tmpdir(), 'tokenskip-bundle-'));

const buildS = values.dist ? undefined : await buildApp(outDir);
const report = measureBundle(outDir);

const kb = (n: number) => (n / 1024).toFixed(1);
console.log(
  buildS === undefined
    ? `bench:bundle — the build in ${outDir}\n`
    : `bench:bundle — vite build in ${buildS.toFixed(1)} s (machine shared with other jobs)\n`,
);
console.log(
  '  chunk                                                    raw KB     gzip KB   loaded',
);
for (const r of report.rows) {
  console.log(
    `  ${r.file.padEnd(54)} ${kb(r.raw).padStart(9)}   ${kb(r.gz).padStart(9)}   ${r.kind}${r.webllm ? ' (WebLLM)' : ''}`,
  );
}
const firstJs = report.rows.filter((r) => r.kind === 'first page');
const first = report.firstPageGz / 1024;
console.log(
  `\n  first page's own JS (${firstJs.length} chunk${firstJs.length === 1 ? '' : 's'}, no wasm / workers / lazy chunks / models): ${first.toFixed(1)} KB gzipped (${kb(report.firstPageRaw)} KB raw), target < ${FIRST_PAGE_TARGET_KB} KB, ratio ${(first / FIRST_PAGE_TARGET_KB).toFixed(2)} of the target: ${first < FIRST_PAGE_TARGET_KB ? 'met' : 'NOT met'}; its CSS ${kb(report.firstPageCssGz)} KB gzipped`,
);
const workers = report.rows.filter((r) => r.kind === 'worker');
console.log(
  `  workers: ${workers.map((w) => `${w.file.replace(/^assets\//, '')} ${kb(w.gz)} KB`).join(', ')}`,
);
const webllm = report.rows.filter((r) => r.webllm);
console.log(
  `  WebLLM's library: ${webllm.length} chunk${webllm.length === 1 ? '' : 's'} (${webllm.map((w) => `${w.file.replace(/^assets\//, '')} ${(w.raw / 1e6).toFixed(1)} MB`).join(', ')}), target 1: ${webllm.length === 1 ? 'met' : 'NOT met'}`,
);
const { precache } = report;
console.log(
  `  service worker precache: ${precache.entries} files, ${(precache.bytes / 1e6).toFixed(1)} MB (${(precache.bytes / 2 ** 20).toFixed(1)} MiB), ${precache.webllmChunks} of them WebLLM's library`,
);
if (!values.keep && !values.dist) rmSync(outDir, { recursive: true, force: true });
