/**
 * WebLLM's real engine (CreateMLCEngine from @mlc-ai/web-llm, through our adapter) loading a
 * record written by `tokenskip export mlc --model-url` from a loopback server that serves the
 * export folder as is. WebLLM reads a model folder at `<model>/resolve/main/` (its cleanModelUrl),
 * then fetches mlc-chat-config.json, then the model library, and instantiates the library before
 * it asks for the GPU or reads the tokenizer and weights. A real compiled library cannot run here,
 * so the record names a bogus library on the same server: the request log must show the export's
 * config file and that library, then WebLLM's WebAssembly error.
 *
 * The same path checks the cache policy: a network error keeps what was cached (the retry does not
 * fetch it again), an HTML page served with status 200 (web-llm #289) is dropped from the cache.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWebLlmHarness } from './harness/webllm-bundle.ts';
import { expect, test, type Page } from '@playwright/test';
import { main } from '../src/node/cli.ts';
import { makeTinyModel } from '../tests/helpers/tiny-qwen2-checkpoint.ts';
import type { WebLlmModelRecord } from '../src/core/models/registry.ts';
import { securityHeaders } from '../src/node/security-headers.ts';

const ID = 'TokenSkip-tiny-q4f32_1-MLC';
const LIB = '/lib/tiny-q4f32_1-webgpu.wasm';

interface Logged {
  path: string;
  status: number;
}

let server: Server;
let origin = '';
let root = '';
let out = '';
let bundle = '';
const log: Logged[] = [];
/** Per-path overrides for the next request(s): a status to fail with, or an HTML page. */
const faults = new Map<string, { kind: 'status' | 'html'; times: number }>();

const quiet = {
  stdin: process.stdin,
  stdout: { write: () => true },
  stderr: { write: () => true },
} as never;

test.beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'webllm-load-'));
  bundle = await bundleWebLlmHarness();

  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = decodeURIComponent(url.pathname);
    const send = (status: number, body: string | Buffer, type: string) => {
      log.push({ path: p, status });
      // The app's own headers (CSP included): WebLLM must load under the policy the app ships.
      res.writeHead(status, {
        ...securityHeaders('preview'),
        'Content-Type': type,
        'Cache-Control': 'no-store',
      });
      res.end(body);
    };
    if (p === '/') {
      send(
        200,
        '<!doctype html><body><script type="module" src="/harness.js"></script>',
        'text/html',
      );
      return;
    }
    if (p === '/harness.js') return send(200, bundle, 'text/javascript');
    if (p === '/favicon.ico') return send(404, '', 'text/plain');
    const fault = faults.get(p);
    if (fault && fault.times > 0) {
      fault.times -= 1;
      if (fault.kind === 'status') return send(503, 'busy', 'text/plain');
      // A misconfigured host answering every path with its SPA page.
      return send(200, '<!doctype html><html><body>app</body></html>', 'text/html');
    }
    // Not a wasm module: WebLLM's instantiate must fail on it.
    if (p === LIB) return send(200, Buffer.from('not a webassembly module'), 'application/wasm');
    const prefix = `/m/${ID}/`;
    if (p.startsWith(prefix)) {
      const file = path.join(out, p.slice(prefix.length));
      if (file.startsWith(out + path.sep) && existsSync(file) && statSync(file).isFile()) {
        return send(200, readFileSync(file), 'application/octet-stream');
      }
    }
    send(404, 'not found', 'text/plain');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const model = path.join(root, 'tiny');
  makeTinyModel(model, 'F32');
  out = path.join(root, ID);
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
      `${origin}/m/${ID}`,
      '--model-lib',
      `${origin}${LIB}`,
    ],
    quiet,
  );
  expect(code).toBe(0);
});

test.afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (root) rmSync(root, { recursive: true, force: true });
});

function record(): WebLlmModelRecord {
  return JSON.parse(readFileSync(path.join(out, 'app-model-record.json'), 'utf8'));
}

async function open(page: Page) {
  await page.goto(`${origin}/`);
  await expect(page.locator('body')).toHaveAttribute('data-ready', '1');
  log.length = 0;
}

type LoadResult = { ok: boolean; code?: string; message?: string; causeName?: string };

function load(page: Page): Promise<LoadResult> {
  return page.evaluate(
    (r) =>
      (window as unknown as { harness: { load(r: unknown): Promise<LoadResult> } }).harness.load(r),
    record(),
  );
}

function cacheKeys(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(() =>
    (
      window as unknown as { harness: { cacheKeys(): Promise<Record<string, string[]>> } }
    ).harness.cacheKeys(),
  );
}

const files = (paths: Logged[]) => paths.map((l) => `${l.path} ${l.status}`);
const folder = `/m/${ID}/resolve/main/`;

test('real WebLLM reads an export mlc folder at <url>/resolve/main/, then the library', async ({
  page,
}) => {
  expect(record().model).toBe(`${origin}${folder}`);
  await open(page);
  const result = await load(page);
  expect(result.ok).toBe(false);
  // WebLLM compiled our bogus library: a content error, so the adapter dropped the model's cache.
  expect(result.causeName).toBe('CompileError');
  expect(result.code).toBe('MODEL_FILE_CORRUPT');
  const untilLibrary = log.slice(0, 2);
  expect(files(untilLibrary)).toEqual([`${folder}mlc-chat-config.json 200`, `${LIB} 200`]);
  // Every model-folder request hit a file the export wrote (nothing 404s, nothing outside it).
  for (const l of log.filter((x) => x.path.startsWith(`/m/${ID}/`))) {
    expect(l.status, l.path).toBe(200);
    expect(existsSync(path.join(out, l.path.slice(`/m/${ID}/`.length))), l.path).toBe(true);
  }
  // Clearing goes through web-llm's own delete helpers, which read tensor-cache.json to find the
  // shards: the same /resolve/main/ folder.
  expect(files(log.slice(2))).toEqual([`${folder}tensor-cache.json 200`]);
  const keys = await cacheKeys(page);
  for (const [name, entries] of Object.entries(keys)) expect(entries, name).toEqual([]);
  // The app reads the tokenizer from the folder WebLLM reads.
  expect(
    await page.evaluate(
      (r) =>
        (
          window as unknown as { harness: { tokenizerStatus(r: unknown): Promise<number> } }
        ).harness.tokenizerStatus(r),
      record(),
    ),
  ).toBe(200);
});

test('a network error keeps the cache and the retry resumes; an HTML page is dropped', async ({
  page,
}) => {
  await open(page);
  // 1. The library request fails with 503: mlc-chat-config.json is cached and stays cached.
  faults.set(LIB, { kind: 'status', times: 1 });
  const failed = await load(page);
  expect(failed.code).toBe('DOWNLOAD_FAILED');
  expect(files(log)).toEqual([`${folder}mlc-chat-config.json 200`, `${LIB} 503`]);
  expect((await cacheKeys(page))['webllm/config']).toEqual([`${folder}mlc-chat-config.json`]);
  // 2. Retry: the config comes from the cache (no request), only the library is fetched.
  log.length = 0;
  const retried = await load(page);
  expect(retried.causeName).toBe('CompileError');
  expect(files(log.slice(0, 1))).toEqual([`${LIB} 200`]);
  // 3. The host answers mlc-chat-config.json with its HTML page and status 200 (web-llm #289):
  // WebLLM cached it; the adapter sees the parse error and drops it, so the next load is clean.
  log.length = 0;
  faults.set(`${folder}mlc-chat-config.json`, { kind: 'html', times: 1 });
  const html = await load(page);
  expect(html.causeName).toBe('SyntaxError');
  expect(html.code).toBe('MODEL_FILE_CORRUPT');
  expect(files(log.slice(0, 1))).toEqual([`${folder}mlc-chat-config.json 200`]);
  expect((await cacheKeys(page))['webllm/config'] ?? []).toEqual([]);
  log.length = 0;
  const clean = await load(page);
  expect(clean.causeName).toBe('CompileError');
  expect(files(log.slice(0, 2))).toEqual([`${folder}mlc-chat-config.json 200`, `${LIB} 200`]);
});
