/**
 * The app's pages, in navigation order. Routing is by hash (`#/compress?...`) so the static build
 * works from any host and a URL can carry a page's settings (see the README's automation section).
 * `params` lists the URL settings a page understands; the app names any other one as ignored.
 */
import type { Component } from 'svelte';
import type { MessageKey } from '../lib/i18n.svelte.ts';
import LearnPage from './LearnPage.svelte';
import CompressPage from './CompressPage.svelte';
import GeneratePage from './GeneratePage.svelte';
import BenchmarkPage from './BenchmarkPage.svelte';
import ModelsPage from './ModelsPage.svelte';

export interface PageEntry {
  path: string;
  title: MessageKey;
  params: string[];
  component: Component<{ params: URLSearchParams }>;
}

export const pages: PageEntry[] = [
  {
    path: 'learn',
    title: 'app.navLearn',
    params: ['question', 'cot', 'rate', 'lang'],
    component: LearnPage,
  },
  {
    path: 'compress',
    title: 'app.navCompress',
    params: [
      ...['model', 'backend', 'rate', 'example', 'run', 'question', 'cot', 'answer'],
      ...['scorer', 'condition', 'compare', 'compare-condition', 'ref', 'force', 'digits'],
    ],
    component: CompressPage,
  },
  {
    path: 'generate',
    title: 'app.navGenerate',
    params: ['model', 'backend', 'gamma', 'max_tokens', 'side', 'question', 'example', 'run'],
    component: GeneratePage,
  },
  {
    path: 'benchmark',
    title: 'app.navBenchmark',
    params: ['dataset', 'n', 'seed', 'model', 'gammas', 'max_tokens', 'backend', 'autostart'],
    component: BenchmarkPage,
  },
  { path: 'models', title: 'app.navModels', params: [], component: ModelsPage },
];

/** The page of a route; '' (the home page) is Learn. */
export function findPage(path: string): PageEntry | undefined {
  return pages.find((p) => p.path === (path === '' ? 'learn' : path));
}
