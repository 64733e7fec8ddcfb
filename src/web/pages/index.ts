/**
 * The app's pages, in navigation order. Routing is by hash (`#/compress?...`) so the static build
 * works from any host and a URL can carry a page's settings (see the README's automation section).
 * `params` lists the URL settings a page understands; the app names any other one as ignored.
 */
import type { Component } from 'svelte';
import type { MessageKey } from '../lib/i18n.svelte.ts';
import LearnPage from './LearnPage.svelte';

export type PageComponent = Component<{ params: URLSearchParams }>;

export interface PageEntry {
  path: string;
  title: MessageKey;
  params: string[];
  /**
   * The component of a page in the first page's bundle: only Learn, the home page. Every other
   * page is a chunk of its own, fetched by `load` when it is first opened, so a first visit does
   * not download Compress, Generate, Benchmark or Models (chart.js, the hub client, …); see
   * `npm run bench:bundle`.
   */
  component?: PageComponent;
  load: () => Promise<PageComponent>;
}

const lazy =
  (load: () => Promise<{ default: PageComponent }>) => async (): Promise<PageComponent> =>
    (await load()).default;

export const pages: PageEntry[] = [
  {
    path: 'learn',
    title: 'app.navLearn',
    params: ['question', 'cot', 'rate', 'lang'],
    component: LearnPage,
    load: () => Promise.resolve(LearnPage),
  },
  {
    path: 'compress',
    title: 'app.navCompress',
    params: [
      ...['model', 'backend', 'rate', 'example', 'run', 'question', 'cot', 'answer'],
      ...['scorer', 'condition', 'compare', 'compare-condition', 'ref', 'force', 'digits'],
    ],
    load: lazy(() => import('./CompressPage.svelte')),
  },
  {
    path: 'generate',
    title: 'app.navGenerate',
    params: ['model', 'backend', 'gamma', 'max_tokens', 'side', 'question', 'example', 'run'],
    load: lazy(() => import('./GeneratePage.svelte')),
  },
  {
    path: 'benchmark',
    title: 'app.navBenchmark',
    params: ['dataset', 'n', 'seed', 'model', 'gammas', 'max_tokens', 'backend', 'autostart'],
    load: lazy(() => import('./BenchmarkPage.svelte')),
  },
  {
    path: 'models',
    title: 'app.navModels',
    params: [],
    load: lazy(() => import('./ModelsPage.svelte')),
  },
];

/** The page of a route; '' (the home page) is Learn. */
export function findPage(path: string): PageEntry | undefined {
  return pages.find((p) => p.path === (path === '' ? 'learn' : path));
}
