/**
 * An error's detail in the page's language: the message table of the chosen locale
 * (locales/en.ts `errorDetails`, the CLI's own English table; locales/zh.ts, zh-errors.ts) filled
 * with the error's parameters. Parameters come back as their own segments so the page can mark
 * them `translate="no"`: they are data (file names, numbers, field names as typed), not words of
 * the UI. A nested detail (a download's reason, who declares a size) is rendered in the same
 * language, as text.
 *
 *   detailSegments({ id: 'benchNTooLarge', params: { n: 900, size: 300 } })
 *   // zh: [{ text: '题数 n = ' }, { param: '900' }, { text: ' 超过了数据集的 ' }, …]
 */
import type { ErrorDetail, ErrorParam } from '../../core/error-messages.ts';
import { t, type MessageKey } from './i18n.svelte.ts';

export type Segment = { text: string } | { param: string };

// Control characters no template or parameter name contains: they mark where a parameter goes.
const OPEN = '\u0001';
const CLOSE = '\u0002';

function key(detail: ErrorDetail): MessageKey {
  return `errorDetails.${detail.id}`;
}

/** A detail as plain text in the page's language (for nested details). */
export function detailText(detail: ErrorDetail): string {
  const params = (detail.params ?? {}) as Record<string, ErrorParam>;
  const vars = Object.fromEntries(
    Object.entries(params).map(([name, value]) => [
      name,
      typeof value === 'object' ? detailText(value) : String(value),
    ]),
  );
  return t(key(detail), vars);
}

/** A detail in the page's language, split into text and parameter segments. */
export function detailSegments(detail: ErrorDetail): Segment[] {
  const params = (detail.params ?? {}) as Record<string, ErrorParam>;
  const vars = Object.fromEntries(
    Object.entries(params).map(([name, value]) => [
      name,
      typeof value === 'object' ? detailText(value) : `${OPEN}${name}${CLOSE}`,
    ]),
  );
  const filled = t(key(detail), vars);
  const segments: Segment[] = [];
  const marker = new RegExp(`${OPEN}(\\w+)${CLOSE}`, 'g');
  let at = 0;
  for (let m = marker.exec(filled); m; m = marker.exec(filled)) {
    if (m.index > at) segments.push({ text: filled.slice(at, m.index) });
    segments.push({ param: String(params[m[1]!]) });
    at = m.index + m[0].length;
  }
  if (at < filled.length) segments.push({ text: filled.slice(at) });
  return segments;
}
