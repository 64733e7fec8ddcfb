/**
 * Every path that comes from a registry (TOKENSKIP_REGISTRY can name any file) or from a server
 * (a recorded or resolved revision) becomes part of a file name in the store or of a cache key, so
 * each is checked here before use: a repo is `owner/name`, a revision one safe segment, a file a
 * relative path of plain segments. `../../escaped.txt` and the like are refused with a message
 * that names the entry, so nothing is ever written or deleted outside the store.
 */
import { TokenSkipError } from '../../core/errors.ts';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.+=@~-]*$/;

function bad(where: string, what: string, value: string, rule: string): never {
  throw new TokenSkipError(
    'INVALID_ARGUMENT',
    `${where}: ${what} ${JSON.stringify(value)} is not allowed (${rule}); fix the registry entry.`,
  );
}

/** `owner/name`, each one plain segment. */
export function checkRepo(repo: unknown, where: string): string {
  const value = String(repo);
  const parts = value.split('/');
  if (typeof repo !== 'string' || parts.length !== 2 || !parts.every((p) => SEGMENT.test(p)))
    bad(where, 'repo', value, 'it must be owner/name of letters, digits, "_", "-" and "."');
  return value;
}

/** A commit or tag name: one plain segment (never `..`). */
export function checkRevision(revision: unknown, where: string): string {
  const value = String(revision);
  if (typeof revision !== 'string' || !SEGMENT.test(value) || value.includes('..'))
    bad(where, 'revision', value, 'it must be one plain name, a commit sha');
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
    bad(where, 'file path', value, 'it must be a relative path inside the model folder');
  return value;
}
