/**
 * A warning on stderr whenever a test fixture (models/fixtures/...) runs as a model: the fixtures
 * are tiny random networks that make the app and the tests work offline, not real scorers or
 * language models, and their output means nothing.
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isFixture, MODELS } from '../core/models/registry.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = resolve(root, 'models', 'fixtures');

/** True when `spec` (a registry id or a folder) is one of the shipped test fixtures. */
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
  const entry = MODELS.find((m) => m.id === spec);
  return entry !== undefined && isFixture(entry);
}

/** Writes the fixture warning for `flag` (what named the model) when `spec` is a fixture. */
export function warnIfFixture(stderr: NodeJS.WritableStream, flag: string, spec: string): void {
  if (!isFixtureModel(spec)) return;
  stderr.write(
    `tokenskip: warning: ${flag} '${spec}' is a test fixture (models/fixtures/), a tiny random model for offline tests; its results mean nothing. Pass a real model for real work.\n`,
  );
}
