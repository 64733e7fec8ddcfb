/**
 * The built index.html carries the Learn page prerendered by the app's own components
 * (src/node/vite-prerender.ts, issue #21's warm first visit): one inert copy per language, with the
 * worked example's heat map from the shipped reference scores, styled by the build's own CSS, and
 * the prepaint script that picks the copy, precached for offline visits.
 * The build is the one every test shares (tests/helpers/app-build.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { linguaWords } from '../../src/core/scoring/lingua-words.ts';
import type { ScoresReference } from '../../src/core/compression/scores-reference.ts';
import { ensureAppBuild } from '../helpers/app-build.ts';

const reference = JSON.parse(
  readFileSync('data/reference/learn-mini.json', 'utf8'),
) as ScoresReference;

let outDir: string;
let html: string;
beforeAll(async () => {
  outDir = (await ensureAppBuild()).dir;
  html = readFileSync(path.join(outDir, 'index.html'), 'utf8');
}, 900_000);

/** The markup of one language's prerendered copy. */
function copy(locale: string): string {
  const start = html.indexOf(`<div data-prerendered="${locale}"`);
  expect(start, `no prerendered ${locale} copy`).toBeGreaterThanOrEqual(0);
  const next = html.indexOf('<div data-prerendered=', start + 1);
  return html.slice(start, next > 0 ? next : html.indexOf('</body>'));
}

describe('the prerendered Learn page (vite build)', () => {
  it.each(['en', 'zh'] as const)(
    '%s: the worked example’s heat map from the reference scores, labelled as such',
    (locale) => {
      const page = copy(locale);
      expect(page).toMatch(/^<div data-prerendered="\w+" inert aria-hidden="true">/);
      expect(page).toContain('data-scores-source="reference"');
      const words = [...page.matchAll(/<span[^>]*class="word [^"]*"[^>]*>([^<]*)</g)].map(
        (m) => m[1],
      );
      const expected = linguaWords(reference.languages[locale].scored).map((w) => w.text);
      // The heat map's words, in order (HTML-escaped text aside).
      expect(words.length).toBe(expected.length);
      expect(words.map((w) => w!.replace(/&#39;/g, "'").replace(/&amp;/g, '&'))).toEqual(expected);
      // A picture of the page: nothing for tests or scripts to find and act on before the app.
      expect(page).not.toContain('data-testid');
      expect(page).not.toContain('<!--');
    },
  );

  it('is in each language', () => {
    expect(copy('en')).toContain('How TokenSkip compresses a chain of thought');
    expect(copy('zh')).toContain('TokenSkip 如何压缩思维链');
  });

  it('uses only class names the build’s CSS styles (the same components, compiled once)', () => {
    const css = readdirSync(path.join(outDir, 'assets'))
      .filter((f) => f.endsWith('.css'))
      .map((f) => readFileSync(path.join(outDir, 'assets', f), 'utf8'))
      .join('\n');
    const scoped = new Set([...html.matchAll(/\bsvelte-[a-z0-9]+\b/g)].map((m) => m[0]));
    expect(scoped.size).toBeGreaterThan(2);
    for (const name of scoped) expect(css, name).toContain(name);
  });

  it('loads the prepaint script before the body, and the service worker precaches it', () => {
    const src = /<script src="\/(assets\/prepaint-[0-9a-f]{8}\.js)"><\/script>/.exec(html)?.[1];
    expect(src).toBeDefined();
    expect(html.indexOf(src!)).toBeLessThan(html.indexOf('<body>'));
    expect(existsSync(path.join(outDir, src!))).toBe(true);
    expect(readFileSync(path.join(outDir, 'sw.js'), 'utf8')).toContain(`"url":"${src}"`);
  });
});
