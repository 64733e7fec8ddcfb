/**
 * The Learn page prerendered into the built index.html, in English and 中文, so a visit shows the
 * worked example's heat map at the first paint instead of after the app's JavaScript has loaded,
 * run and mounted (issue #21: ≤ 0.5 s from a warm load; `npm run bench:first-visit`).
 *
 * - The markup is the app's own: App.svelte rendered by Svelte's server renderer (`svelte/server`
 *   `render`) through a Vite SSR module loader, with the Learn page's reference scores (the shipped
 *   run, data/reference/learn-mini.json) as the app itself shows them first. Same components, same
 *   scoped class names (checked by tests/web/prerender.test.ts), so it looks as the app will.
 * - It is a picture until the app runs: each language's copy is `inert` and `aria-hidden`, without
 *   `data-testid`s; src/web/main.ts removes it and mounts the app in the same task (no hydration:
 *   the visitor's settings may differ from the build's, and a mount cannot mismatch).
 * - Which copy shows is decided before the body is parsed by src/web/prepaint.ts (bundled here on
 *   its own and loaded as a blocking classic script; the CSP allows no inline script): the
 *   visitor's language, only when the URL opens Learn on the worked example (app.css shows the
 *   copy named by `html[data-prerender]`). The same script sets the theme, so a dark-theme visitor
 *   no longer sees a light first paint.
 *
 * Build only: the dev server (`npm start`) serves index.html as it is.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { build as esbuild } from 'esbuild';
import { createServer, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { TextLocale } from '../core/models/registry.ts';

const LOCALES: TextLocale[] = ['en', 'zh'];
const APP_ROOT = '<div id="app"></div>';

/** The app's markup for the Learn page in each language, as `svelte/server` renders it. */
async function renderLearn(root: string): Promise<Record<TextLocale, string>> {
  // A module loader of its own, with only the Svelte plugin: this config's other plugins (the
  // service worker, this one) have no business in it.
  const server = await createServer({
    configFile: false,
    root,
    logLevel: 'error',
    plugins: [svelte()],
    server: { middlewareMode: true, hmr: false, ws: false },
    appType: 'custom',
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  try {
    // Loaded through Vite, as the app's modules are; typed by the one call made.
    const { render } = (await server.ssrLoadModule('svelte/server')) as {
      render(component: unknown, options: { props: object }): { body: string };
    };
    const app = (await server.ssrLoadModule('/src/web/App.svelte')) as { default: unknown };
    // The app's i18n module, typed here by the one call made (the node tsconfig has no DOM).
    const { i18n } = (await server.ssrLoadModule('/src/web/lib/i18n.svelte.ts')) as {
      i18n: { setLocale(locale: TextLocale): void };
    };
    const pages = {} as Record<TextLocale, string>;
    for (const locale of LOCALES) {
      i18n.setLocale(locale);
      pages[locale] = render(app.default, { props: {} }).body;
    }
    return pages;
  } finally {
    await server.close();
  }
}

/** A rendered page as an inert picture of itself: no hydration markers, no test ids. */
function picture(locale: TextLocale, body: string): string {
  const markup = body
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/\sdata-testid="[^"]*"/g, '')
    .trim();
  return `<div data-prerendered="${locale}" inert aria-hidden="true">${markup}</div>`;
}

export function prerenderLearn(): Plugin {
  let root = process.cwd();
  let base = '/';
  let prepaint = '';
  return {
    name: 'tokenskip:prerender-learn',
    apply: 'build',
    configResolved(config) {
      root = config.root;
      base = config.base;
    },
    async buildStart() {
      const out = await esbuild({
        entryPoints: [path.join(root, 'src/web/prepaint.ts')],
        bundle: true,
        write: false,
        format: 'iife',
        minify: true,
        target: 'es2022',
        logLevel: 'silent',
      });
      const code = out.outputFiles[0]!.text;
      // Named by its content like Vite's own assets, so the service worker precaches it without a
      // revision and a new build's copy never meets an old cache (src/node/vite-pwa.ts).
      prepaint = `assets/prepaint-${createHash('sha256').update(code).digest('hex').slice(0, 8)}.js`;
      this.emitFile({ type: 'asset', fileName: prepaint, source: code });
    },
    transformIndexHtml: {
      order: 'post',
      async handler(html) {
        if (!html.includes(APP_ROOT)) {
          throw new Error(`index.html has no ${APP_ROOT} to prerender the Learn page into.`);
        }
        const pages = await renderLearn(root);
        const pictures = LOCALES.map((l) => picture(l, pages[l])).join('');
        return {
          html: html.replace(APP_ROOT, `<div id="app">${pictures}</div>`),
          tags: [{ tag: 'script', attrs: { src: `${base}${prepaint}` }, injectTo: 'head-prepend' }],
        };
      },
    },
  };
}
