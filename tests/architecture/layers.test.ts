/**
 * The layers: core <- runtime <- node / web. Every import in src/ is resolved and checked against
 * what its layer may use, so a core module importing an engine, a Node builtin or a page fails here
 * whatever its relative depth (the lint rule and tsconfig.core.json guard the same line).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

type Layer = 'core' | 'runtime' | 'runtime/web' | 'runtime/node' | 'web' | 'node';

function layerOf(file: string): Layer {
  let parts = relative(SRC, file).split(sep);
  // runtime/hub/node and runtime/hub/web belong to the Node and browser runtime layers.
  if (parts[0] === 'runtime' && parts[1] === 'hub') parts = ['runtime', ...parts.slice(2)];
  if (parts[0] === 'runtime' && (parts[1] === 'web' || parts[1] === 'node')) {
    return `runtime/${parts[1]}`;
  }
  return parts[0] as Layer;
}

/** Which layers each layer may import from. */
const ALLOWED: Record<Layer, Layer[]> = {
  core: ['core'],
  runtime: ['core', 'runtime'],
  'runtime/web': ['core', 'runtime', 'runtime/web'],
  'runtime/node': ['core', 'runtime', 'runtime/node'],
  web: ['core', 'runtime', 'runtime/web', 'web'],
  node: ['core', 'runtime', 'runtime/node', 'node'],
};

/** Packages a layer must not reach for (bare specifiers). */
const FORBIDDEN_PACKAGES: Partial<Record<Layer, RegExp>> = {
  core: /^(node:|svelte|onnxruntime-|@mlc-ai\/|comlink|chart\.js|i18next)/,
  runtime: /^(node:|svelte|chart\.js|i18next)/,
  'runtime/web': /^(node:|svelte)/,
  web: /^(node:|onnxruntime-node)/,
  node: /^(svelte|chart\.js|onnxruntime-web)/,
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|mts|mjs|svelte)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Static and dynamic import specifiers (type-only imports count: they still couple the layers). */
export function importsOf(text: string): string[] {
  const specs: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\n]+)\1/g;
  for (let m = re.exec(text); m; m = re.exec(text)) specs.push(m[2]!);
  return specs;
}

function violations(): string[] {
  const found: string[] = [];
  for (const file of sources(SRC)) {
    const layer = layerOf(file);
    const rel = relative(SRC, file);
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(SRC + sep)) continue; // models/, data/ and the like
        const to = layerOf(target);
        if (!ALLOWED[layer].includes(to)) found.push(`${rel} (${layer}) imports ${spec} (${to})`);
      } else if (FORBIDDEN_PACKAGES[layer]?.test(spec)) {
        found.push(`${rel} (${layer}) imports package ${spec}`);
      }
    }
  }
  return found;
}

/**
 * Where a source talks to the network or the browser's caches: `fetch(`, `caches.` (also `caches?.`
 * and `caches` ending a line, `globalThis.caches\n  ?.open(…)`), `new Request(`
 * (comments and strings aside, roughly: a line that starts with `*` or `//` is skipped).
 */
const NETWORK = /(?<!\w)(fetch\s*\(|caches(\??\.|\s*$)|new\s+Request\s*\(|XMLHttpRequest)/;

/**
 * Files outside src/runtime/hub that may still fetch: the app's own static assets (the dataset
 * samples and the mini model's table, from the app's origin), the service worker's precache and
 * an OpenAI-compatible endpoint (a generation engine, not a model file). WebLLM's own caches are
 * reached through the hub's file store (hub/cache-store.ts) like the app's.
 */
const NETWORK_ALLOWED = new Set([
  'runtime/engines/openai/openai-engine.ts',
  'web/lib/mini-table.ts',
  'web/lib/examples-loader.ts',
  'web/sw.ts',
]);

export function networkUsers(): string[] {
  return sources(SRC)
    .map((file) => relative(SRC, file).split(sep).join('/'))
    .filter((rel) => !rel.startsWith('runtime/hub/') && !NETWORK_ALLOWED.has(rel))
    .filter((rel) =>
      readFileSync(join(SRC, rel), 'utf8')
        .split('\n')
        .some((line) => !/^\s*(\*|\/\/)/.test(line) && NETWORK.test(line)),
    );
}

describe('the hub', () => {
  it('only src/runtime/hub talks to the network or the caches for model files', () => {
    expect(networkUsers()).toEqual([]);
  });

  it('the scan sees fetch, the Cache API and Request', () => {
    expect(NETWORK.test('const r = await fetch(url);')).toBe(true);
    expect(NETWORK.test('await caches.open(name)')).toBe(true);
    expect(NETWORK.test('globalThis.fetch(url)')).toBe(true);
    expect(NETWORK.test('const hit = await globalThis.caches')).toBe(true);
    expect(NETWORK.test('globalThis.caches?.open(name)')).toBe(true);
    expect(NETWORK.test('its files itself (its own caches).')).toBe(false);
    expect(NETWORK.test('const x = prefetch(url)')).toBe(false);
  });
});

/**
 * One-way seams inside a layer: [from, to] means files under src/<from> must not import src/<to>.
 * core/scoring (the scorer contract, selection at γ, CTS) builds on core/compression (LLMLingua-2,
 * tokenizers, text words); compression knows nothing of scoring.
 */
const ONE_WAY: [string, string][] = [['core/compression', 'core/scoring']];

export function seamViolations(): string[] {
  const found: string[] = [];
  for (const file of sources(SRC)) {
    const rel = relative(SRC, file).split(sep).join('/');
    for (const [from, to] of ONE_WAY) {
      if (!rel.startsWith(`${from}/`)) continue;
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = relative(SRC, resolve(dirname(file), spec))
          .split(sep)
          .join('/');
        if (target.startsWith(`${to}/`)) found.push(`${rel} imports ${spec} (${to})`);
      }
    }
  }
  return found;
}

describe('seams', () => {
  it('core/compression never imports core/scoring (scoring builds on compression)', () => {
    expect(seamViolations()).toEqual([]);
  });
});

describe('layers', () => {
  it('every import in src/ stays within what its layer may use', () => {
    expect(violations()).toEqual([]);
  });

  it('the import scan sees every form of import', () => {
    const text = [
      "import a from '../runtime/x.ts';",
      "import type { B } from '../../node/y.ts';",
      "export { c } from './z.ts';",
      "const d = await import('node:fs');",
      "import './side-effect.ts';",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      '../runtime/x.ts',
      '../../node/y.ts',
      './z.ts',
      'node:fs',
      './side-effect.ts',
    ]);
  });
});
