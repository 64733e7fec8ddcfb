/**
 * "Download" for a WebLLM model on the Models page, checked against WebLLM's real code
 * (@mlc-ai/web-llm 0.2.86, no fake): the page writes every file WebLLM's reload reads into
 * WebLLM's own caches, then WebLLM's `hasModelInCache` says true and WebLLM's reload (our adapter,
 * CreateMLCEngine) asks the network for nothing before it fails where a real compiled library would
 * be instantiated (none can run here).
 *
 * One loopback server is the whole site: the built app (dist/), the registry's self-hosted record
 * `TokenSkip-Qwen2.5-0.5B-Instruct-q4f32_1-MLC` (`/models/<id>/resolve/main/`) served from a
 * `tokenskip export mlc` folder (Range, ETag, a slow mode to cancel in), and the WebLLM harness
 * page (e2e/harness/webllm-entry.ts). One origin, so the page and the harness share Cache Storage.
 * The record's prebuilt library lives on raw.githubusercontent.com, which this machine cannot
 * reach: a Playwright route stands in for that host, answering bytes that start like WebAssembly
 * and do not compile, and counts its requests.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWebLlmHarness } from './harness/webllm-bundle.ts';
import { sendRange } from './harness/range.ts';
import { expect, test, type Page } from '@playwright/test';
import { main } from '../src/node/cli.ts';
import { makeTinyModel } from '../tests/helpers/tiny-qwen2-checkpoint.ts';
import { REGISTRY, type WebLlmModelRecord } from '../src/core/models/registry.ts';
import { securityHeaders } from '../src/node/security-headers.ts';

const ID = 'TokenSkip-Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
const FOLDER = `/models/${ID}/resolve/main/`;
const LIB_NAME = 'Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm';
/** The WebAssembly magic and version, then bytes no compiler accepts. */
const BOGUS_LIB = Buffer.concat([
  Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
  Buffer.from('not a webassembly module'),
]);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};

interface Logged {
  path: string;
  range?: string;
}

let server: Server;
let origin = '';
let root = '';
let out = '';
/** The folder the export wrote the weights to (`<out>/resolve/main/`, what WebLLM reads). */
let weights = '';
let bundle = '';
const log: Logged[] = [];
/** Serve this model-folder file slowly (1 KiB every 100 ms), so a download can be cancelled. */
let slow: string | undefined;
/** Answer this model-folder file once with an HTML page and status 200 (an SPA fallback). */
let html: string | undefined;
/** Serve this model-folder file with 100 bytes more than the export wrote. */
let grown: string | undefined;
/** Bytes of the slow file written so far. */
let slowSent = 0;
const dist = path.resolve('dist');

const quiet = {
  stdin: process.stdin,
  stdout: { write: () => true },
  stderr: { write: () => true },
} as never;

function record(): WebLlmModelRecord {
  const r = REGISTRY.models.find((m) => m.id === ID);
  if (!r || r.kind !== 'causal-lm' || r.engine !== 'webllm') throw new Error(`${ID} not found`);
  expect(r.model).toBe(FOLDER);
  expect(r.modelLib).toBe(LIB_NAME);
  return r;
}

/** The export's files (path inside the folder -> sha256), as WebLLM would read them. */
function exportFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(weights)) {
    const file = path.join(weights, name);
    if (statSync(file).isFile())
      files.set(name, createHash('sha256').update(readFileSync(file)).digest('hex'));
  }
  return files;
}

test.beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'webllm-download-'));
  bundle = await bundleWebLlmHarness();

  server = createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const base = { ...securityHeaders('preview'), 'Cache-Control': 'no-store' };
    if (p === '/webllm-harness.html') {
      res.writeHead(200, { ...base, 'Content-Type': 'text/html' });
      return void res.end(
        '<!doctype html><html lang="en"><title>harness</title><body><script type="module" src="/webllm-harness.js"></script>',
      );
    }
    if (p === '/webllm-harness.js') {
      res.writeHead(200, { ...base, 'Content-Type': 'text/javascript' });
      return void res.end(bundle);
    }
    if (p.startsWith(FOLDER)) {
      log.push({ path: p, ...(req.headers.range ? { range: req.headers.range } : {}) });
      const file = path.join(weights, p.slice(FOLDER.length));
      if (!file.startsWith(weights + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
        res.writeHead(404, { ...base, 'Content-Type': 'text/plain' });
        return void res.end('not found');
      }
      if (html === p) {
        html = undefined;
        // Labelled as a binary file: only the bytes give the page away.
        res.writeHead(200, { ...base, 'Content-Type': 'application/octet-stream' });
        return void res.end('<!DOCTYPE html><html><body>app</body></html>');
      }
      let data = readFileSync(file);
      if (grown === p) data = Buffer.concat([data, Buffer.alloc(100)]);
      const headers = {
        ...base,
        'Content-Type': 'application/octet-stream',
        ETag: `"${data.length}-v1"`,
      };
      if (sendRange(req, res, data, headers)) return;
      res.writeHead(200, { ...headers, 'Content-Length': String(data.length) });
      if (slow === p) {
        let at = 0;
        slowSent = 0;
        const timer = setInterval(() => {
          if (res.destroyed) return clearInterval(timer);
          res.write(data.subarray(at, (at += 1024)));
          slowSent = Math.min(at, data.length);
          if (at >= data.length) {
            clearInterval(timer);
            res.end();
          }
        }, 100);
        return;
      }
      return void res.end(data);
    }
    // The built app: its files, and index.html for the page itself.
    const file = path.join(dist, p === '/' ? 'index.html' : p);
    if (file.startsWith(dist + path.sep) && existsSync(file) && statSync(file).isFile()) {
      res.writeHead(200, {
        ...base,
        'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      });
      return void res.end(readFileSync(file));
    }
    res.writeHead(404, { ...base, 'Content-Type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const model = path.join(root, 'tiny');
  makeTinyModel(model, 'F32');
  out = path.join(root, ID);
  weights = path.join(out, 'resolve', 'main');
  const code = await main(
    [
      'export',
      'mlc',
      '--model',
      model,
      '--out',
      out,
      '--quantization',
      'q4f32_1',
      '--model-id',
      ID,
      '--model-url',
      `${origin}/models/${ID}`,
      '--model-lib',
      LIB_NAME,
    ],
    quiet,
  );
  expect(code).toBe(0);
});

test.afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Answers the prebuilt library's URL (raw.githubusercontent.com) and counts the requests. */
async function routeLibrary(page: Page): Promise<{ hits: number }> {
  const counter = { hits: 0 };
  await page.route(`**/${LIB_NAME}`, (route) => {
    counter.hits += 1;
    return route.fulfill({
      status: 200,
      body: BOGUS_LIB,
      headers: { 'Content-Type': 'application/wasm', 'Access-Control-Allow-Origin': '*' },
    });
  });
  return counter;
}

async function openModels(page: Page) {
  await page.goto(`${origin}/#/models`);
  await expect(page.getByTestId('models-page')).toHaveAttribute('data-ready', '1');
  return page.getByTestId(`model-${ID}`);
}

type Harness = {
  load(r: unknown): Promise<{ ok: boolean; code?: string; causeName?: string }>;
  hasModel(r: unknown): Promise<boolean>;
  cacheKeys(): Promise<Record<string, string[]>>;
};

async function openHarness(page: Page) {
  await page.goto(`${origin}/webllm-harness.html`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', '1');
}

function harness<T>(page: Page, fn: 'load' | 'hasModel' | 'cacheKeys'): Promise<T> {
  return page.evaluate(
    ([name, r]) => {
      const h = (window as unknown as { harness: Harness }).harness;
      return (name === 'cacheKeys' ? h.cacheKeys() : h[name](r)) as Promise<unknown>;
    },
    [fn, record()] as const,
  ) as Promise<T>;
}

/** sha256 of every entry of WebLLM's caches, keyed `<cache> <path>`. */
function cachedHashes(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const out: Record<string, string> = {};
    for (const name of await caches.keys()) {
      if (!name.startsWith('webllm/')) continue;
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        const data = await (await cache.match(request))!.arrayBuffer();
        const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
        out[`${name} ${new URL(request.url).pathname}`] = Array.from(hash, (b) =>
          b.toString(16).padStart(2, '0'),
        ).join('');
      }
    }
    return out;
  });
}

test('Download puts every file WebLLM reads in its caches; cancel and resume; WebLLM’s reload then fetches nothing', async ({
  page,
}) => {
  const library = await routeLibrary(page);
  const shards = (
    JSON.parse(readFileSync(path.join(weights, 'tensor-cache.json'), 'utf8')) as {
      records: { dataPath: string; nbytes: number }[];
    }
  ).records;
  const biggest = [...shards].sort((a, b) => b.nbytes - a.nbytes)[0]!;
  const slowPath = `${FOLDER}${biggest.dataPath}`;
  let row = await openModels(page);
  await expect(row).toHaveAttribute('data-state', 'missing');
  await expect(row).toHaveAttribute('data-webllm-cached', '0');

  // 1. Start, watch the progress, cancel in the middle of the biggest shard.
  slow = slowPath;
  log.length = 0;
  await row.getByTestId('download').click();
  // A few KiB of it on the wire, so some bytes have reached the page when it cancels.
  await expect
    .poll(() => (log.some((l) => l.path === slowPath) ? slowSent : 0))
    .toBeGreaterThan(4096);
  await expect(row.getByTestId('progress-text')).toContainText(/ of /);
  await row.getByTestId('cancel').click();
  await expect(page.getByTestId('model-error')).toHaveAttribute('data-code', 'CANCELLED');
  await expect(row).toHaveAttribute('data-state', 'partial');
  await expect(row).toHaveAttribute('data-webllm-cached', '0');
  const kept = await page.evaluate(
    async (url) =>
      (
        (await (
          await (await caches.open('tokenskip-partial-v1')).match(`${url}?tokenskip-part=meta`)
        )?.json()) as { received: number } | undefined
      )?.received ?? 0,
    `${origin}${slowPath}`,
  );
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(biggest.nbytes);

  // 2. Resume (after a reload: the kept bytes survive it): the rest of that shard with Range.
  slow = undefined;
  await page.reload();
  row = await openModels(page);
  await expect(row).toHaveAttribute('data-state', 'partial');
  await expect(row.getByTestId('download')).toHaveText('Resume');
  await row.getByTestId('download').click();
  await expect(row).toHaveAttribute('data-state', 'cached');
  await expect(row).toHaveAttribute('data-webllm-cached', '1');
  await expect(page.getByTestId('model-error')).toHaveCount(0);
  expect(log.filter((l) => l.path === slowPath).at(-1)).toEqual({
    path: slowPath,
    range: `bytes=${kept}-`,
  });
  // Files already stored before the cancel were not fetched again.
  const config = `${FOLDER}mlc-chat-config.json`;
  expect(log.filter((l) => l.path === config)).toHaveLength(1);
  expect(library.hits).toBe(1);

  // 3. Exactly the files WebLLM reads, in the caches it reads them from, byte for byte.
  const files = exportFiles();
  const expected: Record<string, string> = {
    [`webllm/config ${config}`]: files.get('mlc-chat-config.json')!,
    [`webllm/model ${FOLDER}tensor-cache.json`]: files.get('tensor-cache.json')!,
    [`webllm/model ${FOLDER}tokenizer.json`]: files.get('tokenizer.json')!,
    [`webllm/wasm /mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/${LIB_NAME}`]:
      createHash('sha256').update(BOGUS_LIB).digest('hex'),
  };
  for (const s of shards) expected[`webllm/model ${FOLDER}${s.dataPath}`] = files.get(s.dataPath)!;
  expect(await cachedHashes(page)).toEqual(expected);
  expect(
    await page.evaluate(async () => (await caches.open('tokenskip-partial-v1')).keys()),
  ).toHaveLength(0);

  // 4. WebLLM's own functions, same origin: hasModelInCache is true, and its reload reads the
  // config and the library from the cache (no request at all) and fails compiling the library.
  await openHarness(page);
  expect(await harness<boolean>(page, 'hasModel')).toBe(true);
  log.length = 0;
  const result = await harness<{ ok: boolean; code?: string; causeName?: string }>(page, 'load');
  expect(result.ok).toBe(false);
  expect(result.causeName).toBe('CompileError');
  expect(log).toEqual([]);
  expect(library.hits).toBe(1);
});

test('Delete goes through WebLLM’s API: hasModelInCache is false after it', async ({ page }) => {
  await routeLibrary(page);
  const row = await openModels(page);
  await row.getByTestId('download').click();
  await expect(row).toHaveAttribute('data-state', 'cached');
  await expect(row).toHaveAttribute('data-webllm-cached', '1');
  await expect(row.getByTestId('integrity')).toContainText('tensor-cache.json');
  await row.getByTestId('delete').click();
  await expect(row).toHaveAttribute('data-state', 'missing');
  await expect(row).toHaveAttribute('data-webllm-cached', '0');
  await openHarness(page);
  expect(await harness<boolean>(page, 'hasModel')).toBe(false);
  const keys = await harness<Record<string, string[]>>(page, 'cacheKeys');
  for (const [name, entries] of Object.entries(keys)) {
    if (name.startsWith('webllm/') || name === 'tokenskip-partial-v1')
      expect(entries, name).toEqual([]);
  }
});

test('an HTML page or a shard of the wrong size is refused and not cached; the next try completes', async ({
  page,
}) => {
  await routeLibrary(page);
  const shard = (
    JSON.parse(readFileSync(path.join(weights, 'tensor-cache.json'), 'utf8')) as {
      records: { dataPath: string; nbytes: number }[];
    }
  ).records[0]!;
  const row = await openModels(page);
  const error = page.getByTestId('model-error');
  const keys = () => harness<Record<string, string[]>>(page, 'cacheKeys');
  html = `${FOLDER}tensor-cache.json`;
  await row.getByTestId('download').click();
  await expect(error).toHaveAttribute('data-code', 'MODEL_FILE_CORRUPT');
  await expect(error).toContainText('HTML page');
  expect(await page.evaluate(async () => (await caches.open('webllm/model')).keys())).toHaveLength(
    0,
  );

  grown = `${FOLDER}${shard.dataPath}`;
  await row.getByTestId('download').click();
  await expect(error).toHaveAttribute('data-code', 'MODEL_FILE_CORRUPT');
  await expect(error).toContainText(
    `the server offers ${shard.nbytes + 100} bytes, tensor-cache.json expects ${shard.nbytes}`,
  );
  grown = undefined;
  await openHarness(page);
  expect((await keys())['webllm/model']).not.toContain(`${FOLDER}${shard.dataPath}`);
  expect((await keys())['tokenskip-partial-v1'] ?? []).toEqual([]);
  expect(await harness<boolean>(page, 'hasModel')).toBe(false);

  await openModels(page);
  await row.getByTestId('download').click();
  await expect(row).toHaveAttribute('data-state', 'cached');
  await expect(row).toHaveAttribute('data-webllm-cached', '1');
});

test('after Download, the Generate page’s WebLLM load (the app’s worker) fetches nothing @webgpu-only', async ({
  page,
}) => {
  const library = await routeLibrary(page);
  const row = await openModels(page);
  await row.getByTestId('download').click();
  await expect(row).toHaveAttribute('data-state', 'cached');
  log.length = 0;
  await page.goto(`${origin}/#/generate?model=${ID}&gamma=0.5&max_tokens=8`);
  await page.getByTestId('question').fill('What is 2 + 3?');
  await page.getByTestId('generate').click();
  // The config and the library came from WebLLM's caches; the library does not compile (the
  // stand-in bytes), which is where a real one would be instantiated.
  await expect(page.getByTestId('error')).toHaveAttribute('data-code', 'MODEL_FILE_CORRUPT');
  await expect(page.getByTestId('error')).toContainText('WebAssembly');
  expect(log).toEqual([]);
  expect(library.hits).toBe(1);
});
