/**
 * Serves gpt-tokenizer's cl100k ranks to the browser as `JSON.parse('…')` instead of its 100k-entry
 * array literal: V8 parses the literal as code (0.7–1.4 s on this machine, in the page and again in
 * the scorer worker, on the way to the Learn page's first live scores), and JSON in a string in
 * a few tens of ms. The ranks are the package's own, read at build time; only their spelling changes.
 * (The same trick as Vite's `json.stringify` for imported .json files.)
 */
import type { Plugin } from 'vite';

const RANKS_MODULE = /[\\/]gpt-tokenizer[\\/]esm[\\/]bpeRanks[\\/]cl100k_base\.js$/;

export function cl100kRanksAsJson(): Plugin {
  return {
    name: 'tokenskip:cl100k-ranks-as-json',
    async transform(_code, id) {
      if (!RANKS_MODULE.test(id.split('?')[0]!)) return undefined;
      const { default: ranks } = (await import('gpt-tokenizer/bpeRanks/cl100k_base')) as {
        default: (string | number[])[];
      };
      return {
        code: `export default JSON.parse(${JSON.stringify(JSON.stringify(ranks))});\n`,
        map: null,
      };
    },
  };
}
