/**
 * `tokenskip models` as a subprocess against a real hub-like HTTP server on loopback, serving a
 * model folder generated here: ls, pull, verify, rm; a download cut mid-file resumes with a Range
 * request; a server that ignores Range restarts cleanly; an HTML page with status 200 keeps
 * nothing; a hash mismatch is refused; HF_TOKEN goes out as a header and is never printed.
 *
 * Under load every step waits on a state, never on a delay: a cut connection is dropped once the
 * CLI has written bytes of it to disk (not 50 ms after the server sent them: a loaded CLI had not
 * read them yet and kept 0 bytes), each test may take as long as its subprocesses do, and a test
 * that fails early ends its subprocesses before the next test starts (a leftover `pull` raced the
 * next test for the store, the lock and the server's faults).
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { findScorer } from '../../src/core/models/registry.ts';
import { repoRoot } from '../helpers/fixtures.ts';

const bin = path.join(repoRoot, 'bin/tokenskip.mjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tokenskip-models-'));
const store = path.join(tmp, 'store');
const rev = 'c'.repeat(40);
const mainSha = 'd'.repeat(40);
const token = 'hf_secret_token_123';

// The generated model: a config and a 600 kB "graph" of random bytes.
const files: Record<string, Buffer> = {
  'config.json': Buffer.from(JSON.stringify({ model_type: 'bert', num_labels: 2 })),
  'onnx/model.onnx': randomBytes(600_000),
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const listed = (over: Record<string, string> = {}) =>
  Object.entries(files).map(([p, b]) => ({ path: p, size: b.length, sha256: over[p] ?? sha(b) }));
const onnx = { file: 'onnx/model.onnx', dtype: 'fp32' };
const scorer = (id: string, repo: string) => ({
  id,
  label: id,
  kind: 'token-classifier',
  family: 'wordpiece',
  onnx: { webgpu: onnx, wasm: onnx, node: onnx },
  source: { type: 'hub', repo },
});
const registryFile = path.join(tmp, 'registry.json');
writeFileSync(
  registryFile,
  JSON.stringify({
    version: 2,
    defaults: { scorer: 'tiny-lingua-xlmr', generation: 'tiny-qwen2', reference: 'tiny-qwen2' },
    models: [
      {
        ...scorer('acme-tiny', 'acme/tiny'),
        source: { type: 'hub', repo: 'acme/tiny', revision: rev },
        files: listed(),
      },
      // No revision and no hashes: main is resolved once, hashes are recorded at first download.
      {
        ...scorer('acme-unpinned', 'acme/unpinned'),
        files: Object.entries(files).map(([p, b]) => ({ path: p, size: b.length })),
      },
      // The registry's sha256 of config.json is wrong: the download must be refused.
      {
        ...scorer('acme-bad', 'acme/bad'),
        source: { type: 'hub', repo: 'acme/bad', revision: rev },
        files: listed({ 'config.json': '0'.repeat(64) }),
      },
      findScorer('tiny-lingua-xlmr'),
    ],
  }),
);

interface Seen {
  url: string;
  range?: string;
  ifRange?: string;
  auth?: string;
}
const seen: Seen[] = [];
/**
 * How the server misbehaves on the next request for the graph: cut after N bytes (the response is
 * held open in `held` until the test drops it, see `pullCut`), ignore Range, HTML.
 */
interface Faults {
  cutAfter?: number;
  ignoreRange?: boolean;
  html?: boolean;
  held?: ServerResponse;
}
const faults: Faults = {};
let server: Server;
let host = '';

function serveFile(
  req: IncomingMessage,
  res: import('node:http').ServerResponse,
  data: Buffer,
  faults: Faults,
) {
  const etag = `"${sha(data).slice(0, 16)}"`;
  if (faults.html) {
    faults.html = false;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!DOCTYPE html><html><body>Sign in to continue</body></html>');
    return;
  }
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (range && !faults.ignoreRange) {
    const start = Number(range[1]);
    res.writeHead(206, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(data.length - start),
      'Content-Range': `bytes ${start}-${data.length - 1}/${data.length}`,
      ETag: etag,
    });
    res.end(data.subarray(start));
    return;
  }
  faults.ignoreRange = false;
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(data.length),
    ETag: etag,
  });
  if (faults.cutAfter !== undefined) {
    const n = faults.cutAfter;
    faults.cutAfter = undefined;
    // Send the first n bytes and hold the connection: the test drops it mid-file (pullCut).
    res.write(data.subarray(0, n));
    faults.held = res;
    return;
  }
  res.end(data);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    seen.push({
      url,
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers['if-range'] ? { ifRange: String(req.headers['if-range']) } : {}),
      ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
    });
    if (/^\/api\/models\/acme\/[a-z]+\/revision\/main$/.test(url)) {
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ sha: mainSha }));
      return;
    }
    const m = /^\/acme\/[a-z]+\/resolve\/([0-9a-f]{40})\/(.+)$/.exec(url);
    const data = m && files[m[2]!];
    if (!data) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    serveFile(req, res, data, m[2] === 'onnx/model.onnx' ? faults : {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  host = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => {
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The CLI subprocesses still running (afterEach ends them). */
const running = new Set<ChildProcess>();

/** Runs the CLI as a subprocess (async: the server lives in this process). */
function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, 'models', ...args, '--dir', store],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          TOKENSKIP_REGISTRY: registryFile,
          HF_ENDPOINT: host,
          HF_TOKEN: token,
          TOKENSKIP_CACHE: '',
          ...env,
        },
      },
      (error, stdout, stderr) => {
        running.delete(child);
        resolve({
          code: error ? Number((error as { code?: number }).code ?? 1) : 0,
          stdout,
          stderr,
        });
      },
    );
    running.add(child);
  });
}

// Each test waits for its subprocesses, which take what the machine's load makes them take.
vi.setConfig({ testTimeout: 300_000 });

afterEach(async () => {
  // A test that failed early leaves nothing running or armed for the next one.
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          if (!child.kill('SIGKILL') || child.exitCode !== null) resolve();
        }),
    ),
  );
  running.clear();
  faults.held?.destroy();
  for (const key of Object.keys(faults) as (keyof Faults)[]) delete faults[key];
});

const local = (repo: string, revision: string, file: string) =>
  path.join(store, repo, revision, file);
const graph = local('acme/tiny', rev, 'onnx/model.onnx');
const partial = `${graph}.partial`;
/**
 * `pull acme-tiny` with the graph cut after `n` bytes: the server sends them and holds the
 * connection; it is dropped once the partial on disk holds bytes of them (a state the CLI reaches
 * however loaded the machine is), so the run always ends interrupted with bytes to resume from.
 */
async function pullCut(n: number) {
  faults.cutAfter = n;
  const run = cli(['pull', 'acme-tiny']);
  await vi.waitUntil(() => (statSync(partial, { throwIfNoEntry: false })?.size ?? 0) > 0, {
    timeout: 300_000,
    interval: 20,
  });
  faults.held?.destroy();
  faults.held = undefined;
  return run;
}

const ls = async () =>
  new Map(
    (
      JSON.parse((await cli(['ls', '--json'])).stdout) as {
        models: { id: string; presence: string; check: string }[];
      }
    ).models.map((m) => [m.id, m]),
  );

describe('tokenskip models', () => {
  it('ls: every registry model, bundled ones present, hub ones missing', async () => {
    const { code, stdout } = await cli(['ls']);
    expect(code).toBe(0);
    // SIZE: the node backend's files (what the CLI loads); ALL FILES: what a plain pull fetches.
    expect(stdout).toMatch(/^ID\s+KIND\s+SIZE\s+ALL FILES\s+BACKEND:DTYPE\s+HERE\s+CHECK$/m);
    expect(stdout).toMatch(
      /^tiny-lingua-xlmr\s+scorer\s+453\.3 kB\s+453\.4 kB\s+fp32 \(all\)\s+bundled\s+verified$/m,
    );
    expect(stdout).toMatch(
      /^acme-tiny\s+scorer\s+600\.\d kB\s+600\.\d kB\s+fp32 \(all\)\s+missing\s+sha256 in registry$/m,
    );
    const models = await ls();
    expect(models.get('acme-unpinned')).toMatchObject({ presence: 'missing' });
  });

  it('unknown id: exit 2 with one line', async () => {
    const { code, stdout, stderr } = await cli(['pull', 'no-such-model']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      /^tokenskip models: error \[INVALID_ARGUMENT\]: Unknown model 'no-such-model'\. Known models: acme-tiny, /,
    );
    expect((await cli(['fetch'])).code).toBe(2);
    expect((await cli(['pull'])).code).toBe(2);
  });

  it('a download cut mid-file resumes with a Range request on the next pull and ends verified', async () => {
    const first = await pullCut(250_000);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(
      /\[DOWNLOAD_FAILED\].*interrupted after \d+ of 600000 bytes.*run the same command again to resume/,
    );
    expect(existsSync(graph)).toBe(false); // not counted as present
    const kept = statSync(partial).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(250_000);
    expect((await ls()).get('acme-tiny')!.presence).toMatch(/^partial \d+%$/);

    seen.length = 0;
    const second = await cli(['pull', 'acme-tiny', '--json']);
    expect(second.code).toBe(0);
    const request = seen.find((s) => s.url.endsWith('/onnx/model.onnx'))!;
    expect(request.range).toBe(`bytes=${kept}-`);
    expect(request.ifRange).toMatch(/^"[0-9a-f]{16}"$/);
    expect(readFileSync(graph).equals(files['onnx/model.onnx']!)).toBe(true);
    expect(existsSync(partial) || existsSync(`${partial}.json`)).toBe(false);
    expect(JSON.parse(second.stdout)).toMatchObject({
      id: 'acme-tiny',
      downloaded: ['onnx/model.onnx'],
      check: 'verified',
    });
    expect((await ls()).get('acme-tiny')).toMatchObject({ presence: 'present', check: 'verified' });
  });

  it('sends HF_TOKEN as an Authorization header and never prints it', async () => {
    const authed = seen.filter((s) => s.url.startsWith('/acme/'));
    expect(authed.length).toBeGreaterThan(0);
    for (const s of authed) expect(s.auth).toBe(`Bearer ${token}`);
    const again = await cli(['pull', 'acme-tiny']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/0 of 2 files downloaded/);
    expect(again.stdout + again.stderr).not.toContain(token);
  });

  it('verify re-hashes: a changed file fails, is deleted, and pull fetches it again', async () => {
    expect((await cli(['verify', 'acme-tiny'])).code).toBe(0);
    const bytes = readFileSync(graph);
    bytes[1000] = bytes[1000]! ^ 0xff;
    writeFileSync(graph, bytes);
    const bad = await cli(['verify', 'acme-tiny', '--json']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /acme-tiny\/onnx\/model\.onnx: .*sha256 .* expected .*Deleted; run `tokenskip models pull` again/,
    );
    expect(JSON.parse(bad.stdout).ok).toBe(false);
    expect(existsSync(graph)).toBe(false);
    expect((await cli(['pull', 'acme-tiny'])).code).toBe(0);
    expect((await cli(['verify', 'acme-tiny'])).code).toBe(0);
  });

  it('rm deletes the model files; ls then says missing', async () => {
    const { code, stderr } = await cli(['rm', 'acme-tiny']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/removed 2 files \(600\.\d kB\)/);
    expect(existsSync(graph)).toBe(false);
    expect((await ls()).get('acme-tiny')!.presence).toBe('missing');
    expect((await cli(['rm', 'tiny-lingua-xlmr'])).stderr).toMatch(/bundled/);
  });

  it('a server that ignores Range (200, not 206) restarts the file cleanly', async () => {
    expect((await pullCut(100_000)).code).toBe(1);
    expect(statSync(partial).size).toBeGreaterThan(0);
    faults.ignoreRange = true;
    seen.length = 0;
    expect((await cli(['pull', 'acme-tiny'])).code).toBe(0);
    expect(seen.find((s) => s.url.endsWith('/onnx/model.onnx'))!.range).toMatch(/^bytes=\d+-$/);
    expect(readFileSync(graph).equals(files['onnx/model.onnx']!)).toBe(true);
    await cli(['rm', 'acme-tiny']);
  });

  it('an HTML page with status 200 is a content error: nothing is kept; the next try succeeds', async () => {
    faults.html = true;
    const html = await cli(['pull', 'acme-tiny']);
    expect(html.code).toBe(1);
    expect(html.stderr).toMatch(
      /answered a web page \(HTML, status 200\) instead of acme-tiny\/onnx\/model\.onnx.*Nothing was kept/,
    );
    expect(readdirSync(path.dirname(graph))).toEqual([]);
    expect((await cli(['pull', 'acme-tiny'])).code).toBe(0);
  });

  it('refuses a file whose sha256 differs from the registry, keeping nothing', async () => {
    const { code, stderr } = await cli(['pull', 'acme-bad']);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /\[MODEL_FILE_CORRUPT\]: acme-bad\/config\.json has sha256 .* expected 000000000000… from the manifest.*deleted; nothing was kept/,
    );
    const target = local('acme/bad', rev, 'config.json');
    expect(existsSync(target) || existsSync(`${target}.partial`)).toBe(false);
  });

  it('one download per file at a time: a live lock refuses, a stale one is taken over', async () => {
    await cli(['rm', 'acme-tiny']);
    const lockFile = `${local('acme/tiny', rev, 'config.json')}.lock`;
    writeFileSync(lockFile, `${process.pid}\n`); // this test process: alive
    const busy = await cli(['pull', 'acme-tiny']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/\[OUTPUT_IN_USE\].*being downloaded by another process \(pid \d+/);
    writeFileSync(lockFile, '999999999\n'); // no such process
    expect((await cli(['pull', 'acme-tiny'])).code).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
  });

  it('an unpinned entry is pinned to the commit main pointed to, with hashes recorded locally', async () => {
    const { code } = await cli(['pull', 'acme-unpinned']);
    expect(code).toBe(0);
    expect(
      JSON.parse(readFileSync(path.join(store, 'acme/unpinned/revision.json'), 'utf8')),
    ).toEqual({
      revision: mainSha,
    });
    expect(existsSync(`${local('acme/unpinned', mainSha, 'config.json')}.sha256.json`)).toBe(true);
    expect((await ls()).get('acme-unpinned')).toMatchObject({
      presence: 'present',
      check: 'hash recorded locally',
    });
    expect((await cli(['verify', 'acme-unpinned'])).stderr).toMatch(
      /acme-unpinned: hash recorded locally/,
    );
  });
});
