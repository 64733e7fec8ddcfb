/**
 * The 中文 walk's check, shared by the specs that walk pages in 中文: every visible text node and
 * the visible `title`, `aria-label` and `placeholder` texts, skipping content that is not UI (model
 * output and the texts being compressed: `pre`, `textarea`, typeset math, elements marked
 * `translate="no"` such as file names, dataset questions and the data inside an error message),
 * must hold no Latin-script word outside the names of models, datasets, methods and formats, and
 * units.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';

interface ManifestModel {
  id: string;
  label: string;
  zh?: { label?: string };
}
const manifest = JSON.parse(readFileSync('models/manifest.json', 'utf8')) as {
  models: ManifestModel[];
};
const latin = /[A-Za-z][A-Za-z0-9]*/g;
// Model names as the 中文 UI writes them: ids and the Latin words of their zh labels.
const modelWords = manifest.models.flatMap((m) =>
  [m.id, m.zh?.label ?? m.label].flatMap((s) => s.match(latin) ?? []),
);
const allowed = new Set(
  [
    ...modelWords,
    // Methods, datasets, formats and names as papers write them.
    ...['TokenSkip', 'LLMLingua', 'CTS', 'LoRA', 'TinyArith', 'GSM8K', 'MATH', 'MeetingBank'],
    ...['arXiv', 'Xia', 'Zhang', 'Qwen', 'WebGPU', 'WASM', 'WebLLM', 'ONNX', 'MLC', 'ORT'],
    ...['GPU', 'CPU', 'Jaccard', 'Spearman'],
    ...['JSON', 'JSONL', 'CSV', 'PNG', 'cividis', 'cl100k', 'sha256', 'eot', 'log', 'CoT'],
    // Protocols, formats and hashes an error names (HTTP status, an HTML page, a git blob sha1).
    ...['HTTP', 'HTML', 'LFS', 'git', 'sha1'],
    // Number formats of model weights.
    ...['fp32', 'fp16', 'int8', 'q4f16', 'q4f32'],
    // Units.
    ...['kB', 'MB', 'GB', 'KiB', 'MiB', 'GiB'],
  ].map((w) => w.toLowerCase()),
);

/** Latin words on the page outside the allow-list, each with the text it was found in. */
export async function latinStrings(page: Page): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const skip = 'pre, textarea, script, style, [translate="no"], .katex, svg';
    const out: string[] = [];
    const visible = (el: Element) =>
      el.closest('select') !== null || el.checkVisibility({ visibilityProperty: true });
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const text = n.textContent?.trim();
      if (!el || !text || el.closest(skip) || !visible(el)) continue;
      out.push(text);
    }
    for (const el of document.body.querySelectorAll('[title], [aria-label], [placeholder]')) {
      if (el.closest(skip) || !visible(el)) continue;
      for (const a of ['title', 'aria-label', 'placeholder']) {
        const v = el.getAttribute(a);
        if (v) out.push(v);
      }
    }
    return out;
  });
  const found: string[] = [];
  for (const text of texts) {
    // Addresses, file names and placeholders in them are not words of the UI.
    const words = (
      text
        .replace(/https?:\/\/\S+/g, ' ')
        .replace(/\S*\/\S*/g, ' ')
        .replace(/[\w.-]+\.(?:json|jsonl|onnx|co)\b/g, ' ')
        .match(/[A-Za-z][A-Za-z0-9]*/g) ?? []
    ).filter((w) => w.length > 1 && !/^[A-Za-z]\d*$/.test(w) && !allowed.has(w.toLowerCase()));
    if (words.length > 0) found.push(`${words.join(' ')}  ←  ${text.slice(0, 120)}`);
  }
  return [...new Set(found)];
}
