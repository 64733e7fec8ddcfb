/**
 * The app's hash routes (`#/compress?model=…`): one parser for the app shell (App.svelte) and the
 * prepaint script (src/web/prepaint.ts, which must stay tiny: no imports here), and what the Learn
 * page opens on when the URL asks for nothing else.
 */

export interface Route {
  path: string;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  return { path, params: new URLSearchParams(query) };
}

/** The γ the Learn page opens at. */
export const LEARN_GAMMA = 0.6;

/**
 * Whether `hash` opens Learn on the worked example at its opening γ: what the build's prerendered
 * page shows (src/node/vite-prerender.ts), so any other URL must wait for the app.
 */
export function opensWorkedExample(hash: string): boolean {
  const { path, params } = parseHash(hash);
  return (
    (path === '' || path === 'learn') &&
    [...params.keys()].every((key) => key === 'rate') &&
    Number(params.get('rate') ?? LEARN_GAMMA) === LEARN_GAMMA
  );
}
