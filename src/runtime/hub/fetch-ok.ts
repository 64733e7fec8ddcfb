/**
 * The one fetch-and-check for model files, in the browser and in Node: a network failure or an
 * HTTP error becomes a TokenSkipError that names the file and the URL (404: MODEL_FILE_MISSING, so
 * loaders can skip optional files; anything else: DOWNLOAD_FAILED), and a server that answers a web
 * page with status 200 for a model file (a login, error or captive-portal page; web-llm #289 is such
 * a report) is caught before a byte of it is kept.
 */
import { TokenSkipError } from '../../core/errors.ts';

export async function fetchOk(url: string, file: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw fetchFailed(file, url, error);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw httpError(file, url, response.status);
  }
  if (servesHtmlFor(file, response.headers.get('Content-Type'))) throw htmlError(file, url);
  return response;
}

/** A request that got no answer (the network, a refused connection, a browser offline). */
export function fetchFailed(file: string, url: string, error: unknown): TokenSkipError {
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  // A browser with the network off: say so plainly (the model is simply not cached yet).
  if ((globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false) {
    return new TokenSkipError(
      'DOWNLOAD_FAILED',
      { id: 'offlineNotCached', params: { file } },
      { cause: error },
    );
  }
  return new TokenSkipError(
    'DOWNLOAD_FAILED',
    {
      id: 'fetchFailed',
      params: { file, url, raw: `${(error as Error).message}${cause ? ` (${cause})` : ''}` },
    },
    { cause: error },
  );
}

/** An HTTP error answer (404: MODEL_FILE_MISSING, so loaders can skip optional files). */
export function httpError(file: string, url: string, status: number): TokenSkipError {
  return new TokenSkipError(status === 404 ? 'MODEL_FILE_MISSING' : 'DOWNLOAD_FAILED', {
    id: 'httpFailed',
    params: { file, url, status },
  });
}

/** True when a response of this Content-Type cannot be `file` (only .html files are pages). */
export function servesHtmlFor(file: string, contentType: string | null): boolean {
  return /^\s*text\/html\b/i.test(contentType ?? '') && !/\.html?$/i.test(file);
}

/** True when the first bytes of a body are an HTML document (for servers that send no type). */
export function looksLikeHtml(file: string, head: Uint8Array): boolean {
  if (/\.html?$/i.test(file)) return false;
  const text = new TextDecoder().decode(head.subarray(0, 64)).trimStart().toLowerCase();
  return text.startsWith('<!doctype html') || text.startsWith('<html');
}

export function htmlError(file: string, url: string): TokenSkipError {
  return new TokenSkipError('DOWNLOAD_FAILED', { id: 'htmlInsteadOfFile', params: { file, url } });
}
