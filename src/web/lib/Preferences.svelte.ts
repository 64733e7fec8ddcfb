/**
 * Display preferences, remembered in localStorage: the colour theme (follow the system, or force
 * light / dark) and presentation mode (large type, high contrast, for projectors). They act through
 * `data-theme` and `data-presentation` on <html>, which app.css's design tokens read. The theme is
 * always resolved to `light` or `dark` here (following the system's preference live when the choice
 * is `system`), so app.css declares the dark palette once.
 */
import { savePreference } from './storage.ts';
import {
  PRESENTATION_KEY,
  THEME_KEY,
  resolveTheme,
  startPresentation,
  startTheme,
  type Theme,
} from './start-preferences.ts';

export type { Theme };

export class Preferences {
  theme = $state<Theme>(startTheme());
  presentation = $state(startPresentation());
  /** The operating system's preference, kept current while the page is open. */
  systemDark = $state(false);

  constructor() {
    const media = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
    if (media) {
      this.systemDark = media.matches;
      media.addEventListener('change', (e) => {
        this.systemDark = e.matches;
        this.#apply();
      });
    }
    this.#apply();
  }

  /** The theme in effect: the choice, or the system's when the choice is `system`. */
  get resolvedTheme(): 'light' | 'dark' {
    return resolveTheme(this.theme, this.systemDark);
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    savePreference(THEME_KEY, theme);
    this.#apply();
  }

  setPresentation(on: boolean): void {
    this.presentation = on;
    savePreference(PRESENTATION_KEY, on ? '1' : '0');
    this.#apply();
  }

  #apply(): void {
    if (typeof document === 'undefined') return;
    const root = document.documentElement;
    root.dataset['theme'] = this.resolvedTheme;
    if (this.presentation) root.dataset['presentation'] = '';
    else delete root.dataset['presentation'];
  }
}

export const preferences = new Preferences();
