/**
 * A model id's walk, checked on the import graph (issue 22): the loaders reach the hub through one
 * entry module per platform (Node: runtime/hub/node/model-files.ts; browser:
 * runtime/hub/web/model-source.ts), and no chain of value imports that starts at a loader enters
 * a folder of src/ it has left (the folder graph they span has no cycle), so the walk is top-down:
 * caller -> runtime loader -> core/models (look-ups) | runtime/hub (plan, fetch, check) |
 * runtime/scorers or runtime/engines (sessions).
 *
 * Type-only imports are left out: they compile away and call nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/** The runtime loaders a model id passes through (CLI scorers, browser workers' loaders). */
const LOADERS = [
  'runtime/node/scorer-node.ts',
  'runtime/node/causal-scorer-node.ts',
  'runtime/web/scorer-web.ts',
  'runtime/web/causal-scorer-web.ts',
  'runtime/web/generation-engines.ts',
];

/** The one module per platform through which loaders reach the hub. */
const HUB_ENTRIES = new Set(['runtime/hub/node/model-files.ts', 'runtime/hub/web/model-source.ts']);

const rel = (file: string) => relative(SRC, file).split(sep).join('/');
const folderOf = (module: string) => module.slice(0, module.lastIndexOf('/'));

/** Relative imports of a module that bring values (not `import type`, not `export type`). */
export function valueImports(text: string): string[] {
  const specs: string[] = [];
  const re =
    /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*(['"])(\.[^'"\n]+)\4|import\s*\(\s*(['"])(\.[^'"\n]+)\6/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[7]) {
      specs.push(m[7]);
      continue;
    }
    if (m[2]) continue; // import type / export type
    // `import { type A, type B } from` brings no value either.
    const names = /^\{([^}]*)\}$/.exec(m[3]!.trim());
    if (names && names[1]!.split(',').every((n) => !n.trim() || /^type\s/.test(n.trim()))) continue;
    specs.push(m[5]!);
  }
  return specs;
}

function importsOf(module: string): string[] {
  const text = readFileSync(resolve(SRC, module), 'utf8');
  return valueImports(text)
    .map((spec) => resolve(dirname(resolve(SRC, module)), spec))
    .filter((target) => target.startsWith(SRC + sep) && /\.(ts|mts|mjs)$/.test(target))
    .map(rel);
}

/** Every module reachable from `start` by value imports, and the folder edges they make. */
function walk(start: string): { modules: Set<string>; edges: Map<string, Set<string>> } {
  const modules = new Set<string>();
  const edges = new Map<string, Set<string>>();
  const todo = [start];
  while (todo.length > 0) {
    const module = todo.pop()!;
    if (modules.has(module)) continue;
    modules.add(module);
    for (const target of importsOf(module)) {
      const [from, to] = [folderOf(module), folderOf(target)];
      if (from !== to) {
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)!.add(to);
      }
      todo.push(target);
    }
  }
  return { modules, edges };
}

/** A folder cycle (a chain that re-enters a folder it left), or undefined. */
export function folderCycle(edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (folder: string): string[] | undefined => {
    if (state.get(folder) === 'done') return undefined;
    if (state.get(folder) === 'open') return [...stack.slice(stack.indexOf(folder)), folder];
    state.set(folder, 'open');
    stack.push(folder);
    for (const next of edges.get(folder) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(folder, 'done');
    return undefined;
  };
  for (const folder of edges.keys()) {
    const cycle = visit(folder);
    if (cycle) return cycle;
  }
  return undefined;
}

describe("a model id's walk", () => {
  it.each(LOADERS)('%s reaches runtime/hub only through its entry module', (loader) => {
    const hubImports = importsOf(loader).filter((m) => m.startsWith('runtime/hub/'));
    expect(hubImports.length).toBeGreaterThan(0);
    expect(hubImports.filter((m) => !HUB_ENTRIES.has(m))).toEqual([]);
  });

  it.each(LOADERS)('no import chain from %s re-enters a folder it left', (loader) => {
    const { edges } = walk(loader);
    expect(folderCycle(edges)).toBeUndefined();
  });

  it('the walk of the Node scorer is caller -> loader -> registry | hub | scorers', () => {
    const { edges } = walk('runtime/node/scorer-node.ts');
    expect([...edges.get('runtime/node')!].sort()).toEqual([
      'core/models',
      'runtime/hub/node',
      'runtime/scorers',
    ]);
    // The hub never reaches back up into a loader or a session builder.
    const hubReach = [
      ...(edges.get('runtime/hub/node') ?? []),
      ...(edges.get('runtime/hub') ?? []),
    ];
    expect(hubReach.filter((f) => /^runtime\/(node|web|scorers|engines)/.test(f))).toEqual([]);
  });

  it.each(['runtime/node/scorer-node.ts', 'runtime/node/causal-scorer-node.ts'])(
    '%s calls into the hub once per load (openModelSpec), its registry look-up passed in',
    (loader) => {
      const code = readFileSync(resolve(SRC, loader), 'utf8');
      // Before: nodeHub() for the registry, a core/models look-up, then openModel: two entries.
      expect(code.match(/\bopenModelSpec\(/g)).toHaveLength(1);
      expect(code).not.toMatch(/\b(nodeHub|openModel)\(/);
    },
  );

  it("the app finds a model's files only through the browser loaders' plan", () => {
    // Revisions, hub URLs and the listing's expectations are worked out in runtime/hub and reached
    // through planCachedModel (hub/web/model-source.ts): the Models page and the CTS reference
    // models called these functions themselves before, a second way to a model's files.
    const lowLevel = /\b(resolveRevision|fileUrl|modelFolderUrl|expectedFile|planModel)\b/;
    const web = readdirSync(resolve(SRC, 'web'), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && /\.(ts|svelte)$/.test(d.name))
      .map((d) => resolve(d.parentPath, d.name));
    expect(web.length).toBeGreaterThan(20);
    const offenders = web.filter((file) => lowLevel.test(readFileSync(file, 'utf8'))).map(rel);
    expect(offenders).toEqual([]);
  });

  it('the checks see what they must', () => {
    expect(
      valueImports(
        [
          "import { a, type B } from './a.ts';",
          "import type { C } from './c.ts';",
          "import { type D } from './d.ts';",
          "export { e } from './e.ts';",
          "export type { F } from './f.ts';",
          "const g = await import('./g.ts');",
        ].join('\n'),
      ),
    ).toEqual(['./a.ts', './e.ts', './g.ts']);
    const edges = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ]);
    expect(folderCycle(edges)).toEqual(['a', 'b', 'c', 'a']);
    edges.get('c')!.clear();
    expect(folderCycle(edges)).toBeUndefined();
  });
});
