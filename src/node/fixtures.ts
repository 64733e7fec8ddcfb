/**
 * A warning on stderr whenever a test fixture (models/fixtures/...) runs as a model: the fixtures
 * are tiny random networks that make the app and the tests work offline, not real scorers or
 * language models, and their output means nothing.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = resolve(root, 'models', 'fixtures');

/** True when `spec` (a manifest id or a folder) is one of the shipped test fixtures. */
export function isFixtureModel(spec: string): boolean {
  if (existsSync(spec)) {
    let real = resolve(spec);
    try {
      real = realpathSync(spec);
    } catch {
      // keep the resolved path
    }
    return (
      real === fixtures ||
      real.startsWith(fixtures + sep) ||
      /(^|[/\\])models[/\\]fixtures[/\\]/.test(real)
    );
  }
  try {
    const manifest = JSON.parse(readFileSync(resolve(root, 'models', 'manifest.json'), 'utf8')) as {
      scorers?: { id: string; source: { type: string; path?: string } }[];
    };
    const entry = manifest.scorers?.find((s) => s.id === spec);
    return (
      entry?.source.type === 'path' && (entry.source.path ?? '').startsWith('models/fixtures/')
    );
  } catch {
    return false;
  }
}

/** Writes the fixture warning for `flag` (what named the model) when `spec` is a fixture. */
export function warnIfFixture(stderr: NodeJS.WritableStream, flag: string, spec: string): void {
  if (!isFixtureModel(spec)) return;
  stderr.write(
    `tokenskip: warning: ${flag} '${spec}' is a test fixture (models/fixtures/), a tiny random model for offline tests; its results mean nothing. Pass a real model for real work.\n`,
  );
}
