/**
 * The one transfer loop (src/runtime/hub/resume.ts `resumableTransfer`) against a real HTTP server
 * on loopback, over both of its stores: Node's `.partial` file (node/download.ts `partialFile`)
 * and the browser's chunks in Cache Storage (web/resumable-download.ts `cachePartial`, here over an
 * in-memory cache with the Cache API's match/put/delete). Each store runs with the option its
 * platform uses: Node sends If-Range, the browser compares the ETag itself.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TokenSkipError } from '../../../src/core/errors.ts';
import { partialFile } from '../../../src/runtime/hub/node/download.ts';
import {
  resumableTransfer,
  type PartialStore,
  type TransferErrors,
  type TransferOptions,
} from '../../../src/runtime/hub/resume.ts';
import { cachePartial } from '../../../src/runtime/hub/web/resumable-download.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-resume-'));
const data = randomBytes(300_000);
const changed = randomBytes(data.length);

/** A Cache with the three calls the browser store makes, kept in memory. */
function memoryCache(): Cache {
  const entries = new Map<string, Uint8Array<ArrayBuffer>>();
  const key = (r: RequestInfo | URL) =>
    typeof r === 'string' ? r : r instanceof URL ? r.href : r.url;
  return {
    match: async (r: RequestInfo | URL) => {
      const bytes = entries.get(key(r));
      return bytes && new Response(bytes);
    },
    put: async (r: RequestInfo | URL, response: Response) => {
      entries.set(key(r), new Uint8Array(await response.arrayBuffer()));
    },
    delete: async (r: RequestInfo | URL) => entries.delete(key(r)),
  } as unknown as Cache;
}

let places = 0;
/** A place to keep one file, per store: the same place is opened again by each try. */
const STORES: [string, boolean, (url: string) => () => PartialStore][] = [
  [
    "Node's .partial file",
    true,
    (url) => {
      const target = path.join(dir, `file-${++places}.bin`);
      return () => partialFile(target, url);
    },
  ],
  [
    "the browser's chunks in Cache Storage",
    false,
    (url) => {
      const cache = memoryCache();
      return () => cachePartial(url, 'model.bin', cache);
    },
  ],
];

/** Errors that name what happened (the platforms' wordings are the CLI's and the app's tests). */
const errors: TransferErrors = {
  stopped: (_error, kept, total, why) =>
    new TokenSkipError(
      'DOWNLOAD_FAILED',
      `stopped (${typeof why === 'object' ? 'stalled' : (why ?? 'network')}) at ${kept} of ${total ?? '?'}`,
    ),
  endedShort: (received, total) =>
    new TokenSkipError('DOWNLOAD_FAILED', `ended short at ${received} of ${total}`),
  endedNoSize: (received, total) =>
    new TokenSkipError('MODEL_FILE_CORRUPT', `ended with no size at ${received} of ${total}`),
  html: () => new TokenSkipError('MODEL_FILE_CORRUPT', 'an HTML page'),
};

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler;
const seen: { range?: string; ifRange?: string }[] = [];
let server: Server;
let host = '';

/** Serves `body` as a host does: Range answered with 206, If-Range honoured, an ETag. */
const honest =
  (body: Buffer = data, etag = '"v1"'): Handler =>
  (req, res) => {
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && (ifRange === undefined || ifRange === etag)) {
      const start = Number(range[1]);
      res.writeHead(206, {
        'Content-Length': String(body.length - start),
        'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}`,
        ETag: etag,
      });
      return void res.end(body.subarray(start));
    }
    res.writeHead(200, { 'Content-Length': String(body.length), ETag: etag }).end(body);
  };

/** Sends the first `n` bytes of a 200 with the whole size declared, then drops the connection. */
const cutAfter =
  (n: number): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'Content-Length': String(data.length), ETag: '"v1"' });
    res.write(data.subarray(0, n), () => setTimeout(() => res.destroy(), 50));
  };

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers['if-range'] ? { ifRange: String(req.headers['if-range']) } : {}),
    });
    handler(req, res);
  });
  host = await new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  seen.length = 0;
});

const bytesOf = async (store: PartialStore) =>
  Buffer.from(await new Response(store.body()).arrayBuffer());

describe.each(STORES)('the transfer loop over %s', (_name, ifRange, place) => {
  let files = 0;
  /** A fresh URL (the browser keys by it) and its place; `run` is one try. */
  const file = () => {
    const url = `${host}/file-${++files}.bin`;
    const open = place(url);
    const run = (options: Partial<TransferOptions> = {}) =>
      resumableTransfer(open(), {
        url,
        where: 'model.bin',
        ifRange,
        limits: { stallMs: 10_000, stallBytes: 1, maxFileBytes: 2 ** 20 },
        errors,
        ...options,
      });
    return { open, run };
  };
  /** A try cut mid-file: the bytes received are kept, and their count is returned. */
  const cut = async (f: ReturnType<typeof file>, n = 100_000) => {
    handler = cutAfter(n);
    await expect(f.run()).rejects.toThrow(/^stopped \(network\) at \d+ of 300000$/);
    const kept = (await f.open().kept())?.bytes ?? 0;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(n);
    return kept;
  };

  it('downloads a whole file with its progress', async () => {
    const f = file();
    handler = honest();
    const progress: number[] = [];
    const result = await f.run({ onProgress: (p) => progress.push(p.loaded) });
    expect(result).toMatchObject({ total: data.length, resumedFrom: 0 });
    expect(result.headers.get('ETag')).toBe('"v1"');
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(data.length);
    expect((await bytesOf(f.open())).equals(data)).toBe(true);
    expect(seen).toEqual([{}]);
  });

  it('resumes after a cut with a Range request for exactly the rest', async () => {
    const f = file();
    const kept = await cut(f);
    seen.length = 0;
    handler = honest();
    const result = await f.run();
    expect(result).toMatchObject({ total: data.length, resumedFrom: kept });
    // Node guards the resume with If-Range; the browser sends Range alone (no CORS preflight).
    expect(seen).toEqual([{ range: `bytes=${kept}-`, ...(ifRange ? { ifRange: '"v1"' } : {}) }]);
    expect((await bytesOf(f.open())).equals(data)).toBe(true);
  });

  it('a 200 to a Range request restarts from byte 0 with that answer, the kept bytes dropped', async () => {
    const f = file();
    const kept = await cut(f);
    seen.length = 0;
    handler = (_req, res) =>
      res.writeHead(200, { 'Content-Length': String(data.length), ETag: '"v1"' }).end(data);
    expect(await f.run()).toMatchObject({ resumedFrom: 0 });
    expect(seen).toEqual([{ range: `bytes=${kept}-`, ...(ifRange ? { ifRange: '"v1"' } : {}) }]);
    expect((await bytesOf(f.open())).equals(data)).toBe(true);
  });

  it('a 206 that does not continue the kept bytes, or a 416: asked again without Range', async () => {
    for (const wrong of [
      (res: ServerResponse) =>
        res
          .writeHead(206, {
            'Content-Length': String(data.length),
            'Content-Range': `bytes 0-${data.length - 1}/${data.length}`,
          })
          .end(data),
      (res: ServerResponse) => res.writeHead(416).end(),
    ]) {
      const f = file();
      const kept = await cut(f);
      seen.length = 0;
      handler = (req, res) => (req.headers.range ? wrong(res) : honest()(req, res));
      expect(await f.run()).toMatchObject({ resumedFrom: 0 });
      expect(seen.map((s) => s.range)).toEqual([`bytes=${kept}-`, undefined]);
      expect((await bytesOf(f.open())).equals(data)).toBe(true);
    }
  });

  it('a file changed on the server is never spliced onto the kept bytes', async () => {
    const f = file();
    await cut(f);
    seen.length = 0;
    handler = honest(changed, '"v2"');
    expect(await f.run()).toMatchObject({ resumedFrom: 0 });
    // Node: the server saw If-Range "v1" and answered the whole file; the browser saw ETag "v2"
    // on the 206 and asked again.
    expect(seen).toHaveLength(ifRange ? 1 : 2);
    expect((await bytesOf(f.open())).equals(changed)).toBe(true);
  });

  it('an over-long body is refused at the first byte past the declared size, nothing kept', async () => {
    const f = file();
    handler = (_req, res) => {
      res.writeHead(200); // no Content-Length: the expected size is the bound
      res.end(Buffer.concat([data, randomBytes(70_000)]));
    };
    await expect(f.run({ expected: data.length })).rejects.toMatchObject({
      code: 'MODEL_FILE_CORRUPT',
      detail: { params: { reason: { id: 'reasonTooLong' } } },
    });
    expect(await f.open().kept()).toBeUndefined();
  });

  it('an HTML page, by its type or by its first bytes, is refused with nothing kept', async () => {
    const page = '<!DOCTYPE html><html><body>Sign in</body></html>';
    for (const type of ['text/html; charset=utf-8', 'application/octet-stream']) {
      const f = file();
      await cut(f);
      handler = (_req, res) => res.writeHead(200, { 'Content-Type': type }).end(page);
      await expect(f.run({ expected: data.length })).rejects.toThrow(/^an HTML page$/);
      expect(await f.open().kept()).toBeUndefined();
    }
    // Without a size anywhere, the page is still named as a page, not as a missing size.
    const f = file();
    handler = (_req, res) => {
      res.writeHead(200);
      res.end(page);
    };
    await expect(f.run()).rejects.toThrow(/^an HTML page$/);
  });

  it('a short body: kept when the server declared its size, dropped when it did not', async () => {
    const f = file();
    // A clean end after 1000 bytes of a file the answer says has 300000.
    handler = (_req, res) =>
      res
        .writeHead(206, {
          'Content-Length': '1000',
          'Content-Range': `bytes 0-999/${data.length}`,
        })
        .end(data.subarray(0, 1000));
    await expect(f.run()).rejects.toThrow(/^ended short at 1000 of 300000$/);
    expect((await f.open().kept())?.bytes).toBe(1000);
    const g = file();
    handler = (_req, res) => {
      res.writeHead(200); // close-delimited: a clean end, no size of its own
      res.end(data.subarray(0, 1000));
    };
    await expect(g.run({ expected: data.length })).rejects.toThrow(
      /^ended with no size at 1000 of 300000$/,
    );
    expect(await g.open().kept()).toBeUndefined();
  });

  it('a stalled body is stopped by the watchdog, its bytes kept', async () => {
    const f = file();
    let held: ServerResponse | undefined;
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Length': String(data.length) });
      res.write(data.subarray(0, 5000));
      held = res; // and nothing more
    };
    await expect(
      f.run({ limits: { stallMs: 300, stallBytes: 1, maxFileBytes: 2 ** 20 } }),
    ).rejects.toThrow(/^stopped \(stalled\) at 5000 of 300000$/);
    held?.destroy();
    expect((await f.open().kept())?.bytes).toBe(5000);
  });

  it("the caller's cancel stops the transfer, the bytes received kept", async () => {
    const f = file();
    const controller = new AbortController();
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Length': String(data.length) });
      res.write(data.subarray(0, 5000), () => setTimeout(() => controller.abort(), 100));
    };
    await expect(f.run({ signal: controller.signal })).rejects.toThrow(
      /^stopped \(cancelled\) at 5000 of 300000$/,
    );
    expect((await f.open().kept())?.bytes).toBe(5000);
  });
});
