/**
 * What `npm run bench:bundle` and tests/web/bundle-size.test.ts measure in a production build:
 * the raw and gzipped (level 9) size of every emitted chunk, the first page's own JS (the HTML
 * entry chunk plus everything it imports statically: what the browser must fetch before the page
 * runs, without ORT's .wasm, workers, lazy chunks or model files), how many chunks hold WebLLM's
 * library, and what the service worker precaches.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

/** The first page's JS budget, gzipped (issue #21). */
export const FIRST_PAGE_TARGET_KB = 250;

export type ChunkKind = 'ORT wasm' | 'first page' | 'first page (css)' | 'worker' | 'css' | 'lazy';

export interface ChunkRow {
  file: string;
  raw: number;
  gz: number;
  kind: ChunkKind;
  /** The chunk holds WebLLM's library (its MLCEngine source). */
  webllm: boolean;
}

export interface BundleReport {
  rows: ChunkRow[];
  /** Gzipped and raw bytes of the first page's JS. */
  firstPageGz: number;
  firstPageRaw: number;
  firstPageCssGz: number;
  /** Files and bytes the service worker precaches (its injected manifest). */
  precache: { entries: number; bytes: number; webllmChunks: number };
}

/**
 * A production build of the app (the repo's vite.config.ts) with Vite's manifest, into outDir;
 * `publicDir` also copies public/ (the web app manifest and icon), as `vite build` does.
 */
export async function buildApp(outDir: string, { publicDir = false } = {}): Promise<number> {
  const started = performance.now();
  await build({
    configFile: path.resolve('vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true, manifest: true, copyPublicDir: publicDir },
    // The repo's models/ and data/ are copied by a plugin; they are not code and not counted.
  });
  return (performance.now() - started) / 1000;
}

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}

// A string only WebLLM's engine source holds (@mlc-ai/web-llm 0.2.86, lib/index.js: the error
// thrown when an API is called before `reload`).
const WEBLLM_SIGNATURE = 'or initialize your engine using CreateMLCEngine()';

export function measureBundle(outDir: string): BundleReport {
  const manifest = JSON.parse(
    readFileSync(path.join(outDir, '.vite', 'manifest.json'), 'utf8'),
  ) as Record<string, ManifestChunk>;

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
  // Classic scripts index.html loads itself (src/web/prepaint.ts, emitted by
  // src/node/vite-prerender.ts): first-page JS too, though not in Vite's chunk graph.
  const html = readFileSync(path.join(outDir, 'index.html'), 'utf8');
  for (const m of html.matchAll(/<script src="[^"]*?(assets\/[^"]+\.js)"/g)) firstPage.add(m[1]!);

  const rows = readdirSync(path.join(outDir, 'assets'))
    .map((f) => `assets/${f}`)
    .filter((f) => statSync(path.join(outDir, f)).isFile())
    .map((file): ChunkRow => {
      const data = readFileSync(path.join(outDir, file));
      const kind: ChunkKind = file.endsWith('.wasm')
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
      const webllm = file.endsWith('.js') && data.includes(WEBLLM_SIGNATURE);
      return {
        file,
        raw: data.byteLength,
        gz: gzipSync(data, { level: 9 }).byteLength,
        kind,
        webllm,
      };
    })
    .sort((a, b) => b.gz - a.gz);

  const sum = (kind: ChunkKind, key: 'raw' | 'gz') =>
    rows.filter((r) => r.kind === kind).reduce((a, r) => a + r[key], 0);

  // The precache list Workbox injected into sw.js: `{"revision":…,"url":"…"}` entries.
  const swPath = path.join(outDir, 'sw.js');
  const urls = existsSync(swPath)
    ? [...readFileSync(swPath, 'utf8').matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]!)
    : [];
  const webllmFiles = new Set(rows.filter((r) => r.webllm).map((r) => r.file));
  const precache = {
    entries: urls.length,
    bytes: urls.reduce((a, u) => {
      const file = path.join(outDir, u);
      return a + (existsSync(file) ? statSync(file).size : 0);
    }, 0),
    webllmChunks: urls.filter((u) => webllmFiles.has(u)).length,
  };

  return {
    rows,
    firstPageGz: sum('first page', 'gz'),
    firstPageRaw: sum('first page', 'raw'),
    firstPageCssGz: sum('first page (css)', 'gz'),
    precache,
  };
}
