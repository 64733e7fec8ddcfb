/**
 * Hub downloads through a real HTTP server on loopback: files are verified against the manifest
 * before they enter the cache, a corrupt download leaves nothing behind, and a cache file that went
 * bad is dropped and fetched again.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubReader, readManifest } from '../../src/runtime/node/model-files.ts';
import type { ScorerManifestEntry } from '../../src/runtime/model-manifest.ts';
import { fixtureDir } from '../helpers/fixtures.ts';

const fixture = readManifest().scorers.find((m) => m.id === 'tiny-lingua-xlmr')!;
// The fixture, published as if it were a hub repo.
const entry: ScorerManifestEntry = {
  ...fixture,
  id: 'hub-xlmr',
  source: { type: 'hub', repo: 'acme/tiny-xlmr', revision: 'abc123' },
};

let server: Server;
let host = '';
let corrupt = false;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const match = /^\/acme\/tiny-xlmr\/resolve\/abc123\/(.+)$/.exec(req.url ?? '');
    const file = match && path.join(fixtureDir('tiny-lingua-xlmr'), match[1]!);
    if (!file || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    const data = readFileSync(file);
    res.writeHead(200).end(corrupt ? data.subarray(0, data.length - 7) : data);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  host = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => server.close());

describe('hub model cache', () => {
  const cache = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-cache-'));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));
  const cached = path.join(cache, 'acme/tiny-xlmr/abc123/tokenizer.json');

  it('rejects a truncated download and caches nothing', async () => {
    corrupt = true;
    const read = createHubReader(entry, host, cache);
    await expect(read('tokenizer.json')).rejects.toMatchObject({ code: 'MODEL_FILE_CORRUPT' });
    expect(existsSync(cached)).toBe(false);
  });

  it('downloads, verifies and caches; the next read needs no network', async () => {
    corrupt = false;
    const read = createHubReader(entry, host, cache);
    const data = await read('tokenizer.json');
    expect(data).toEqual(
      new Uint8Array(readFileSync(path.join(fixtureDir('tiny-lingua-xlmr'), 'tokenizer.json'))),
    );
    const before = requests.length;
    await read('tokenizer.json');
    expect(requests.length).toBe(before);
  });

  it('drops a cache file that went bad, then fetches it again', async () => {
    writeFileSync(cached, '{"broken": true}');
    const read = createHubReader(entry, host, cache);
    await expect(read('tokenizer.json')).rejects.toMatchObject({ code: 'MODEL_FILE_CORRUPT' });
    expect(existsSync(cached)).toBe(false);
    await expect(read('tokenizer.json')).resolves.toBeInstanceOf(Uint8Array);
  });

  it('explains a 404 and an unreachable host', async () => {
    const read = createHubReader(entry, host, cache);
    await expect(read('onnx/missing.onnx')).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      message: expect.stringContaining('HTTP 404'),
    });
    const offline = createHubReader(entry, 'http://127.0.0.1:9', cache);
    await expect(offline('config.json')).rejects.toMatchObject({ code: 'DOWNLOAD_FAILED' });
  });
});
