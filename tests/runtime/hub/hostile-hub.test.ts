/**
 * A hostile hub on loopback (a real HTTP server on 127.0.0.1, no mocks) against `tokenskip models`
 * (issue 23, items 11–14). The registry has no sha256 for these files, as for the real hub entries:
 * what a download must match comes from the hub itself (its listing at the revision: size and LFS
 * sha256) or, where a server has no listing, from the response's own declared size within the
 * registry's bounds.
 *
 * 11. a close-delimited body cut in half, 26 bytes of garbage, a right Content-Range with wrong
 *     bytes: refused, nothing kept or recorded; `rm` forgets a recorded hash.
 * 12. an endless body: refused at the first byte past the declared size (or at once, with no
 *     declared size); a declared size far over the registry's is refused before a byte is read.
 * 13. a 1 byte/s trickle or a server that never answers: stopped by the stall timeout, bytes kept.
 * 14. a registry naming `../../../../escaped.txt` (or a repo or revision like it): refused before
 *     anything is written or deleted outside the store.
 *
 * And the gaps left after them (issue #23, runtime follow-up): a regular (non-LFS) hub file with
 * the right size and the wrong bytes is refused by its git blob sha1 (the listing's `oid`, the
 * hub's ETag), and a hash taken from the hub is labelled as the hub's, not "recorded locally".
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/fixtures.ts';

const bin = path.join(repoRoot, 'bin/tokenskip.mjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-hostile-'));
const store = path.join(tmp, 'a', 'b', 'c', 'store');
const rev = 'e'.repeat(40);
const graph = randomBytes(1_000_000);
const config = Buffer.from(JSON.stringify({ model_type: 'bert', num_labels: 2 }));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** The git blob id of a regular file, what the hub lists as `oid` and answers as its ETag. */
const gitSha1 = (b: Buffer) =>
  createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
/** config.json with other bytes of the same size (a replaced regular file). */
const tamperedConfig = Buffer.from(config.toString('utf8').replace('bert', 'BERT'));
const onnx = { file: 'onnx/model.onnx', dtype: 'fp32' };

/** Each repo misbehaves in its own way on the graph; config.json is always served honestly. */
const BEHAVIOURS = [
  'cut',
  'garbage',
  'badrange',
  'endless',
  'trickle',
  'hang',
  'huge',
  'honest',
  // The graph honest, config.json replaced by other bytes of its size (a regular, non-LFS file).
  'blob',
] as const;
type Behaviour = (typeof BEHAVIOURS)[number];
const entry = (name: string, extra: Record<string, unknown> = {}) => ({
  id: `evil-${name}`,
  label: name,
  kind: 'token-classifier',
  family: 'wordpiece',
  onnx: { webgpu: onnx, wasm: onnx, node: onnx },
  source: { type: 'hub', repo: `evil/${name}`, revision: rev },
  // Approximate sizes, no sha256: as the registry lists the real hub models.
  files: [
    { path: 'config.json', size: config.length },
    { path: 'onnx/model.onnx', size: 1_000_000 },
  ],
  ...extra,
});
const registryFile = path.join(tmp, 'models', 'manifest.json');
mkdirSync(path.dirname(registryFile), { recursive: true });
writeFileSync(
  registryFile,
  JSON.stringify({
    version: 2,
    defaults: { scorer: 'evil-honest', generation: 'evil-honest', reference: 'evil-honest' },
    models: [
      ...BEHAVIOURS.map((b) => entry(b)),
      ...BEHAVIOURS.map((b) => ({ ...entry(`${b}-nolist`) })),
    ],
  }),
);

/** Repos whose listing the server refuses (a mirror without the API). */
const noList = (repo: string) => repo.endsWith('-nolist');
/** Bytes the server managed to send of endless bodies, per repo. */
const sent: Record<string, number> = {};
/** Requests for the graph, per repo. */
const graphRequests: Record<string, { range?: string }[]> = {};
/** What the `honest` repos serve for the graph (a test swaps it). */
let honestGraph: Buffer = graph;

function listing(res: ServerResponse) {
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(
    JSON.stringify([
      { type: 'file', path: 'config.json', size: config.length, oid: gitSha1(config) },
      { type: 'directory', path: 'onnx', size: 0, oid: 'b'.repeat(40) },
      {
        type: 'file',
        path: 'onnx/model.onnx',
        size: 134,
        oid: 'c'.repeat(40),
        lfs: { oid: sha(graph), size: graph.length, pointerSize: 134 },
      },
    ]),
  );
}

function endless(res: ServerResponse, repo: string, headers: Record<string, string> = {}) {
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', ...headers });
  sent[repo] = 0;
  const chunk = randomBytes(64 * 1024);
  let open = true;
  res.on('close', () => (open = false));
  const pump = () => {
    while (open && sent[repo]! < 300 * 2 ** 20) {
      sent[repo]! += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

function serveGraph(req: IncomingMessage, res: ServerResponse, repo: string, how: Behaviour) {
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  (graphRequests[repo] ??= []).push(req.headers.range ? { range: req.headers.range } : {});
  const binary = { 'Content-Type': 'application/octet-stream' };
  switch (how) {
    case 'cut': // close-delimited (no Content-Length), half the file, then a clean end
      res.writeHead(200, binary);
      res.end(graph.subarray(0, graph.length / 2));
      return;
    case 'garbage':
      res.writeHead(200, { ...binary, 'Content-Length': '26' }).end('abcdefghijklmnopqrstuvwxyz');
      return;
    case 'badrange':
      if (range) {
        // The right Content-Range, the wrong bytes.
        const start = Number(range[1]);
        const wrong = randomBytes(graph.length - start);
        res.writeHead(206, {
          ...binary,
          'Content-Length': String(wrong.length),
          'Content-Range': `bytes ${start}-${graph.length - 1}/${graph.length}`,
        });
        res.end(wrong);
        return;
      }
      res.writeHead(200, { ...binary, 'Content-Length': String(graph.length) });
      res.write(graph.subarray(0, 300_000), () => setTimeout(() => res.destroy(), 50));
      return;
    case 'endless':
      return endless(res, repo);
    case 'huge':
      return endless(res, repo, { 'Content-Length': String(300 * 2 ** 20) });
    case 'trickle': {
      res.writeHead(200, { ...binary, 'Content-Length': String(graph.length) });
      let at = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(graph.subarray(at, at + 1));
        at++;
      }, 100);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case 'hang':
      return; // never answers
    case 'honest':
    case 'blob':
      res.writeHead(200, { ...binary, 'Content-Length': String(honestGraph.length) });
      res.end(honestGraph);
      return;
  }
}

let server: Server;
let host = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    const list = /^\/api\/models\/evil\/([\w-]+)\/tree\/([0-9a-f]{40})\?/.exec(url);
    if (list) {
      if (noList(list[1]!)) res.writeHead(404, { 'X-Error-Code': 'RepoNotFound' }).end('{}');
      else listing(res);
      return;
    }
    const m = /^\/evil\/([\w-]+)\/resolve\/([0-9a-f]{40})\/(.+)$/.exec(url);
    if (!m) return void res.writeHead(404).end('not found');
    const repo = m[1]!;
    if (m[3] === 'config.json') {
      // As the hub answers a regular file: its git blob id as the ETag, the commit it resolved.
      const body = repo.startsWith('blob') ? tamperedConfig : config;
      res
        .writeHead(200, {
          'Content-Length': String(body.length),
          ETag: `"${gitSha1(config)}"`,
          'X-Repo-Commit': m[2]!,
        })
        .end(body);
      return;
    }
    serveGraph(req, res, repo, repo.replace(/-nolist$/, '') as Behaviour);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  host = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string; ms: number }>((resolve) => {
    const started = Date.now();
    execFile(
      process.execPath,
      [bin, 'models', ...args, '--dir', store],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          TOKENSKIP_REGISTRY: registryFile,
          HF_ENDPOINT: host,
          TOKENSKIP_CACHE: '',
          TOKENSKIP_STALL_SECONDS: '2',
          TOKENSKIP_STALL_BYTES: '4096',
          ...env,
        },
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
          ms: Date.now() - started,
        }),
    );
  });
}

const local = (name: string, file = 'onnx/model.onnx') =>
  path.join(store, `evil/${name}`, rev, file);
/** Nothing of the graph is kept: no file, no partial, no recorded hash. */
function nothingKept(name: string) {
  const file = local(name);
  expect(existsSync(file)).toBe(false);
  expect(existsSync(`${file}.partial`)).toBe(false);
  expect(existsSync(`${file}.sha256.json`)).toBe(false);
}

describe('11: half-downloaded and wrong files are never trusted', { timeout: 120_000 }, () => {
  it('a close-delimited body cut in half: refused (with and without the hub listing)', async () => {
    const withList = await cli(['pull', 'evil-cut']);
    expect(withList.code).not.toBe(0);
    expect(withList.stderr).toMatch(/MODEL_FILE_CORRUPT.*ended after 500000 of the 1000000 bytes/);
    nothingKept('cut');
    const without = await cli(['pull', 'evil-cut-nolist']);
    expect(without.code).not.toBe(0);
    expect(without.stderr).toMatch(/MODEL_FILE_CORRUPT.*declared no size/);
    nothingKept('cut-nolist');
    // verify counts the graph as not downloaded, never as a file that passed.
    expect((await cli(['verify', 'evil-cut'])).stderr).toMatch(/1 of 2 files ok, 1 not downloaded/);
  });

  it('26 bytes of garbage: refused against the hub listing, and against the registry bounds', async () => {
    const withList = await cli(['pull', 'evil-garbage']);
    expect(withList.stderr).toMatch(/offers 26 bytes, the hub's listing expects 1000000/);
    nothingKept('garbage');
    const without = await cli(['pull', 'evil-garbage-nolist']);
    expect(without.stderr).toMatch(/declares 26 bytes where the registry lists about 1000000/);
    nothingKept('garbage-nolist');
  });

  it('a right Content-Range with wrong bytes: refused by the LFS sha256 the hub lists', async () => {
    const first = await cli(['pull', 'evil-badrange']);
    expect(first.stderr).toMatch(/DOWNLOAD_FAILED.*interrupted after \d+ of 1000000 bytes/);
    expect(statSync(`${local('badrange')}.partial`).size).toBeGreaterThan(0);
    const second = await cli(['pull', 'evil-badrange']);
    expect(graphRequests['badrange']!.at(-1)!.range).toMatch(/^bytes=\d+-$/);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/MODEL_FILE_CORRUPT.*sha256 .* from the hub's own listing/);
    nothingKept('badrange');
  });

  it('rm forgets a recorded hash: the genuine file is accepted again after rm', async () => {
    // No listing: the first download is recorded as it came (a tampered but well-formed file).
    honestGraph = randomBytes(graph.length);
    expect((await cli(['pull', 'evil-honest-nolist'])).code).toBe(0);
    expect(existsSync(`${local('honest-nolist')}.sha256.json`)).toBe(true);
    honestGraph = graph; // the genuine file
    const rm = await cli(['rm', 'evil-honest-nolist']);
    expect(rm.code).toBe(0);
    expect(rm.stderr).toMatch(/recorded hashes are forgotten/);
    expect(existsSync(`${local('honest-nolist')}.sha256.json`)).toBe(false);
    expect((await cli(['pull', 'evil-honest-nolist'])).code).toBe(0);
    expect((await cli(['verify', 'evil-honest-nolist'])).code).toBe(0);
    // With the listing, a first download is checked against the hub's sha256: 'verified' bytes.
    expect((await cli(['pull', 'evil-honest'])).code).toBe(0);
  });
});

describe(
  "a regular hub file is checked by its git blob sha1; hub hashes are labelled as the hub's",
  { timeout: 120_000 },
  () => {
    it('right size, wrong bytes: refused by the listing oid, and by the ETag without a listing', async () => {
      expect(tamperedConfig.length).toBe(config.length);
      for (const name of ['blob', 'blob-nolist']) {
        const result = await cli(['pull', `evil-${name}`]);
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(
          new RegExp(
            `MODEL_FILE_CORRUPT.*evil-${name}/config.json has git blob sha1 ${gitSha1(tamperedConfig).slice(0, 12)}…, expected ${gitSha1(config).slice(0, 12)}… from the hub`,
          ),
        );
        const file = local(name, 'config.json');
        expect(existsSync(file)).toBe(false);
        expect(existsSync(`${file}.partial`)).toBe(false);
        expect(existsSync(`${file}.sha256.json`)).toBe(false);
      }
    });

    it('a hash from the hub is labelled "hash from the hub" in ls, pull and verify; none, "recorded locally"', async () => {
      const pulled = await cli(['pull', 'evil-honest']);
      expect(pulled.code).toBe(0);
      expect(pulled.stderr).toMatch(/evil-honest: .*hash from the hub/);
      // Both records say where their hash came from.
      for (const file of ['config.json', 'onnx/model.onnx'])
        expect(
          JSON.parse(readFileSync(`${local('honest', file)}.sha256.json`, 'utf8')) as unknown,
        ).toMatchObject({ from: 'hub' });
      const ls = JSON.parse((await cli(['ls', '--json'])).stdout) as {
        models: { id: string; check: string }[];
      };
      expect(ls.models.find((m) => m.id === 'evil-honest')?.check).toBe('hash from the hub');
      expect((await cli(['verify', 'evil-honest'])).stderr).toMatch(
        /evil-honest: hash from the hub \(2 of 2 files ok\)/,
      );
      // Without a listing the graph has no hash from anyone (config.json's ETag still checks the
      // regular file): recorded locally, as before.
      expect((await cli(['pull', 'evil-honest-nolist'])).code).toBe(0);
      expect(
        JSON.parse(readFileSync(`${local('honest-nolist', 'config.json')}.sha256.json`, 'utf8')),
      ).toMatchObject({ from: 'hub' });
      const again = JSON.parse((await cli(['ls', '--json'])).stdout) as typeof ls;
      expect(again.models.find((m) => m.id === 'evil-honest-nolist')?.check).toBe(
        'hash recorded locally',
      );
    });
  },
);

describe('12: an endless body and a size bound', { timeout: 120_000 }, () => {
  it('an endless body is cut at the first byte past the listed size and refused', async () => {
    const result = await cli(['pull', 'evil-endless']);
    expect(result.stderr).toMatch(/longer than declared/);
    nothingKept('endless');
    expect(sent['endless']!).toBeLessThan(30 * 2 ** 20); // the server was stopped early
  });

  it('with no declared size, an endless body is refused before a byte is kept', async () => {
    const result = await cli(['pull', 'evil-endless-nolist']);
    expect(result.stderr).toMatch(/declared no size/);
    nothingKept('endless-nolist');
    expect(sent['endless-nolist']!).toBeLessThan(30 * 2 ** 20);
  });

  it('a declared size far over the registry bound is refused before reading', async () => {
    const result = await cli(['pull', 'evil-huge-nolist']);
    expect(result.stderr).toMatch(
      /declares 314572800 bytes where the registry lists about 1000000/,
    );
    const bounded = await cli(['pull', 'evil-huge-nolist'], { TOKENSKIP_MAX_FILE_BYTES: '5000' });
    expect(bounded.stderr).toMatch(/over the 5000-byte bound for one model file/);
    nothingKept('huge-nolist');
    expect(sent['huge-nolist']!).toBeLessThan(30 * 2 ** 20);
  });
});

describe('13: a stall timeout', { timeout: 120_000 }, () => {
  it('a trickle is stopped by the stall timeout; the bytes received are kept for a resume', async () => {
    const result = await cli(['pull', 'evil-trickle']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/DOWNLOAD_FAILED.*stalled: \d+ bytes in 2 s/);
    expect(result.ms).toBeLessThan(40_000); // 2 s stall limit; the rest is a busy machine's CLI start
    expect(existsSync(local('trickle'))).toBe(false);
  });

  it('a server that never answers is stopped too', async () => {
    const result = await cli(['pull', 'evil-hang']);
    expect(result.stderr).toMatch(/DOWNLOAD_FAILED.*stalled/);
    expect(result.ms).toBeLessThan(40_000); // 2 s stall limit; the rest is a busy machine's CLI start
  });
});

describe(
  '14: every path from a registry or a server stays inside the store',
  { timeout: 120_000 },
  () => {
    const escaped = path.join(tmp, 'escaped.txt');
    const bad = (name: string, extra: Record<string, unknown>) => {
      const file = path.join(tmp, name, 'models', 'manifest.json');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(
        file,
        JSON.stringify({
          version: 2,
          defaults: { scorer: 'evil-honest', generation: 'evil-honest', reference: 'evil-honest' },
          models: [entry('honest', extra)],
        }),
      );
      return file;
    };

    it.each([
      ['a file', { files: [{ path: '../../../../../escaped.txt', size: 26 }] }],
      ['an absolute file', { files: [{ path: escaped, size: 26 }] }],
      [
        'a graph',
        { onnx: { webgpu: onnx, wasm: onnx, node: { file: '../../x.onnx', dtype: 'fp32' } } },
      ],
      ['a repo', { source: { type: 'hub', repo: '../../..', revision: rev } }],
      ['a revision', { source: { type: 'hub', repo: 'evil/honest', revision: '../../..' } }],
    ])('%s with ../ is refused by pull and rm, nothing written or deleted', async (what, extra) => {
      writeFileSync(escaped, 'keep me');
      const registry = bad(what.replace(/\W/g, '-'), extra);
      for (const action of ['pull', 'rm']) {
        const result = await cli([action, 'evil-honest'], { TOKENSKIP_REGISTRY: registry });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/INVALID_ARGUMENT.*is not allowed/);
      }
      expect(existsSync(escaped)).toBe(true);
      expect(readdirSync(tmp)).not.toContain('escaped.txt.partial');
    });

    it('a revision.json written to point outside the store is refused', async () => {
      const unpinned = bad('unpinned', { source: { type: 'hub', repo: 'evil/unpinned' } });
      mkdirSync(path.join(store, 'evil/unpinned'), { recursive: true });
      writeFileSync(
        path.join(store, 'evil/unpinned/revision.json'),
        JSON.stringify({ revision: '../../../../..' }),
      );
      const result = await cli(['pull', 'evil-honest'], { TOKENSKIP_REGISTRY: unpinned });
      expect(result.stderr).toMatch(
        /INVALID_ARGUMENT.*revision "..\/..\/..\/..\/.." is not allowed/,
      );
    });
  },
);
