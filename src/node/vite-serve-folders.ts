/**
 * A small Vite plugin that serves repo folders (`models/`, `data/`) at `/<folder>/...` in dev and
 * preview, and copies them into the build output. Written by hand because Vite's `publicDir` takes a
 * single folder and we want the fixtures to stay where the model manifest says they are.
 */
import { createReadStream, existsSync, statSync, cpSync } from 'node:fs';
import path from 'node:path';
import type { Plugin, Connect } from 'vite';

const contentTypes: Record<string, string> = {
  '.json': 'application/json',
  '.jsonl': 'application/jsonl',
  '.onnx': 'application/octet-stream',
  '.txt': 'text/plain',
};

function middleware(root: string, folders: string[]): Connect.NextHandleFunction {
  return (req, res, next) => {
    // Vite's own module requests carry a query (`/models/manifest.json?import`): leave them to Vite.
    if ((req.url ?? '').includes('?')) return next();
    const raw = req.url ?? '';
    if (!folders.some((f) => raw.startsWith(`/${f}/`))) return next();
    let url: string;
    try {
      url = decodeURIComponent(raw);
    } catch {
      // A malformed percent-escape (`/models/%E0%A4%A`): a plain 400, no stack trace, no paths.
      res.statusCode = 400;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.end('Bad request: malformed percent-escape in the URL.\n');
      return;
    }
    const folder = folders.find((f) => url.startsWith(`/${f}/`));
    if (!folder) return next();
    const file = path.resolve(root, `.${url}`);
    // Refuse anything that escapes the served folder.
    if (!file.startsWith(path.resolve(root, folder) + path.sep)) return next();
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.end(`Not found: ${url}`);
      return;
    }
    res.setHeader('Content-Type', contentTypes[path.extname(file)] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(statSync(file).size));
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    createReadStream(file).pipe(res);
  };
}

export function serveRepoFolders(folders: string[]): Plugin {
  let root = process.cwd();
  let outDir = 'dist';
  return {
    name: 'tokenskip-serve-repo-folders',
    configResolved(config) {
      root = config.root;
      outDir = path.resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(middleware(root, folders));
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware(root, folders));
    },
    // writeBundle, not closeBundle: the offline precache (vite-pwa.ts, Workbox) globs them afterwards.
    writeBundle() {
      for (const folder of folders) {
        const from = path.resolve(root, folder);
        if (existsSync(from)) cpSync(from, path.join(outDir, folder), { recursive: true });
      }
    },
  };
}
