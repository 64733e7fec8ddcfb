/**
 * KaTeX, loaded on first use: `import('katex')` and its stylesheet form their own chunk (the fonts
 * are emitted as assets and precached by the service worker like the rest of `assets/`), so the
 * first page's JS does not carry them and math works offline and under the app's CSP (KaTeX's
 * output has inline `style` attributes, which `style-src 'unsafe-inline'` allows; no script).
 *
 *   const render = await loadMathRenderer();
 *   render('\\boxed{6}', false) // '<span class="katex">…</span>', or undefined if it cannot parse
 */
import type { KatexOptions } from 'katex';

export type MathRenderer = (tex: string, display: boolean) => string | undefined;

let loading: Promise<MathRenderer> | undefined;

/**
 * Options for text a model wrote: no `\href`/`\url`/`\htmlClass` (`trust: false`), bounded macro
 * expansion and sizes so a runaway macro cannot freeze the page. `throwOnError: true` only so a
 * parse error reaches the `catch` below (katex.ts `renderToString` -> `renderError` rethrows it
 * then; with `false` it would return the source in red): malformed LaTeX never escapes this module,
 * it is shown as the model's raw text.
 */
const options: KatexOptions = {
  throwOnError: true,
  trust: false,
  strict: 'ignore',
  maxExpand: 200,
  maxSize: 20,
  output: 'htmlAndMathml',
};

export function loadMathRenderer(): Promise<MathRenderer> {
  loading ??= Promise.all([import('katex'), import('katex/dist/katex.min.css')]).then(
    ([{ default: katex }]) =>
      (tex, display) => {
        try {
          return katex.renderToString(tex, { ...options, displayMode: display });
        } catch {
          // ParseError, or any other (maxExpand exceeded): the caller shows the raw text.
          return undefined;
        }
      },
  );
  return loading;
}
