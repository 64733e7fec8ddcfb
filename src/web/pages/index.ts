/**
 * The app's pages, in navigation order. Routing is by hash (`#/compress?...`) so the static build
 * works from any host and a URL can carry a page's settings (see the README's automation section).
 */
import type { Component } from 'svelte';
import CompressPage from './CompressPage.svelte';
import GeneratePage from './GeneratePage.svelte';
import BenchmarkPage from './BenchmarkPage.svelte';

export interface PageEntry {
  path: string;
  title: string;
  component: Component<{ params: URLSearchParams }>;
}

export const pages: PageEntry[] = [
  { path: 'compress', title: 'Compress', component: CompressPage },
  { path: 'generate', title: 'Generate', component: GeneratePage },
  { path: 'benchmark', title: 'Benchmark', component: BenchmarkPage },
];
