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
  const parts = relative(SRC, file).split(sep);
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
