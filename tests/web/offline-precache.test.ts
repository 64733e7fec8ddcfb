/** The offline precache list: the app shell, datasets and shipped models, nothing else. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { precacheList, serviceWorkerSource } from '../../src/node/vite-offline.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'precache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function put(file: string, text = file) {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
}

describe('offline precache', () => {
  it('lists the shell, assets, data, the manifest and shipped models; not docs or other models', () => {
    for (const f of [
      'index.html',
      'sw.js',
      'assets/index-a1.js',
      'assets/ort-wasm-simd-threaded.jsep-b2.wasm',
      'data/gsm8k/test.jsonl',
      'models/manifest.json',
      'models/fixtures/tiny/onnx/model.onnx',
      'models/mini/m/onnx/model.onnx_data',
      'models/fixtures/README.md',
      'models/TokenSkip-x-MLC/resolve/main/params_shard_0.bin',
    ])
      put(f);
    const { files, version } = precacheList(dir);
    expect(files).toEqual([
      'assets/index-a1.js',
      'assets/ort-wasm-simd-threaded.jsep-b2.wasm',
      'data/gsm8k/test.jsonl',
      'index.html',
      'models/fixtures/tiny/onnx/model.onnx',
      'models/manifest.json',
      'models/mini/m/onnx/model.onnx_data',
    ]);
    put('assets/index-a1.js', 'changed');
    expect(precacheList(dir).version).not.toBe(version);
    const sw = serviceWorkerSource(files, version);
    expect(sw).toContain(`tokenskip-app-${version}`);
    expect(sw).toContain('"/models/mini/m/onnx/model.onnx_data"');
  });
});
