/**
 * The display preferences as they stand when a page starts: the language (localStorage
 * `tokenskip.locale`, else the browser's), the theme (`tokenskip.theme`, resolved against the
 * system's preference) and presentation mode. One reading for the three places that start from
 * them: i18n.svelte.ts, Preferences.svelte.ts, and src/web/prepaint.ts, the small script index.html
 * runs before the body is parsed, so the first paint (the build's prerendered Learn page) already
 * has the right language and theme.
 *
 * No imports beyond types: prepaint.ts is bundled on its own and must stay a few hundred bytes.
 */
import type { TextLocale } from '../../core/models/registry.ts';

export type Theme = 'system' | 'light' | 'dark';

export const LOCALE_KEY = 'tokenskip.locale';
export const THEME_KEY = 'tokenskip.theme';
export const PRESENTATION_KEY = 'tokenskip.presentation';

/** Each language's tag for <html lang> and Intl. */
export const HTML_LANG: Record<TextLocale, string> = { en: 'en', zh: 'zh-Hans' };

/** A stored preference; blocked storage (a sandboxed frame, a strict privacy mode) reads as none. */
function stored(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

export function startLocale(): TextLocale {
  const locale = stored(LOCALE_KEY);
  if (locale === 'en' || locale === 'zh') return locale;
  return globalThis.navigator?.language?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function startTheme(): Theme {
  const theme = stored(THEME_KEY);
  return theme === 'light' || theme === 'dark' ? theme : 'system';
}

export function startPresentation(): boolean {
  return stored(PRESENTATION_KEY) === '1';
}

/** The operating system's colour preference right now. */
export function systemPrefersDark(): boolean {
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}

/** The theme in effect: the choice, or the system's when the choice is `system`. */
export function resolveTheme(theme: Theme, systemDark: boolean): 'light' | 'dark' {
  if (theme !== 'system') return theme;
  return systemDark ? 'dark' : 'light';
}
