/**
 * Display preferences, remembered in localStorage: the colour theme (follow the system, or force
 * light / dark) and presentation mode (large type, high contrast, for projectors). They act through
 * `data-theme` and `data-presentation` on <html>, which app.css's design tokens read.
 */
export type Theme = 'system' | 'light' | 'dark';

const THEME_KEY = 'tokenskip.theme';
const PRESENTATION_KEY = 'tokenskip.presentation';

export class Preferences {
  theme = $state<Theme>(readTheme());
  presentation = $state(globalThis.localStorage?.getItem(PRESENTATION_KEY) === '1');

  constructor() {
    this.#apply();
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    globalThis.localStorage?.setItem(THEME_KEY, theme);
    this.#apply();
  }

  setPresentation(on: boolean): void {
    this.presentation = on;
    globalThis.localStorage?.setItem(PRESENTATION_KEY, on ? '1' : '0');
    this.#apply();
  }

  #apply(): void {
    if (typeof document === 'undefined') return;
    const root = document.documentElement;
    if (this.theme === 'system') delete root.dataset['theme'];
    else root.dataset['theme'] = this.theme;
    if (this.presentation) root.dataset['presentation'] = '';
    else delete root.dataset['presentation'];
  }
}

function readTheme(): Theme {
  const v = globalThis.localStorage?.getItem(THEME_KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

export const preferences = new Preferences();
