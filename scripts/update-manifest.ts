/**
 * Refreshes `files` (size + sha256) of every registry model that lives inside this repo (the
 * shipped mini models and the fixtures: `source.type === 'path'` in models/manifest.json). Run
 * after `npm run fixtures` or `tokenskip mini`:  npx tsx scripts/update-manifest.ts
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import type { ModelManifest } from '../src/core/models/registry.ts';

const root = path.resolve(import.meta.dirname, '..');
const manifestPath = path.join(root, 'models/manifest.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ModelManifest;

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return walk(full, base);
    return name.endsWith('.md') ? [] : [path.relative(base, full).split(path.sep).join('/')];
  });
}

for (const entry of manifest.models) {
  if (entry.source.type !== 'path') continue;
  const folder = path.join(root, entry.source.path);
  entry.files = walk(folder)
    .sort()
    .map((file) => {
      const data = readFileSync(path.join(folder, file));
      return {
        path: file,
        size: data.byteLength,
        sha256: createHash('sha256').update(data).digest('hex'),
      };
    });
}
// Written as `npm run lint` checks it (Prettier keeps short arrays on one line; JSON.stringify does not).
const options = { ...(await resolveConfig(manifestPath)), filepath: manifestPath };
writeFileSync(manifestPath, await format(JSON.stringify(manifest, null, 2), options));
console.log(`updated ${manifestPath}`);
