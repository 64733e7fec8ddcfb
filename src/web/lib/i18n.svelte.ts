/**
 * The app's one i18n module: English and 简体中文, switchable and remembered (localStorage
 * `tokenskip.locale`, else the browser's language). Every user-visible string goes through `t()`;
 * numbers and dates through `formatNumber` / `formatDate` (Intl, per locale).
 *
 *   import { i18n, t } from './i18n.svelte.ts';
 *   t('learn.title'); t('heat.word', { word: 'apples', p: '0.93' }); i18n.setLocale('zh');
 *
 * Built on i18next: framework-free, zero dependencies, well kept (releases every few weeks),
 * with plurals from Intl.PluralRules and interpolation, and no svelte/store (svelte-i18n's API is
 * store-based, which this codebase avoids in favour of runes). Reactivity comes from the `$state`
 * locale below: `t()` reads it, so any template that calls `t()` re-renders when it changes.
 */
import { savePreference } from './storage.ts';
import { HTML_LANG, LOCALE_KEY, startLocale } from './start-preferences.ts';
import i18next, { type TOptions } from 'i18next';
import { en } from './locales/en.ts';
import { zh } from './locales/zh.ts';
import type { TextLocale } from '../../core/models/registry.ts';

/** The app's languages (the model registry's texts come in the same ones). */
export type Locale = TextLocale;
export const LOCALES: { id: Locale; label: string; htmlLang: string }[] = [
  { id: 'en', label: 'English', htmlLang: HTML_LANG.en },
  { id: 'zh', label: '简体中文', htmlLang: HTML_LANG.zh },
];

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];
/** Every message key, checked at compile time (`learn.title`, `heat.word`, …). */
export type MessageKey = Leaves<typeof en>;

const engine = i18next.createInstance();
void engine.init({
  resources: { en: { translation: en }, zh: { translation: zh } },
  lng: 'en',
  fallbackLng: 'en',
  initAsync: false, // resources are bundled: initialise synchronously, before the first render
  interpolation: { escapeValue: false }, // Svelte escapes text itself
  returnNull: false,
});

class I18n {
  locale = $state<Locale>(startLocale());

  constructor() {
    void engine.changeLanguage(this.locale);
    this.#applyToDocument();
  }

  setLocale(locale: Locale): void {
    this.locale = locale;
    void engine.changeLanguage(locale);
    savePreference(LOCALE_KEY, locale);
    this.#applyToDocument();
  }

  t(key: MessageKey, vars?: TOptions): string {
    // Reading the rune makes every caller reactive to the language.
    return engine.t(key, { ...vars, lng: this.locale }) as string;
  }

  /** Intl's locale tag for the current language. */
  get tag(): string {
    return LOCALES.find((l) => l.id === this.locale)!.htmlLang;
  }

  #applyToDocument(): void {
    if (typeof document !== 'undefined') document.documentElement.lang = this.tag;
  }
}

export const i18n = new I18n();
export const t = (key: MessageKey, vars?: TOptions): string => i18n.t(key, vars);

// Constructing an Intl.NumberFormat resolves the locale each time (tenths of a millisecond to a
// millisecond here): the heat map formats every word's score, so one formatter per locale and
// options is kept (a handful exist: the callers pass a few fixed option sets).
// A plain cache, not state: nothing renders from it.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const numberFormats = new Map<string, Intl.NumberFormat>();

/** A number in the current locale, e.g. `formatNumber(0.6, { minimumFractionDigits: 2 })`. */
export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  const key = `${i18n.tag}|${options ? JSON.stringify(options) : ''}`;
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(i18n.tag, options)));
  return format.format(value);
}
/** A fixed number of fraction digits in the current locale. */
export const fixed = (value: number, digits: number): string =>
  formatNumber(value, { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** A share as a percentage, e.g. 0.42 -> "42.0%". */
export const percent = (value: number, digits = 1): string =>
  formatNumber(value, {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
/** A date and time in the current locale. */
export function formatDate(value: Date | number, options?: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat(
    i18n.tag,
    options ?? { dateStyle: 'medium', timeStyle: 'short' },
  ).format(value);
}
