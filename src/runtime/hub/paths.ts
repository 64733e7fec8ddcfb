/**
 * Every path that comes from a registry (TOKENSKIP_REGISTRY can name any file) or from a server
 * (a recorded or resolved revision) becomes part of a file name in the store or of a cache key, so
 * each is checked here before use: a repo is `owner/name`, a revision one safe segment, a file a
 * relative path of plain segments. `../../escaped.txt` and the like are refused with a message
 * that names the entry, so nothing is ever written or deleted outside the store.
 */
import { TokenSkipError } from '../../core/errors.ts';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.+=@~-]*$/;

/** What was refused: a repo, a revision or a file path (each message says what it must be). */
type Refused = 'pathBadRepo' | 'pathBadRevision' | 'pathBadFile';

function bad(where: string, id: Refused, value: string): never {
  throw new TokenSkipError('INVALID_ARGUMENT', {
    id,
    params: { where, value: JSON.stringify(value) },
  });
}

/** `owner/name`, each one plain segment. */
export function checkRepo(repo: unknown, where: string): string {
  const value = String(repo);
  const parts = value.split('/');
  if (typeof repo !== 'string' || parts.length !== 2 || !parts.every((p) => SEGMENT.test(p)))
    bad(where, 'pathBadRepo', value);
  return value;
}

/** A commit or tag name: one plain segment (never `..`). */
export function checkRevision(revision: unknown, where: string): string {
  const value = String(revision);
  if (typeof revision !== 'string' || !SEGMENT.test(value) || value.includes('..'))
    bad(where, 'pathBadRevision', value);
  return value;
}

/** A file inside a model folder: relative, plain segments, no `.`/`..`, no `\`, no drive. */
export function checkFilePath(file: unknown, where: string): string {
  const value = String(file);
  const segments = value.split('/');
  if (
    typeof file !== 'string' ||
    value.length === 0 ||
    value.length > 400 ||
    !segments.every((s) => SEGMENT.test(s) && !/^\.+$/.test(s))
  )
    bad(where, 'pathBadFile', value);
  return value;
}
