/**
 * Small preferences (theme, language, mirror) in localStorage. They are conveniences: when this
 * site's storage is full (QuotaExceededError) or blocked, the setting holds for this visit and the
 * page goes on, instead of failing the action that changed it.
 *
 *   savePreference('tokenskip.theme', 'dark');
 */
export function savePreference(key: string, value: string): boolean {
  try {
    globalThis.localStorage?.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}
