/**
 * `npm start` serves the app with Vite's dev server: the repo's `models/` and `data/` folders are
 * served as files, the page is cross-origin isolated, and Vite's own module requests for those
 * folders (`/models/manifest.json?import`) still reach Vite. A real server on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/fixtures.ts';

let server: ViteDevServer;
let base = '';

beforeAll(async () => {
  server = await createServer({
    root: repoRoot,
    configFile: path.join(repoRoot, 'vite.config.ts'),
    server: { port: 0, host: '127.0.0.1' },
    logLevel: 'silent',
  });
  await server.listen();
  const address = server.httpServer?.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => server?.close());

describe('dev server', () => {
  it('serves model and data files from the repo, byte for byte', async () => {
    const response = await fetch(`${base}/models/fixtures/tiny-lingua-xlmr/tokenizer_config.json`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(
      readFileSync(
        path.join(repoRoot, 'models/fixtures/tiny-lingua-xlmr/tokenizer_config.json'),
        'utf8',
      ),
    );
    expect((await fetch(`${base}/data/math-500/test.jsonl`)).status).toBe(200);
  });

  it('leaves Vite module requests (?import) to Vite', async () => {
    const response = await fetch(`${base}/models/manifest.json?import`);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(await response.text()).toContain('export default');
  });

  it('answers a missing model file with 404, not with the app page', async () => {
    const response = await fetch(`${base}/models/nope.onnx`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('Not found: /models/nope.onnx');
  });

  it('sends COOP/COEP so the page is cross-origin isolated (multi-threaded WASM)', async () => {
    const response = await fetch(`${base}/`);
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });
});

describe('security headers', () => {
  it('sends a CSP (wasm allowed, no inline script) and nosniff', async () => {
    const response = await fetch(`${base}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).toContain("object-src 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const file = await fetch(`${base}/models/fixtures/tiny-lingua-xlmr/config.json`);
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers a malformed percent-escape under /models/ with 400, no stack, no paths', async () => {
    for (const bad of ['/models/%E0%A4%A', '/models/%', '/data/%zz.jsonl']) {
      const response = await fetch(`${base}${bad}`);
      const body = await response.text();
      expect(response.status, bad).toBe(400);
      expect(body).toMatch(/malformed percent-escape/);
      expect(body).not.toMatch(/URIError|at |\/work\/|node_modules|\.ts/);
      expect(body).not.toContain(repoRoot);
    }
  });
});
