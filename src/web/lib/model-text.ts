/**
 * A registry model's name and notes in the UI's language (models/manifest.json keeps a `zh` label
 * and notes next to the English ones). Reactive: both read `i18n.locale`.
 *
 *   <option value={m.id}>{modelName(m.id)}</option>
 */
import { MODELS, modelLabel, modelNotes } from '../../core/models/registry.ts';
import { i18n, LOCALES } from './i18n.svelte.ts';

/** The model's label in the current language; an id the registry lacks (a folder URL) as is. */
export function modelName(id: string): string {
  const entry = MODELS.find((m) => m.id === id);
  return entry ? modelLabel(entry, i18n.locale) : id;
}

/** The model's notes in the current language, else in English (`lang` for the element). */
export function modelNote(id: string): { text: string; lang: string } | undefined {
  const entry = MODELS.find((m) => m.id === id);
  const notes = entry ? modelNotes(entry, i18n.locale) : undefined;
  return notes && { text: notes.text, lang: LOCALES.find((l) => l.id === notes.lang)!.htmlLang };
}
