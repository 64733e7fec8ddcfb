/**
 * Runs before the body is parsed (a classic, blocking script in index.html's head; bundled on its
 * own by src/node/vite-prerender.ts, a few hundred bytes): it sets what the app would set when it
 * starts, so the first paint is already right:
 *
 * - the theme and presentation mode on <html> (without it a dark-theme visitor saw the light page
 *   until the app's JavaScript ran);
 * - the language on <html>, and which of the build's prerendered Learn pages to show: the one in
 *   the visitor's language when the URL opens Learn on the worked example, none otherwise (another
 *   page or the visitor's own text must wait for the app).
 *
 * The app mounts over the prerendered page (src/web/main.ts) and sets the same attributes again.
 */
import {
  HTML_LANG,
  resolveTheme,
  startLocale,
  startPresentation,
  startTheme,
  systemPrefersDark,
} from './lib/start-preferences.ts';
import { opensWorkedExample } from './lib/route.ts';

const root = document.documentElement;
root.dataset['theme'] = resolveTheme(startTheme(), systemPrefersDark());
if (startPresentation()) root.dataset['presentation'] = '';
const locale = startLocale();
root.lang = HTML_LANG[locale];

// The prerendered Learn page shows the worked example: only a URL asking for just that.
root.dataset['prerender'] = opensWorkedExample(location.hash) ? locale : 'none';
