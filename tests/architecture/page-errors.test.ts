/**
 * Errors that can reach a page carry a detail (a message id of core/error-messages.ts and its
 * parameters), so the app renders them in the chosen language: a `new TokenSkipError(code, '…')`
 * with a plain English string in page-reachable code would show English under a 中文 headline.
 *
 * Page-reachable: src/core, src/runtime and src/web, less the Node-only folders (src/runtime/node,
 * src/runtime/hub/node) and NODE_ONLY below, which no module under src/web imports (checked here,
 * through every chain of imports). A message built from a variable is not flagged (toTokenSkipError
 * wraps a third party's own text, a worker's detail is passed on); a string or template literal is.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/** Page-reachable folders and, inside them, the Node-only folders. */
const PAGE_FOLDERS = ['core', 'runtime', 'web'];
const NODE_FOLDERS = ['runtime/node/', 'runtime/hub/node/'];

/** Modules inside the page folders that only the CLI uses (OpenAI-compatible endpoints). */
const NODE_ONLY = ['runtime/engines/openai/openai-engine.ts'];

const rel = (file: string) => relative(SRC, file).split(sep).join('/');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|mts|svelte)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function pageSources(): string[] {
  return PAGE_FOLDERS.flatMap((folder) => sources(join(SRC, folder)))
    .map(rel)
    .filter((file) => !NODE_FOLDERS.some((f) => file.startsWith(f)) && !NODE_ONLY.includes(file));
}

/** `new TokenSkipError(code, '…' | "…" | `…`` (also across lines): the message is a literal. */
const LITERAL_MESSAGE = /new\s+TokenSkipError\(\s*[^,()]+,\s*['"`]/g;

/** `file:line` of every TokenSkipError built from a string or template literal in `text`. */
export function literalMessages(file: string, text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(LITERAL_MESSAGE)) {
    found.push(`${file}:${text.slice(0, m.index).split('\n').length}`);
  }
  return found;
}

/** Relative imports of a module (static, re-exports, dynamic; type-only ones too). */
function importsOf(text: string): string[] {
  const specs: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.[^'"\n]+)\1/g;
  for (let m = re.exec(text); m; m = re.exec(text)) specs.push(m[2]!);
  return specs;
}

/** Every module of src/ reachable by imports from the modules under src/web. */
function reachableFromWeb(): Set<string> {
  const seen = new Set<string>();
  const queue = sources(join(SRC, 'web')).map(rel);
  while (queue.length > 0) {
    const module = queue.pop()!;
    if (seen.has(module)) continue;
    seen.add(module);
    let text: string;
    try {
      text = readFileSync(join(SRC, module), 'utf8');
    } catch {
      continue; // a generated or virtual module
    }
    for (const spec of importsOf(text)) {
      const target = resolve(dirname(join(SRC, module)), spec);
      if (target.startsWith(SRC + sep)) queue.push(rel(target));
    }
  }
  return seen;
}

describe('errors that can reach a page', () => {
  it('carry a message id, never a plain English string', () => {
    const found = pageSources().flatMap((file) =>
      literalMessages(file, readFileSync(join(SRC, file), 'utf8')),
    );
    expect(found).toEqual([]);
  });

  it('the Node-only modules left out of the scan are not imported by any page', () => {
    const reached = reachableFromWeb();
    expect(reached.size).toBeGreaterThan(50);
    expect(NODE_ONLY.filter((m) => reached.has(m))).toEqual([]);
  });

  it('the scan sees every form of a literal message, and only those', () => {
    const text = [
      "throw new TokenSkipError('INVALID_ARGUMENT', 'plain');",
      'throw new TokenSkipError(',
      "  'MODEL_OUTPUT_INVALID',",
      '  `${model} returned ${n} logits`,',
      ');',
      'return new TokenSkipError(code, "double", { cause: error });',
      "throw new TokenSkipError('INVALID_ARGUMENT', { id: 'benchModelEmpty' });",
      'return new TokenSkipError(fallback, message, { cause: error });',
      "this.#stop(new TokenSkipError('BACKEND_UNAVAILABLE', detail));",
    ].join('\n');
    expect(literalMessages('x.ts', text)).toEqual(['x.ts:1', 'x.ts:2', 'x.ts:6']);
  });
});
