/**
 * The Models page and the download machinery behind it, against a model host on loopback: a small
 * HTTP server in this test serving the repo's model folders (the app's own layout, with Range
 * support and CORS like a real host) that can cut a download mid-file, answer an HTML page with
 * status 200, or serve altered bytes. The app is told to use it through the "model host" setting.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { sendRange } from './harness/range.ts';

const MODEL = 'tiny-lingua-mbert-extdata';
const FOLDER = `models/fixtures/${MODEL}`;
const DATA = `/${FOLDER}/onnx/model.onnx_data`;
/** A hub model without hashes in the registry (its hash is recorded at the first download). */
const HUB_MODEL = 'llmlingua-2-js-tinybert-meetingbank';
const HUB_REPO = 'atjsh/llmlingua-2-js-tinybert-meetingbank';
const DATA_BYTES = statSync(path.resolve(FOLDER, 'onnx/model.onnx_data')).size;

interface Faults {
  /** Send this many bytes of a whole-file answer for `path`, then destroy the socket (once). */
  cut?: { path: string; after: number };
  /** Answer `path` once with an HTML page and status 200 (a login page, an SPA fallback). */
  html?: string;
  /** Serve `path` with one byte changed (same size). */
  corrupt?: string;
  /** Serve `path` slowly (8 KiB every 100 ms: 5 s for the fixture's data), so a download can be watched and cancelled. */
  slow?: string;
}

interface Host {
  url: string;
  log: { path: string; range?: string }[];
  faults: Faults;
  close(): Promise<void>;
}

async function startHost(): Promise<Host> {
  const log: Host['log'] = [];
  const faults: Faults = {};
  const server: Server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Range');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Length, Content-Range, ETag');
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    log.push({ path: pathname, ...(req.headers.range ? { range: req.headers.range } : {}) });
    // A hub repo (`<host>/<repo>/<file>`) is served from a shipped fixture's files.
    const hub = pathname.startsWith(`/${HUB_REPO}/`)
      ? `/models/fixtures/tiny-lingua-mbert/${pathname.slice(HUB_REPO.length + 2).replace('model_quantized', 'model')}`
      : pathname;
    const file = path.resolve(`.${hub}`);
    if (!hub.startsWith('/models/') || !statSync(file, { throwIfNoEntry: false })?.isFile())
      return void res.writeHead(404).end('not found');
    if (faults.html === pathname) {
      faults.html = undefined;
      return void res
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
        .end('<!DOCTYPE html><html><body>Please sign in</body></html>');
    }
    let data = readFileSync(file);
    if (faults.corrupt === pathname) {
      data = Buffer.from(data);
      data[data.length >> 1]! ^= 0xff;
    }
    const headers = { 'Content-Type': 'application/octet-stream', ETag: `"${data.length}-v1"` };
    if (sendRange(req, res, data, headers)) return;
    res.writeHead(200, { ...headers, 'Content-Length': String(data.length) });
    if (faults.slow === pathname) {
      let at = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(data.subarray(at, (at += 8192)));
        if (at >= data.length) {
          clearInterval(timer);
          res.end();
        }
      }, 100);
      return;
    }
    if (faults.cut?.path === pathname) {
      const { after } = faults.cut;
      faults.cut = undefined;
      res.write(data.subarray(0, after), () => setTimeout(() => res.socket?.destroy(), 100));
      return;
    }
    res.end(data);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    faults,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let host: Host;
test.beforeEach(async () => {
  host = await startHost();
});
test.afterEach(async () => {
  await host.close();
});

async function openModels(page: Page, withHost = true) {
  await page.goto('/#/models');
  await expect(page.getByTestId('models-page')).toHaveAttribute('data-ready', '1');
  if (withHost) {
    await page.getByTestId('model-host').fill(host.url);
    await page.getByTestId('model-host-save').click();
  }
  return page.getByTestId(`model-${MODEL}`);
}

/** URLs (path part) in one of the app's caches. */
async function cached(page: Page, cache: string): Promise<string[]> {
  return page.evaluate(
    async (name) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname),
    cache,
  );
}

test('an interrupted download resumes with Range after a reload and ends verified', async ({
  page,
}) => {
  const cut = 200_000;
  host.faults.cut = { path: DATA, after: cut };
  let row = await openModels(page);
  await expect(row).toHaveAttribute('data-state', 'missing');
  await row.getByTestId('download').click();
  await expect(page.getByTestId('model-error')).toHaveAttribute('data-code', 'DOWNLOAD_FAILED');
  await expect(page.getByTestId('model-error')).toContainText('are kept');
  await expect(row).toHaveAttribute('data-state', 'partial');
  // The bytes received survive a reload (kept in the Cache API), and the page offers Resume.
  await page.reload();
  row = await openModels(page, false);
  await expect(row).toHaveAttribute('data-state', 'partial');
  await expect(row.getByTestId('download')).toHaveText('Resume');
  await row.getByTestId('download').click();
  await expect(row).toHaveAttribute('data-state', 'cached');
  await expect(row).toHaveAttribute('data-integrity', 'verified');
  await expect(row.getByTestId('integrity')).toHaveText('verified (sha256)');
  // One whole-file request cut short, then one Range request for exactly the rest.
  const data = host.log.filter((r) => r.path === DATA);
  expect(data).toEqual([{ path: DATA }, { path: DATA, range: `bytes=${cut}-` }]);
  // The cached file is whole, and nothing partial is left behind.
  const size = await page.evaluate(
    async (url) =>
      (await (await (await caches.open('tokenskip-models-v1')).match(url))!.arrayBuffer())
        .byteLength,
    `${host.url}${DATA.slice(1)}`,
  );
  expect(size).toBe(DATA_BYTES);
  expect(await cached(page, 'tokenskip-partial-v1')).toEqual([]);
});

test('a download shows bytes, rate and ETA; cancel keeps the bytes; resume asks for the rest', async ({
  page,
}) => {
  host.faults.slow = DATA;
  const row = await openModels(page);
  await row.getByTestId('download').click();
  await expect.poll(() => host.log.some((r) => r.path === DATA)).toBe(true);
  const progress = row.getByTestId('progress-text');
  await expect(progress).toContainText(/kB of 464\.5 kB · [\d.]+ kB\/s · \d+ sec left/);
  await row.getByTestId('cancel').click();
  await expect(page.getByTestId('model-error')).toHaveAttribute('data-code', 'CANCELLED');
  await expect(row).toHaveAttribute('data-state', 'partial');
  const kept = await page.evaluate(
    async (url) =>
      (await (await (
        await caches.open('tokenskip-partial-v1')
      ).match(`${url}?tokenskip-part=meta`))!.json()) as { received: number },
    `${host.url}${DATA.slice(1)}`,
  );
  expect(kept.received).toBeGreaterThan(0);
  expect(kept.received).toBeLessThan(DATA_BYTES);
  host.faults.slow = undefined;
  await row.getByTestId('download').click();
  await expect(row).toHaveAttribute('data-state', 'cached');
  await expect(row).toHaveAttribute('data-integrity', 'verified');
  expect(host.log.filter((r) => r.path === DATA).at(-1)).toEqual({
    path: DATA,
    range: `bytes=${kept.received}-`,
  });
});

test('an HTML page answered with status 200 is refused, nothing is cached, the next try succeeds', async ({
  page,
}) => {
  const graph = `/${FOLDER}/onnx/model.onnx`;
  host.faults.html = graph;
  const row = await openModels(page);
  await row.getByTestId('download').click();
  await expect(page.getByTestId('model-error')).toHaveAttribute('data-code', 'MODEL_FILE_CORRUPT');
  await expect(page.getByTestId('model-error')).toContainText('HTML page');
  expect(await cached(page, 'tokenskip-models-v1')).not.toContain(graph);
  expect(await cached(page, 'tokenskip-partial-v1')).toEqual([]);
  await row.getByTestId('download').click();
  await expect(row).toHaveAttribute('data-state', 'cached');
  await expect(row).toHaveAttribute('data-integrity', 'verified');
  await expect(page.getByTestId('model-error')).toHaveCount(0);
});

test('a file whose sha256 differs from the registry is refused and not cached', async ({
  page,
}) => {
  const tokenizer = `/${FOLDER}/tokenizer.json`;
  host.faults.corrupt = tokenizer;
  const row = await openModels(page);
  await row.getByTestId('download').click();
  await expect(page.getByTestId('model-error')).toHaveAttribute('data-code', 'MODEL_FILE_CORRUPT');
  await expect(page.getByTestId('model-error')).toContainText('tokenizer.json has sha256');
  expect(await cached(page, 'tokenskip-models-v1')).not.toContain(tokenizer);
  await expect(row).not.toHaveAttribute('data-state', 'cached');
});

test('a cached file whose bytes changed is caught at the next load, fetched again, and the model scores', async ({
  page,
}) => {
  const graph = `/${FOLDER}/onnx/model.onnx`;
  const row = await openModels(page);
  await row.getByTestId('download').click();
  await expect(row).toHaveAttribute('data-state', 'cached');
  await expect(row).toHaveAttribute('data-integrity', 'verified');
  // One byte of the cached graph flipped in Cache Storage, same size (a disk or browser fault).
  await page.evaluate(
    async (url) => {
      const cache = await caches.open('tokenskip-models-v1');
      const hit = (await cache.match(url))!;
      const bytes = new Uint8Array(await hit.arrayBuffer());
      bytes[bytes.length >> 1]! ^= 0xff;
      await cache.put(
        url,
        new Response(bytes, { headers: { 'Content-Length': String(bytes.byteLength) } }),
      );
    },
    `${host.url}${graph.slice(1)}`,
  );
  const before = host.log.filter((r) => r.path === graph).length;
  // Loading the model checks each cached file (the graph in memory, with Web Crypto) first.
  await page.goto(`/#/compress?model=${MODEL}&backend=wasm&example=gsm8k-test:2&rate=0.5&run=1`);
  await expect(page.getByTestId('compressed')).toBeVisible();
  expect(host.log.filter((r) => r.path === graph)).toHaveLength(before + 1);
  const stored = await page.evaluate(
    async (url) =>
      new Uint8Array(
        await (await (await caches.open('tokenskip-models-v1')).match(url))!.arrayBuffer(),
      ),
    `${host.url}${graph.slice(1)}`,
  );
  expect(createHash('sha256').update(stored).digest('hex')).toBe(
    createHash('sha256')
      .update(readFileSync(path.resolve(`.${graph}`)))
      .digest('hex'),
  );
});

test('a model without registry hashes: hash recorded at the first download, other bytes refused later', async ({
  page,
}) => {
  await openModels(page);
  const row = page.getByTestId(`model-${HUB_MODEL}`);
  await row.getByTestId('download').click();
  await expect(row).toHaveAttribute('data-state', 'cached');
  await expect(row).toHaveAttribute('data-integrity', 'recorded');
  await expect(row.getByTestId('integrity')).toHaveText('hash recorded locally');
  // The cached file is evicted (the browser may drop it; `delete` instead forgets the recorded
  // hash too, issue 23), then the host serves other bytes: the recorded hash refuses them.
  await page.evaluate(async (repo) => {
    const cache = await caches.open('tokenskip-models-v1');
    for (const key of await cache.keys())
      if (key.url.endsWith(`/${repo}/tokenizer.json`)) await cache.delete(key);
  }, HUB_REPO);
  await page.reload();
  await openModels(page, false);
  await expect(row).toHaveAttribute('data-state', 'partial');
  host.faults.corrupt = `/${HUB_REPO}/tokenizer.json`;
  await row.getByTestId('download').click();
  await expect(page.getByTestId('model-error')).toHaveAttribute('data-code', 'MODEL_FILE_CORRUPT');
  await expect(page.getByTestId('model-error')).toContainText(
    'the hash recorded at its first download (the host now serves different bytes)',
  );
  await expect(row).not.toHaveAttribute('data-state', 'cached');
});

test('an imported folder missing a file is refused whole; the complete folder imports verified', async ({
  page,
}) => {
  const work = mkdtempSync(path.join(tmpdir(), 'tokenskip-import-'));
  try {
    const partial = path.join(work, 'partial', MODEL);
    cpSync(FOLDER, partial, { recursive: true });
    rmSync(path.join(partial, 'onnx/model.onnx_data'));
    // A shipped model is offered for download or import once a model host is set.
    const row = await openModels(page);
    await row.getByTestId('import').setInputFiles(partial);
    await expect(page.getByTestId('model-error')).toHaveAttribute(
      'data-code',
      'MODEL_FILE_MISSING',
    );
    await expect(page.getByTestId('model-error')).toContainText(
      'lacks onnx/model.onnx_data: nothing was imported',
    );
    await expect(row).toHaveAttribute('data-state', 'missing');
    expect(await cached(page, 'tokenskip-models-v1')).toEqual([]);
    expect(host.log).toEqual([]);

    const whole = path.join(work, 'whole', MODEL);
    cpSync(FOLDER, whole, { recursive: true });
    await row.getByTestId('import').setInputFiles(whole);
    await expect(row).toHaveAttribute('data-state', 'cached');
    await expect(row).toHaveAttribute('data-integrity', 'verified');
    expect(host.log).toEqual([]); // imported, not downloaded
    // The Compress page (same model host) loads the imported files from the cache: no model file
    // is fetched, from the host or the app.
    const fetched: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes(`/${FOLDER}/`)) fetched.push(r.url());
    });
    await page.goto(`/#/compress?model=${MODEL}&backend=wasm&rate=0.5`);
    await page.getByTestId('cot').fill('She makes 9 * 2 = $18 every day at the market.');
    await page.getByTestId('compress').click();
    await expect(page.getByTestId('compressed')).toBeVisible();
    await expect(page.getByTestId('integrity')).toHaveAttribute('data-integrity', 'verified');
    expect(fetched).toEqual([]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('a model bigger than the storage quota gets a clear message', async ({ page }) => {
  // The browser's estimate, made small: the real quota of a test profile is far larger than any
  // fixture. The download checks the estimate before writing a file.
  await page.addInitScript(() => {
    StorageManager.prototype.estimate = () => Promise.resolve({ usage: 0, quota: 300_000 });
  });
  const row = await openModels(page);
  await expect(page.getByTestId('storage-estimate')).toContainText('300.0 kB');
  await row.getByTestId('download').click();
  await expect(page.getByTestId('model-error')).toHaveAttribute('data-code', 'STORAGE_FULL');
  await expect(page.getByTestId('model-error')).toContainText(
    'Not enough browser storage for onnx/model.onnx_data',
  );
  expect(await cached(page, 'tokenskip-models-v1')).not.toContain(DATA);
});

test('a QuotaExceededError from a real cache write gives the same clear message', async ({
  page,
}) => {
  // The browser refuses the write of the data file's first kept chunk, as a full disk would.
  await page.addInitScript(() => {
    const put = Cache.prototype.put;
    Cache.prototype.put = function (request, response) {
      const url = request instanceof Request ? request.url : String(request);
      if (url.includes('model.onnx_data?tokenskip-part=0'))
        return Promise.reject(
          new DOMException('The quota has been exceeded.', 'QuotaExceededError'),
        );
      return put.call(this, request, response);
    };
  });
  const row = await openModels(page);
  await row.getByTestId('download').click();
  await expect(page.getByTestId('model-error')).toHaveAttribute('data-code', 'STORAGE_FULL');
  await expect(page.getByTestId('model-error')).toContainText(
    'Not enough browser storage for onnx/model.onnx_data',
  );
  expect(await cached(page, 'tokenskip-models-v1')).not.toContain(DATA);
});

test('a generation model downloaded from the model host runs on the Generate page from the cache', async ({
  page,
}) => {
  await openModels(page);
  const row = page.getByTestId('model-tiny-qwen2');
  await row.getByTestId('download').click();
  await expect(row).toHaveAttribute('data-state', 'cached');
  await expect(row).toHaveAttribute('data-integrity', 'verified');
  const downloaded = host.log.length;
  expect(downloaded).toBeGreaterThanOrEqual(5);
  await page.goto('/#/generate?model=tiny-qwen2&backend=wasm&gamma=0.5&max_tokens=8');
  await page.getByTestId('question').fill('What is 2 + 3?');
  await page.getByTestId('generate').click();
  await expect(page.getByTestId('generate-page')).toHaveAttribute('data-status', 'done');
  // Every file came from the model cache: the host saw no further request.
  expect(host.log.length).toBe(downloaded);
});

test('a WebLLM model in WebLLM’s own cache shows as downloaded and is deleted through WebLLM’s API', async ({
  page,
}) => {
  const id = 'TokenSkip-Qwen2.5-0.5B-Instruct-q4f32_1-MLC';
  await openModels(page, false);
  const row = page.getByTestId(`model-${id}`);
  await expect(row).toHaveAttribute('data-state', 'missing');
  // What WebLLM leaves after a load: the config in "webllm/config", the prebuilt library in
  // "webllm/wasm", tensor-cache.json, its shards and the tokenizer in "webllm/model".
  await page.evaluate(async (model) => {
    const base = new URL(`/models/${model}/resolve/main/`, location.href).href;
    const cache = await caches.open('webllm/model');
    const records = [
      { dataPath: 'params_shard_0.bin', nbytes: 7 },
      { dataPath: 'params_shard_1.bin', nbytes: 7 },
    ];
    await cache.put(`${base}tensor-cache.json`, new Response(JSON.stringify({ records })));
    for (const r of records) await cache.put(`${base}${r.dataPath}`, new Response('weights'));
    await cache.put(`${base}tokenizer.json`, new Response('{}'));
    const config = JSON.stringify({ tokenizer_files: ['tokenizer.json'] });
    await (
      await caches.open('webllm/config')
    ).put(`${base}mlc-chat-config.json`, new Response(config));
    await (
      await caches.open('webllm/wasm')
    ).put(
      'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm',
      new Response(new Uint8Array([0, 0x61, 0x73, 0x6d])),
    );
  }, id);
  await page.reload();
  await openModels(page, false);
  await expect(row).toHaveAttribute('data-state', 'cached');
  await expect(row).toHaveAttribute('data-webllm-cached', '1');
  await row.getByTestId('delete').click();
  await expect(row).toHaveAttribute('data-state', 'missing');
  await expect(row).toHaveAttribute('data-webllm-cached', '0');
  for (const name of ['webllm/model', 'webllm/config', 'webllm/wasm'])
    expect(await cached(page, name), name).toEqual([]);
});

test('device fit on WebGPU: a model too big for the adapter is flagged @webgpu-only', async ({
  page,
}) => {
  await openModels(page, false);
  const limit = await page.evaluate(async () => {
    const adapter = await (
      navigator as unknown as {
        gpu: {
          requestAdapter(): Promise<{
            limits: { maxBufferSize: number; maxStorageBufferBindingSize: number };
          }>;
        };
      }
    ).gpu.requestAdapter();
    return Math.min(adapter.limits.maxBufferSize, adapter.limits.maxStorageBufferBindingSize);
  });
  // XLM-R large's external data (2.24 GB) is one file beyond any adapter's binding limit here.
  expect(limit).toBeLessThan(2_240_000_000);
  const big = page.getByTestId('model-llmlingua-2-xlm-roberta-large-meetingbank');
  await expect(big).toHaveAttribute('data-fit', 'too-big');
  await expect(big.getByTestId('fit')).toHaveText('too big for this GPU');
  await expect(page.getByTestId('model-mini-scorer')).toHaveAttribute('data-fit', 'fits');
});

test('device fit without WebGPU: ONNX models run on WASM, WebLLM models need WebGPU', async ({
  page,
}) => {
  await openModels(page, false);
  await expect(page.getByTestId('gpu-limits')).toContainText('No WebGPU');
  // Without a model host, shipped models are simply there: nothing to download.
  const mini = page.getByTestId('model-mini-scorer');
  await expect(mini.getByTestId('state')).toHaveText('comes with the app: works offline');
  await expect(mini.getByTestId('download')).toHaveCount(0);
  await expect(page.getByTestId('model-mini-scorer')).toHaveAttribute('data-fit', 'wasm-only');
  await expect(page.getByTestId('model-Qwen2.5-0.5B-Instruct-q4f16_1-MLC')).toHaveAttribute(
    'data-fit',
    'no-webgpu',
  );
});

test('offline, an unpinned hub model imports from its folder (hashes recorded); a 0-byte graph is refused', async ({
  page,
  context,
}) => {
  const work = mkdtempSync(path.join(tmpdir(), 'tokenskip-import-'));
  try {
    // The hub model's folder, as its files are named (the wasm graph is model_quantized.onnx).
    const folder = path.join(work, 'good', 'llmlingua-2-js-tinybert-meetingbank');
    cpSync('models/fixtures/tiny-lingua-mbert', folder, { recursive: true });
    cpSync(path.join(folder, 'onnx/model.onnx'), path.join(folder, 'onnx/model_quantized.onnx'));
    const empty = path.join(work, 'empty', 'llmlingua-2-js-tinybert-meetingbank');
    cpSync(folder, empty, { recursive: true });
    writeFileSync(path.join(empty, 'onnx/model_quantized.onnx'), '');
    writeFileSync(path.join(empty, 'onnx/model.onnx'), '');

    await openModels(page, false);
    await context.setOffline(true);
    const row = page.getByTestId(`model-${HUB_MODEL}`);
    await row.getByTestId('import').setInputFiles(empty);
    await expect(page.getByTestId('model-error')).toHaveAttribute(
      'data-code',
      'MODEL_FILE_CORRUPT',
    );
    await expect(page.getByTestId('model-error')).toContainText('is empty (0 bytes)');
    await expect(row).not.toHaveAttribute('data-state', 'cached');

    await row.getByTestId('import').setInputFiles(folder);
    await expect(row).toHaveAttribute('data-state', 'cached');
    await expect(row).toHaveAttribute('data-integrity', 'recorded');
    // Kept under the local revision with each file's hash recorded, so it loads offline later.
    const keys = await cached(page, 'tokenskip-models-v1');
    expect(keys.some((k) => k.includes(`/${HUB_REPO}/resolve/local-import/`))).toBe(true);
    const hashes = await cached(page, 'tokenskip-model-hashes-v1');
    expect(hashes.filter((k) => k.includes('/resolve/local-import/')).length).toBeGreaterThan(0);
    expect(host.log).toEqual([]);
  } finally {
    await context.setOffline(false);
    rmSync(work, { recursive: true, force: true });
  }
});

test('delete forgets a recorded hash: after a wrong first download, the genuine file is accepted', async ({
  page,
}) => {
  await openModels(page);
  const row = page.getByTestId(`model-${HUB_MODEL}`);
  // The host serves other bytes first (same size): recorded as they came, no hash to say otherwise.
  host.faults.corrupt = `/${HUB_REPO}/tokenizer.json`;
  await row.getByTestId('download').click();
  await expect(row).toHaveAttribute('data-state', 'cached');
  await row.getByTestId('delete').click();
  await expect(row).toHaveAttribute('data-state', 'missing');
  host.faults.corrupt = undefined; // the genuine file
  await row.getByTestId('download').click();
  await expect(row).toHaveAttribute('data-state', 'cached');
  await expect(row).toHaveAttribute('data-integrity', 'recorded');
});

test('a reload in the middle of a download resumes from the bytes received, not from byte 0', async ({
  page,
}) => {
  host.faults.slow = DATA; // 8 KiB every 100 ms: several seconds for the fixture's data
  const row = await openModels(page);
  await row.getByTestId('download').click();
  await expect.poll(() => host.log.some((r) => r.path === DATA)).toBe(true);
  const received = () =>
    page.evaluate(
      async (url) => {
        const hit = await (
          await caches.open('tokenskip-partial-v1')
        ).match(`${url}?tokenskip-part=meta`);
        return hit ? ((await hit.json()) as { received: number }).received : 0;
      },
      `${host.url}${DATA.slice(1)}`,
    );
  // Bytes reach the cache while the download runs (every second), not only at its end.
  await expect.poll(received, { timeout: 20_000 }).toBeGreaterThan(0);
  await page.reload(); // no cancel: the page just goes away mid-download
  await expect(page.getByTestId('models-page')).toHaveAttribute('data-ready', '1');
  const kept = await received();
  expect(kept).toBeGreaterThan(0);
  host.faults.slow = undefined;
  await row.getByTestId('download').click();
  await expect(row).toHaveAttribute('data-state', 'cached');
  await expect(row).toHaveAttribute('data-integrity', 'verified');
  expect(host.log.filter((r) => r.path === DATA).at(-1)).toEqual({
    path: DATA,
    range: `bytes=${kept}-`,
  });
});

/**
 * The hub itself, faked on the page's context (no model host set): the revision API, the tree
 * listing `@huggingface/hub` reads (sizes, the graph's LFS sha256, each regular file's git blob
 * sha1 as `oid`) and `resolve` answers with the hub's headers, files from the mbert fixture.
 * `tamper` serves that file with one byte changed (same size).
 */
async function fakeHub(page: Page, tamper?: string) {
  const rev = 'f'.repeat(40);
  const fixture = (file: string) =>
    readFileSync(
      path.resolve('models/fixtures/tiny-lingua-mbert', file.replace('model_quantized', 'model')),
    );
  const files = [
    'config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    'onnx/model_quantized.onnx',
  ];
  const sha = (algorithm: string, data: Buffer, prefix = '') =>
    createHash(algorithm).update(prefix).update(data).digest('hex');
  const cors = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers':
      'Content-Length, ETag, X-Repo-Commit, X-Linked-Size, X-Linked-Etag',
  };
  const asked: string[] = [];
  await page.context().route('https://huggingface.co/**', async (route) => {
    const url = new URL(route.request().url());
    asked.push(url.pathname);
    if (url.pathname === `/api/models/${HUB_REPO}/revision/main`)
      return route.fulfill({ headers: cors, json: { sha: rev } });
    if (url.pathname.startsWith(`/api/models/${HUB_REPO}/tree/${rev}`))
      return route.fulfill({
        headers: cors,
        json: files.map((file) => {
          const data = fixture(file);
          return file.endsWith('.onnx')
            ? {
                type: 'file',
                path: file,
                size: 134,
                oid: 'c'.repeat(40),
                lfs: { oid: sha('sha256', data), size: data.length, pointerSize: 134 },
              }
            : {
                type: 'file',
                path: file,
                size: data.length,
                oid: sha('sha1', data, `blob ${data.length}\0`),
              };
        }),
      });
    const prefix = `/${HUB_REPO}/resolve/${rev}/`;
    if (!url.pathname.startsWith(prefix))
      return route.fulfill({ status: 404, headers: cors, body: '' });
    const file = url.pathname.slice(prefix.length);
    let data = fixture(file);
    const etag = file.endsWith('.onnx')
      ? `"${data.length}-lfs"`
      : `"${sha('sha1', data, `blob ${data.length}\0`)}"`;
    if (file === tamper) {
      data = Buffer.from(data);
      data[data.length >> 1]! ^= 0xff;
    }
    return route.fulfill({
      headers: {
        ...cors,
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(data.length),
        ETag: etag,
        'X-Repo-Commit': rev,
      },
      body: data,
    });
  });
  return asked;
}

test('hub loads without a model host follow the Node rules: a wrong graph is refused by the hub listing, a right one is labelled "hash from the hub"', async ({
  page,
}) => {
  await fakeHub(page, 'onnx/model_quantized.onnx');
  await page.goto(`/#/compress?model=${HUB_MODEL}&backend=wasm&rate=0.5`);
  await expect(page.getByTestId('error')).toContainText(
    /onnx\/model_quantized\.onnx has sha256 .* from the hub's own listing/,
  );
  expect((await cached(page, 'tokenskip-models-v1')).filter((p) => p.endsWith('.onnx'))).toEqual(
    [],
  );
  await page.context().unrouteAll({ behavior: 'ignoreErrors' });
  await fakeHub(page);
  await page.reload();
  await page.getByTestId('cot').fill('She makes 9 * 2 = $18 every day at the market.');
  await page.getByTestId('compress').click();
  await expect(page.getByTestId('compressed')).toBeVisible();
  await expect(page.getByTestId('integrity')).toHaveAttribute('data-integrity', 'hub');
});

test('Models page on the hub: a regular file with the right size and wrong bytes is refused by its git blob sha1; hub hashes are labelled as the hub’s', async ({
  page,
}) => {
  await fakeHub(page, 'tokenizer_config.json');
  await openModels(page, false);
  const row = page.getByTestId(`model-${HUB_MODEL}`);
  await row.getByTestId('download').click();
  await expect(page.getByTestId('model-error')).toHaveAttribute('data-code', 'MODEL_FILE_CORRUPT');
  await expect(page.getByTestId('model-error')).toContainText(
    /tokenizer_config\.json has git blob sha1 .* from the hub/,
  );
  await expect(row).not.toHaveAttribute('data-state', 'cached');
  await page.context().unrouteAll({ behavior: 'ignoreErrors' });
  await fakeHub(page);
  await row.getByTestId('download').click();
  await expect(row).toHaveAttribute('data-state', 'cached');
  await expect(row).toHaveAttribute('data-integrity', 'hub');
  await expect(row.getByTestId('integrity')).toHaveText('hash from the hub');
});
