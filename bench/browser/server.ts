/**
 * Starts the browser bench harness: Vite's dev server with the project's config (COOP/COEP, so the
 * page is crossOriginIsolated and ORT-web may use WASM threads), extra folders mounted at
 * `/bench-mount/<name>/` (a `--model DIR` outside the repo, a generated bench model), and Debian's
 * Chromium through Playwright, with or without WebGPU (SwiftShader here, as in the e2e projects).
 *
 *   const h = await startHarness({ mounts: { model: '/tmp/qwen2' } });
 *   const page = await h.open('webgpu');
 *   const report = await page.evaluate((r) => window.harness.generate(r), request);
 *   await h.close();
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { createServer, type Plugin } from 'vite';
import { chromiumArgs, chromiumPath } from '../../e2e/harness/chromium.ts';

function mountFolders(mounts: Record<string, string>): Plugin {
  return {
    name: 'bench-mounts',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = decodeURIComponent((req.url ?? '').split('?')[0]!);
        const m = /^\/bench-mount\/([^/]+)\/(.+)$/.exec(url);
        const root = m ? mounts[m[1]!] : undefined;
        if (!m || !root) return next();
        const file = path.resolve(root, m[2]!);
        if (
          !file.startsWith(path.resolve(root) + path.sep) ||
          !existsSync(file) ||
          !statSync(file).isFile()
        ) {
          res.statusCode = 404;
          res.end('not found');
          return;
        }
        const types: Record<string, string> = {
          '.mjs': 'text/javascript',
          '.wasm': 'application/wasm',
          '.json': 'application/json',
        };
        res.setHeader('Content-Type', types[path.extname(file)] ?? 'application/octet-stream');
        res.setHeader('Content-Length', String(statSync(file).size));
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        createReadStream(file).pipe(res);
      });
    },
  };
}

export interface Harness {
  url: string;
  /** A fresh page (fresh worker, fresh ORT) on the harness, in a browser with or without WebGPU. */
  open(kind: 'webgpu' | 'wasm'): Promise<Page>;
  /**
   * A page in its own browser with an on-disk profile at `userDataDir`: its Cache API is on disk
   * with a disk-sized quota, as in a user's browser (a plain `open` page is incognito-like: storage
   * in memory, small quota). Close it with `page.context().close()`.
   */
  openPersistent(kind: 'webgpu' | 'wasm', userDataDir: string): Promise<Page>;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    mounts?: Record<string, string>;
    port?: number;
    /** Dependencies the worker imports lazily, pre-bundled up front so Vite never reloads mid-run. */
    include?: string[];
  } = {},
): Promise<Harness> {
  const server = await createServer({
    configFile: path.resolve('vite.config.ts'),
    logLevel: 'warn',
    ...(options.include ? { optimizeDeps: { include: options.include } } : {}),
    server: { host: '127.0.0.1', port: options.port ?? 0, strictPort: false, hmr: false },
    plugins: [mountFolders(options.mounts ?? {})],
  });
  await server.listen();
  const address = server.httpServer!.address();
  const port = typeof address === 'object' && address ? address.port : 5173;
  const url = `http://127.0.0.1:${port}/bench/browser/index.html`;
  const browsers = new Map<string, Browser>();
  const executablePath = chromiumPath;
  return {
    url,
    async open(kind) {
      let browser = browsers.get(kind);
      if (!browser) {
        browser = await chromium.launch({
          executablePath,
          args: chromiumArgs(kind),
        });
        browsers.set(kind, browser);
      }
      const page = await browser.newPage();
      page.on('console', (msg) => {
        if (msg.type() === 'error') console.error(`[browser] ${msg.text()}`);
      });
      page.setDefaultTimeout(600_000);
      await page.goto(url);
      await page.waitForSelector('body[data-ready="1"]');
      return page;
    },
    async openPersistent(kind, userDataDir) {
      const context = await chromium.launchPersistentContext(userDataDir, {
        executablePath,
        args: chromiumArgs(kind),
      });
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('console', (msg) => {
        if (msg.type() === 'error') console.error(`[browser] ${msg.text()}`);
      });
      page.setDefaultTimeout(1_800_000);
      await page.goto(url);
      await page.waitForSelector('body[data-ready="1"]');
      return page;
    },
    async close() {
      for (const b of browsers.values()) await b.close();
      await server.close();
    },
  };
}
