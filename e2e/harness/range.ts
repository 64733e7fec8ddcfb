import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * Answers `Range: bytes=N-` with 206 and the rest of `data`, as a hub does; returns false when
 * the request has no such range, so the caller sends the whole file its own way.
 */
export function sendRange(
  req: IncomingMessage,
  res: ServerResponse,
  data: Buffer,
  headers: OutgoingHttpHeaders,
): boolean {
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (!range) return false;
  const start = Number(range[1]);
  res.writeHead(206, {
    ...headers,
    'Content-Length': String(data.length - start),
    'Content-Range': `bytes ${start}-${data.length - 1}/${data.length}`,
  });
  res.end(data.subarray(start));
  return true;
}
