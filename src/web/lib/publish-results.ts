/**
 * Publishes a finished benchmark for automation, in the stable forms docs/automation.md documents:
 * `window.__TOKENSKIP_RESULTS__` and a `<script type="application/json" id="benchmark-results">`
 * (the page itself sets `data-state="done"` on `#benchmark`).
 */
import type { BenchmarkResults } from '../../core/benchmark/results.ts';

declare global {
  interface Window {
    __TOKENSKIP_RESULTS__?: BenchmarkResults;
  }
}

export const RESULTS_ELEMENT_ID = 'benchmark-results';

export function publishResults(results: BenchmarkResults): void {
  window.__TOKENSKIP_RESULTS__ = results;
  let el = document.getElementById(RESULTS_ELEMENT_ID);
  if (!el) {
    el = document.createElement('script');
    el.id = RESULTS_ELEMENT_ID;
    el.setAttribute('type', 'application/json');
    document.body.appendChild(el);
  }
  // '<' escaped so no text in an output can close the script element.
  el.textContent = JSON.stringify(results).replace(/</g, '\\u003c');
}

export function clearPublishedResults(): void {
  delete window.__TOKENSKIP_RESULTS__;
  document.getElementById(RESULTS_ELEMENT_ID)?.remove();
}
