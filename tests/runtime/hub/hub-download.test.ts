/**
 * Hub downloads through a real HTTP server on loopback: files are verified against the manifest
 * before they enter the cache, a corrupt download leaves nothing behind, and a cache file that went
 * bad is dropped and fetched again.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHubReader } from '../../../src/runtime/hub/node/model-files.ts';
import {
  findScorer,
  MODELS,
  variantFiles,
  type ScorerManifestEntry,
} from '../../../src/core/models/registry.ts';
import { loadNodeScorer } from '../../../src/runtime/node/scorer-node.ts';
import { fixtureDir } from '../../helpers/fixtures.ts';

const fixture = findScorer('tiny-lingua-xlmr');
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
/** The commit the fake hub's `main` points to. */
let mainSha = 'a'.repeat(40);

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/api/models/acme/tiny-xlmr/revision/main') {
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ sha: mainSha }));
      return;
    }
    const match = /^\/acme\/tiny-xlmr\/resolve\/(?:abc123|[0-9a-f]{40})\/(.+)$/.exec(req.url ?? '');
    const file = match && path.join(fixtureDir('tiny-lingua-xlmr'), match[1]!);
    if (!file || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    const data = readFileSync(file);
    const body = corrupt ? data.subarray(0, data.length - 7) : data;
    // As the hub does: every file is served with its size.
    res.writeHead(200, { 'Content-Length': String(body.length) }).end(body);
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
    // 404 is MODEL_FILE_MISSING, as in the browser: loaders skip optional files on it.
    await expect(read('onnx/missing.onnx')).rejects.toMatchObject({
      code: 'MODEL_FILE_MISSING',
      message: expect.stringContaining('HTTP 404'),
    });
    const offline = createHubReader(entry, 'http://127.0.0.1:9', cache);
    await expect(offline('config.json')).rejects.toMatchObject({ code: 'DOWNLOAD_FAILED' });
  });
});

describe('files the manifest has no sha256 for', () => {
  const cache = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-cache-'));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));
  // The same repo with hashes unknown, as the real hub entries are.
  const unhashed: ScorerManifestEntry = {
    ...entry,
    files: entry.files.map(({ path: p, size }) => ({ path: p, size })),
  };
  const cached = path.join(cache, 'acme/tiny-xlmr/abc123/tokenizer.json');
  const record = `${cached}.sha256.json`;

  it('records size and hash at the first download and says so, not "verified"', async () => {
    corrupt = false;
    const seen: string[] = [];
    const read = createHubReader(unhashed, host, cache, (f, s) => seen.push(`${f}:${s}`));
    const data = await read('tokenizer.json');
    const recorded = JSON.parse(readFileSync(record, 'utf8'));
    expect(recorded.size).toBe(data.byteLength);
    expect(recorded.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(seen).toEqual(['tokenizer.json:recorded']);
  });

  it('rejects a cached copy that changed, and a re-download that differs from the record', async () => {
    writeFileSync(cached, '{"broken": true}');
    const read = createHubReader(unhashed, host, cache);
    await expect(read('tokenizer.json')).rejects.toMatchObject({
      code: 'MODEL_FILE_CORRUPT',
      message: expect.stringContaining('recorded at its first download'),
    });
    expect(existsSync(cached)).toBe(false);
    expect(existsSync(record)).toBe(true); // the record outlives the bad file
    corrupt = true; // the host now serves other bytes for the same revision
    await expect(read('tokenizer.json')).rejects.toMatchObject({ code: 'MODEL_FILE_CORRUPT' });
    expect(existsSync(cached)).toBe(false);
    corrupt = false;
    await expect(read('tokenizer.json')).resolves.toBeInstanceOf(Uint8Array);
  });
});

describe('a hub entry without a pinned revision', () => {
  const cache = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-cache-'));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));
  const unpinned: ScorerManifestEntry = {
    ...entry,
    source: { type: 'hub', repo: 'acme/tiny-xlmr' },
  };

  it('downloads at the commit main pointed to first, records it, and stays on it', async () => {
    corrupt = false;
    mainSha = 'a'.repeat(40);
    const read = createHubReader(unpinned, host, cache);
    await read('config.json');
    expect(requests.at(-1)).toBe(`/acme/tiny-xlmr/resolve/${'a'.repeat(40)}/config.json`);
    expect(
      JSON.parse(readFileSync(path.join(cache, 'acme/tiny-xlmr/revision.json'), 'utf8')),
    ).toEqual({ revision: 'a'.repeat(40) });
    mainSha = 'b'.repeat(40); // main moved on the hub
    const later = createHubReader(unpinned, host, cache);
    await later('tokenizer_config.json');
    expect(requests.at(-1)).toBe(`/acme/tiny-xlmr/resolve/${'a'.repeat(40)}/tokenizer_config.json`);
    // (`/api/…/tree/<commit>` is the hub listing a file without a sha256 is checked against.)
    expect(requests.filter((r) => r.startsWith('/api/') && r.includes('/revision/'))).toHaveLength(
      1,
    );
  });
});

describe('the shipped registry', () => {
  it('pins every hub entry to a commit, never a branch', () => {
    for (const e of MODELS) {
      if (e.source.type !== 'hub') continue;
      if (e.source.revision !== undefined)
        expect(e.source.revision, e.id).toMatch(/^[0-9a-f]{40}$/);
    }
    const byId = new Map(MODELS.map((e) => [e.id, e.source]));
    expect(byId.get('llmlingua-2-bert-base-multilingual-cased-meetingbank')).toMatchObject({
      revision: 'd7070a9b381ca5297dd7bd5cf7704dde81470518',
    });
    expect(byId.get('llmlingua-2-xlm-roberta-large-meetingbank')).toMatchObject({
      revision: '11c2933c5eed99af04f5277e44e1b9a99771c058',
    });
  });
});

describe("a hub id's load is one pass (issue 22)", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-walk-'));
  const saved = { registry: process.env.TOKENSKIP_REGISTRY, cache: process.env.TOKENSKIP_CACHE };
  afterAll(() => {
    for (const [key, value] of [
      ['TOKENSKIP_REGISTRY', saved.registry],
      ['TOKENSKIP_CACHE', saved.cache],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks the revision and the listing first, then every file once in order; a second load asks nothing', async () => {
    corrupt = false;
    mainSha = 'c'.repeat(40);
    // Unpinned and without sha256s, as the real hub entries are: the plan needs both questions.
    const walked: ScorerManifestEntry = {
      ...entry,
      id: 'hub-walk',
      source: { type: 'hub', repo: 'acme/tiny-xlmr' },
      files: entry.files.map(({ path: p, size }) => ({ path: p, size })),
    };
    mkdirSync(path.join(dir, 'models'), { recursive: true });
    const registry = path.join(dir, 'models/manifest.json');
    writeFileSync(registry, JSON.stringify({ version: 2, models: [walked] }));
    process.env.TOKENSKIP_REGISTRY = registry;
    process.env.TOKENSKIP_CACHE = path.join(dir, 'store');
    const from = requests.length;
    const lines: string[] = [];
    const scorer = await loadNodeScorer('hub-walk', {
      hubHost: host,
      report: (l) => lines.push(l),
    });
    const asked = requests.slice(from).map((r) => r.replace(/\?.*$/, ''));
    const files = variantFiles(walked.onnx.node);
    expect(asked).toEqual([
      '/api/models/acme/tiny-xlmr/revision/main',
      `/api/models/acme/tiny-xlmr/tree/${mainSha}`,
      ...files.map((f) => `/acme/tiny-xlmr/resolve/${mainSha}/${f}`),
    ]);
    expect(scorer.integrity).toBe('recorded');
    expect(lines.join('')).toContain('hub-walk: model files');
    await scorer.classifier.release();
    const again = requests.length;
    const second = await loadNodeScorer('hub-walk', { hubHost: host, report: () => undefined });
    expect(requests.slice(again)).toEqual([]);
    await second.classifier.release();
  });
});
