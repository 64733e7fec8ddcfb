/**
 * The offline precache list, computed by workbox-build itself (getManifest, the same glob and
 * revision code injectManifest runs at build time) from the options vite.config.ts gives it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getManifest } from 'workbox-build';
import { precacheGlobs } from '../../src/node/vite-pwa.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'precache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function put(file: string, content: string | Buffer = file) {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), content);
}

async function manifest() {
  const { manifestEntries, warnings } = await getManifest({ globDirectory: dir, ...precacheGlobs });
  expect(warnings).toEqual([]);
  return new Map((manifestEntries ?? []).map((e) => [e.url, e.revision]));
}

describe('offline precache (Workbox)', () => {
  it('lists the shell, assets, data, the web app manifest and shipped models; not docs or other models', async () => {
    for (const f of [
      'index.html',
      'manifest.webmanifest',
      'icon.svg',
      'assets/index-a1.js',
      'data/gsm8k/test.jsonl',
      'models/manifest.json',
      'models/fixtures/tiny/onnx/model.onnx',
      'models/mini/m/onnx/model.onnx_data',
      'models/fixtures/README.md',
      'models/TokenSkip-x-MLC/resolve/main/params_shard_0.bin',
      'assets/index-a1.js.map',
    ])
      put(f);
    // ORT's threaded WebAssembly is ~27 MB: above Workbox's 2 MiB default, it must still be listed.
    put('assets/ort-wasm-simd-threaded.asyncify-b2.wasm', Buffer.alloc(30 * 1024 * 1024));
    const entries = await manifest();
    expect([...entries.keys()].sort()).toEqual([
      'assets/index-a1.js',
      'assets/ort-wasm-simd-threaded.asyncify-b2.wasm',
      'data/gsm8k/test.jsonl',
      'icon.svg',
      'index.html',
      'manifest.webmanifest',
      'models/fixtures/tiny/onnx/model.onnx',
      'models/manifest.json',
      'models/mini/m/onnx/model.onnx_data',
    ]);
    // Hashed assets need no revision; the rest get a content hash that changes with the content.
    expect(entries.get('assets/index-a1.js')).toBeNull();
    const before = entries.get('models/manifest.json');
    expect(before).toMatch(/^[0-9a-f]{32}$/);
    put('models/manifest.json', '{"changed": true}');
    const after = await manifest();
    expect(after.get('models/manifest.json')).not.toBe(before);
    expect(after.get('index.html')).toBe(entries.get('index.html'));
  });
});
