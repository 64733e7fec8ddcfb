/**
 * The app is served cross-origin isolated (COOP same-origin + COEP require-corp,
 * src/node/security-headers.ts) so ORT-web may use WASM threads. Under COEP a model fetched from
 * another origin loads only when that origin answers with CORS, as the hub and WebLLM's hosts do.
 * Here a self-hosted mirror on another loopback port (another origin) serves a hub model's files
 * (the mBERT fixture under the hub repo's name): with CORS the app scores from it while isolated,
 * without CORS the page says it could not download, in one line.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';

const REPO = 'ldenoue/llmlingua-2-bert-base-multilingual-cased-meetingbank';
const fixture = path.resolve('models/fixtures/tiny-lingua-mbert');
let server: Server;
let mirror = '';
const requests: string[] = [];

test.beforeAll(async () => {
  server = createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(p);
    // /cors/<repo>/<file> answers with CORS, /plain/<repo>/<file> without.
    const m = /^\/(cors|plain)\/(.+)$/.exec(p);
    const rel = m && m[2]!.startsWith(`${REPO}/`) ? m[2]!.slice(REPO.length + 1) : '';
    // The hub repo's WASM variant is the quantized graph; the fixture has one graph.
    const file = path.join(fixture, rel.replace('model_quantized.onnx', 'model.onnx'));
    const headers: Record<string, string> =
      m?.[1] === 'cors' ? { 'Access-Control-Allow-Origin': '*' } : {};
    if (
      !rel ||
      !file.startsWith(fixture + path.sep) ||
      !existsSync(file) ||
      !statSync(file).isFile()
    ) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    // A static host declares each file's size, as the hub and any mirror do (a body without one
    // is refused: it cannot be told from a cut one).
    const body = readFileSync(file);
    res.writeHead(200, {
      ...headers,
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(body.length),
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  mirror = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

test.afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const cot = 'Janet sells 16 - 3 - 4 = 9 duck eggs a day.\nShe makes 9 * 2 = $18 every day.';

for (const [kind, expectOk] of [
  ['cors', true],
  ['plain', false],
] as const) {
  test(`a hub model from a mirror on another origin ${expectOk ? 'with' : 'without'} CORS`, async ({
    page,
  }) => {
    await page.addInitScript(
      (url) => localStorage.setItem('tokenskip.mirror', url),
      `${mirror}/${kind}/`,
    );
    await page.goto(
      `/#/compress?model=llmlingua-2-bert-base-multilingual-cased-meetingbank&backend=wasm`,
    );
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(new URL(page.url()).origin).not.toBe(mirror);
    await page.getByTestId('cot').fill(cot);
    await page.getByTestId('compress').click();
    if (expectOk) {
      await expect(page.getByTestId('compressed')).toBeVisible();
      await expect(page.getByTestId('error')).toHaveCount(0);
      expect(requests).toContain(`/cors/${REPO}/onnx/model_quantized.onnx`);
    } else {
      // The request reached the mirror; the browser withheld the answer (no CORS under COEP).
      // The model's small files are fetched together, so whichever fails first is named.
      await expect(page.getByTestId('error')).toContainText(
        new RegExp(`Could not download [\\w.]+ from ${mirror}/plain/${REPO}/`),
      );
      expect(requests.some((r) => r.startsWith(`/plain/${REPO}/`))).toBe(true);
      expect(
        ((await page.getByTestId('error').textContent()) ?? '').trim().split('\n'),
      ).toHaveLength(1);
    }
  });
}
