/**
 * `npm run bench:bundle`: builds the app (Vite, production) into a temporary folder and prints the
 * raw and gzipped (level 9) size of every emitted chunk, then the first page's own JS: the entry
 * chunk plus everything it imports statically (what the browser must fetch before the page runs),
 * without ORT's .wasm, workers, lazy chunks or model files. Target: < 250 KB gzipped.
 *
 *   npm run bench:bundle
 *   npm run bench:bundle -- --keep /tmp/dist     # keep the build for a look
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const TARGET_KB = 250;
const { values } = parseArgs({ options: { keep: { type: 'string' } } });
const outDir = values.keep ?? mkdtempSync(path.join(tmpdir(), 'tokenskip-bundle-'));

const started = performance.now();
await build({
  configFile: path.resolve('vite.config.ts'),
  logLevel: 'error',
  build: { outDir, emptyOutDir: true, manifest: true, copyPublicDir: false },
  // The repo's models/ and data/ are copied by a plugin; they are not code and not counted.
});
const buildS = (performance.now() - started) / 1000;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}
const manifest = JSON.parse(
  readFileSync(path.join(outDir, '.vite', 'manifest.json'), 'utf8'),
) as Record<string, ManifestChunk>;

const kb = (n: number) => (n / 1024).toFixed(1);
const sizeOf = (file: string) => {
  const data = readFileSync(path.join(outDir, file));
  return { raw: data.byteLength, gz: gzipSync(data, { level: 9 }).byteLength };
};

// The first page: the HTML entry and its static imports, transitively.
const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry && k.endsWith('.html'));
const firstPage = new Set<string>();
const firstCss = new Set<string>();
const visit = (key: string) => {
  const chunk = manifest[key];
  if (!chunk || firstPage.has(chunk.file)) return;
  firstPage.add(chunk.file);
  for (const c of chunk.css ?? []) firstCss.add(c);
  for (const i of chunk.imports ?? []) visit(i);
};
if (entryKey) visit(entryKey);

const files = readdirSync(path.join(outDir, 'assets'))
  .map((f) => `assets/${f}`)
  .filter((f) => statSync(path.join(outDir, f)).isFile());
const rows = files
  .map((file) => {
    const { raw, gz } = sizeOf(file);
    const kind = file.endsWith('.wasm')
      ? 'ORT wasm'
      : firstPage.has(file)
        ? 'first page'
        : firstCss.has(file)
          ? 'first page (css)'
          : /\.worker-/.test(file)
            ? 'worker'
            : file.endsWith('.css')
              ? 'css'
              : 'lazy';
    return { file, raw, gz, kind };
  })
  .sort((a, b) => b.gz - a.gz);

console.log(
  `bench:bundle — vite build in ${buildS.toFixed(1)} s (machine shared with other jobs)\n`,
);
console.log(
  '  chunk                                                    raw KB     gzip KB   loaded',
);
for (const r of rows) {
  console.log(
    `  ${r.file.padEnd(54)} ${kb(r.raw).padStart(9)}   ${kb(r.gz).padStart(9)}   ${r.kind}`,
  );
}
const firstJs = rows.filter((r) => r.kind === 'first page');
const total = firstJs.reduce((a, r) => a + r.gz, 0);
const totalRaw = firstJs.reduce((a, r) => a + r.raw, 0);
const css = rows.filter((r) => r.kind === 'first page (css)').reduce((a, r) => a + r.gz, 0);
console.log(
  `\n  first page's own JS (${firstJs.length} chunk${firstJs.length === 1 ? '' : 's'}, no wasm / workers / lazy chunks / models): ${kb(total)} KB gzipped (${kb(totalRaw)} KB raw), target < ${TARGET_KB} KB: ${total / 1024 < TARGET_KB ? 'met' : 'NOT met'}; its CSS ${kb(css)} KB gzipped`,
);
const workers = rows.filter((r) => r.kind === 'worker');
console.log(
  `  workers: ${workers.map((w) => `${w.file.replace(/^assets\//, '')} ${kb(w.gz)} KB`).join(', ')}`,
);
if (!values.keep) rmSync(outDir, { recursive: true, force: true });
