/**
 * The rules every model-file transfer follows, in Node (hub/node/download.ts) and in the browser
 * (hub/web/resumable-download.ts) alike; the one loop that applies them is resume.ts:
 *
 * - Range resume: `Range: bytes=<kept>-`; a 206 continues the kept bytes only when its
 *   Content-Range starts there (and names the same total); anything else starts over.
 * - A declared size is required: the registry's exact size, the hub's (`X-Linked-Size`, its file
 *   listing at the revision), else the response's own (Content-Range total, Content-Length). A
 *   body without one is refused before a byte is kept; one longer than declared is cut off at
 *   the first extra byte and refused; one shorter fails as an interrupted download (kept, so the
 *   next try resumes).
 * - A per-file bound: no declared size may exceed `maxFileBytes`, nor be far over the registry's
 *   approximate size where it has one (a hostile server cannot fill the disk with a "1 MB" file);
 *   on the hub, without a listing, not far under it either.
 * - A stall timeout: fewer than `stallBytes` in `stallMs` (a dead or 1 byte/s server) stops the
 *   transfer as a network error; the bytes received are kept for the next try.
 */
import { TokenSkipError, type ErrorDetail } from '../../core/errors.ts';
import type { TransferLimits } from './settings.ts';

/** `bytes start-end/total` of a 206 answer (the one parser, Node and browser). */
export function parseContentRange(
  header: string | null | undefined,
): { start: number; end: number; total?: number } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header?.trim() ?? '');
  if (!m) return undefined;
  return {
    start: Number(m[1]),
    end: Number(m[2]),
    ...(m[3] !== '*' ? { total: Number(m[3]) } : {}),
  };
}

/** The Range request for the rest of a file of which `have` bytes are kept (none for 0). */
export function rangeHeaders(have: number): Record<string, string> {
  return have > 0 ? { Range: `bytes=${have}-` } : {};
}

/**
 * How an answer to a (possibly ranged) request relates to the kept bytes: `continue` (a 206 that
 * starts exactly at `have`, same total when one is kept), `restart` (a 200: the whole file follows;
 * or a 206 that does not continue: ask again without Range), or `refetch` (416: the kept bytes are
 * not a prefix of this file).
 */
export function resumeDecision(
  status: number,
  contentRange: string | null,
  have: number,
  keptTotal?: number,
): 'continue' | 'restart' | 'refetch' {
  if (have === 0) return 'restart';
  if (status === 416) return 'refetch';
  if (status !== 206) return 'restart';
  const range = parseContentRange(contentRange);
  if (!range || range.start !== have) return 'refetch';
  if (keptTotal !== undefined && range.total !== undefined && range.total !== keptTotal)
    return 'refetch';
  return 'continue';
}

/** The whole file's size as a response declares it: X-Linked-Size, Content-Range, Content-Length. */
export function sizeFromHeaders(status: number, headers: Headers): number | undefined {
  const linked = headers.get('X-Linked-Size');
  if (linked !== null && /^\d+$/.test(linked.trim())) return Number(linked);
  if (status === 206) return parseContentRange(headers.get('Content-Range'))?.total;
  const length = headers.get('Content-Length');
  return length !== null && /^\d+$/.test(length.trim()) ? Number(length) : undefined;
}

/** The sha256 the hub declares for an LFS file (`X-Linked-Etag: "<sha256>"`), if any. */
export function sha256FromHeaders(headers: Headers): string | undefined {
  const etag = headers.get('X-Linked-Etag') ?? headers.get('X-Linked-ETag');
  const m = /^(?:W\/)?"?([0-9a-f]{64})"?$/.exec(etag?.trim() ?? '');
  return m?.[1];
}

/**
 * The git blob sha1 the hub answers as the ETag of a regular (non-LFS) file: a 40-hex ETag on an
 * answer that carries the hub's `X-Repo-Commit` and no `X-Linked-Etag` (an LFS file's ETag is not
 * its blob). Other servers' ETags (a mirror, a static host) are never read as a hash.
 */
export function gitSha1FromHeaders(headers: Headers): string | undefined {
  if (headers.get('X-Repo-Commit') === null || sha256FromHeaders(headers)) return undefined;
  const m = /^(?:W\/)?"?([0-9a-f]{40})"?$/.exec(headers.get('ETag')?.trim() ?? '');
  return m?.[1];
}

/** A transfer refused for `reason` (a detail, so pages name it in their language). */
export function refused(where: string, url: string, reason: ErrorDetail): TokenSkipError {
  return new TokenSkipError('MODEL_FILE_CORRUPT', {
    id: 'transferRefused',
    params: { where, url, reason },
  });
}

/** Who declares the size a file must have, in messages. */
export type SizeSource = 'registry' | 'recorded' | 'hub' | 'tensorCache';
const SIZE_SOURCE = {
  registry: 'sizeByRegistry',
  recorded: 'sizeByRecorded',
  hub: 'sizeByHub',
  tensorCache: 'sizeByTensorCache',
} as const;

/**
 * The size a transfer must end at: the expected size (registry, record or hub listing) and the
 * response's own must agree, one of them must exist, and it must be within the bounds.
 */
export function declaredSize(options: {
  where: string;
  url: string;
  /** Exact size from the registry, the recorded hash or the hub's listing. */
  expected?: number | undefined;
  /** Who says `expected`, in messages (default the registry). */
  expectedBy?: SizeSource;
  /** What the response declares (sizeFromHeaders). */
  served?: number | undefined;
  /** The registry's approximate size (files without a sha256 there). */
  approximate?: number | undefined;
  /**
   * Also refuse sizes under a quarter of `approximate` (hub downloads; a model host may serve a
   * smaller export under the same id, as the app's own test host does).
   */
  lowerBound?: boolean;
  limits: TransferLimits;
}): number {
  const { where, url, expected, served, approximate, limits } = options;
  if (expected !== undefined && served !== undefined && expected !== served) {
    throw refused(where, url, {
      id: 'reasonSizeDisagrees',
      params: {
        served,
        expected,
        expectedBy: { id: SIZE_SOURCE[options.expectedBy ?? 'registry'] },
      },
    });
  }
  const size = expected ?? served;
  if (size === undefined) {
    throw refused(where, url, { id: 'reasonNoSize' });
  }
  if (size > limits.maxFileBytes) {
    throw refused(where, url, {
      id: 'reasonOverBound',
      params: { size, bound: limits.maxFileBytes },
    });
  }
  if (expected === undefined && approximate !== undefined && approximate > 0) {
    // The registry's sizes without a sha256 are rounded from the hub's listing: within 4×.
    if (size > approximate * 4 + 65_536 || (options.lowerBound && size < approximate / 4)) {
      throw refused(where, url, {
        id: 'reasonFarFromRegistry',
        params: { size, approximate },
      });
    }
  }
  return size;
}

/** Counts a body against its declared size: an extra byte throws at once. */
export class BodyCount {
  loaded: number;
  constructor(
    readonly size: number,
    have: number,
    private readonly where: string,
    private readonly url: string,
  ) {
    this.loaded = have;
  }

  add(bytes: number): void {
    this.loaded += bytes;
    if (this.loaded > this.size) {
      throw refused(this.where, this.url, { id: 'reasonTooLong', params: { size: this.size } });
    }
  }

  /** True when the body ended short (an interrupted transfer: resume it). */
  get short(): boolean {
    return this.loaded < this.size;
  }
}

/**
 * A stall watchdog: call `progress(n)` for each chunk; when fewer than `stallBytes` (or what is
 * left, if less) arrived in the last `stallMs`, `onStall` runs once (abort the request there).
 */
export function stallWatch(
  limits: TransferLimits,
  remaining: () => number,
  onStall: (message: string, at: { bytes: number; seconds: number }) => void,
): { progress: (bytes: number) => void; stop: () => void } {
  let window = 0;
  let fired = false;
  const timer = setInterval(() => {
    const need = Math.max(1, Math.min(limits.stallBytes, remaining()));
    if (window < need && !fired) {
      fired = true;
      clearInterval(timer);
      onStall(
        `stalled: ${window} bytes in ${limits.stallMs / 1000} s (TOKENSKIP_STALL_SECONDS, TOKENSKIP_STALL_BYTES)`,
        { bytes: window, seconds: limits.stallMs / 1000 },
      );
    }
    window = 0;
  }, limits.stallMs);
  (timer as { unref?: () => void }).unref?.();
  return {
    progress: (bytes) => {
      window += bytes;
    },
    stop: () => clearInterval(timer),
  };
}
