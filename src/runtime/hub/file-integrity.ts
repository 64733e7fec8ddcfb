/**
 * Checks a downloaded model file against the manifest before anything is cached, so a truncated
 * or corrupted download can never poison the next start. Uses Web Crypto (browser and Node 20).
 */
import { TokenSkipError } from '../../core/errors.ts';
import type { ManifestFile } from '../../core/models/registry.ts';

export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function verifyFile(
  data: Uint8Array,
  expected: ManifestFile | undefined,
  where: string,
): Promise<void> {
  if (!expected?.sha256) return;
  if (data.byteLength !== expected.size) {
    throw new TokenSkipError('MODEL_FILE_CORRUPT', {
      id: 'fileSizeMismatch',
      params: { where, actual: data.byteLength, expected: expected.size },
    });
  }
  const actual = await sha256Hex(data);
  if (actual !== expected.sha256) {
    throw new TokenSkipError('MODEL_FILE_CORRUPT', {
      id: 'fileShaMismatch',
      params: { where, actual: actual.slice(0, 12), expected: expected.sha256.slice(0, 12) },
    });
  }
}

/**
 * How far a model file was checked: `verified` against the manifest's sha256; `hub` against a hash
 * the hub itself gave when the manifest has none (the LFS sha256 of its listing or
 * `X-Linked-Etag`, or the git blob sha1 of a regular file), recorded at that first download so
 * later reads must match it too; `recorded` against the hash this machine recorded when it first
 * downloaded the file (nobody gave one: trusted on first use, any later download or cached copy
 * must match it); `unchecked` for files nobody has a hash for (self-hosted generation models).
 */
export type IntegrityStatus = 'verified' | 'hub' | 'recorded' | 'unchecked';

export const INTEGRITY_LABEL: Record<IntegrityStatus, string> = {
  verified: 'verified',
  hub: 'hash from the hub',
  recorded: 'hash recorded locally',
  unchecked: 'not checked',
};

/** Strongest first: a model made of several files is as checked as its weakest file. */
const RANK: Record<IntegrityStatus, number> = { verified: 3, hub: 2, recorded: 1, unchecked: 0 };

/** The weakest of several files' statuses, for a model made of several files. */
export function weakestIntegrity(statuses: IntegrityStatus[]): IntegrityStatus {
  return statuses.reduce<IntegrityStatus>((w, s) => (RANK[s] < RANK[w] ? s : w), 'verified');
}

/** A file's size and hash, as the manifest gives them or as recorded at first download. */
export interface FileHash {
  size: number;
  sha256: string;
}

/** A recorded hash; `from: 'hub'` when the first download was checked against the hub's hash. */
export interface RecordedHash extends FileHash {
  from?: 'hub';
}

/** What a file must match and who says so (the manifest, a local record, the hub). */
export interface ExpectedHash {
  hash: FileHash;
  source: 'manifest' | 'recorded' | 'hub';
  /** For `recorded`: the record was itself checked against the hub at the first download. */
  fromHub?: boolean;
}

/** The status a file checked against `want` has (none: `unchecked`). */
export function statusOf(want: ExpectedHash | undefined): IntegrityStatus {
  if (!want) return 'unchecked';
  if (want.source === 'manifest') return 'verified';
  return want.source === 'hub' || want.fromHub ? 'hub' : 'recorded';
}

/**
 * The git blob id of a file's bytes, `sha1("blob <size>\0" + bytes)`: what the hub lists (`oid`)
 * and answers as the ETag for a regular, non-LFS file (config and tokenizer files), where it has
 * no sha256 (issue 23). Web Crypto has no incremental SHA-1, so the bytes come in one buffer; the
 * hub refuses regular files over 10 MB (larger ones must be LFS), and `checkGitBlob` bounds it.
 */
export async function gitBlobSha1(data: Uint8Array): Promise<string> {
  const header = new TextEncoder().encode(`blob ${data.byteLength}\0`);
  const all = new Uint8Array(header.byteLength + data.byteLength);
  all.set(header);
  all.set(data, header.byteLength);
  const digest = await crypto.subtle.digest('SHA-1', all);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The largest regular (non-LFS) file whose git blob sha1 is checked in memory (the hub's cap is 10 MB). */
export const GIT_BLOB_LIMIT = 64 * 2 ** 20;

/** Refuses bytes whose git blob sha1 is not the one the hub gives for the file. */
export function checkGitBlob(actual: string, expected: string, where: string): void {
  if (actual !== expected) {
    throw new TokenSkipError('MODEL_FILE_CORRUPT', {
      id: 'fileGitBlobMismatch',
      params: { where, actual: actual.slice(0, 12), expected: expected.slice(0, 12) },
    });
  }
}

/** Compares a computed size and hash with the expected ones (manifest or recorded). */
export function checkHash(
  actual: FileHash,
  expected: FileHash,
  where: string,
  source: 'manifest' | 'recorded' | 'hub',
): void {
  // One message per source (the manifest, the hub's listing, the first download's record).
  const by = { manifest: 'Manifest', hub: 'Hub', recorded: 'Recorded' } as const;
  if (actual.size !== expected.size) {
    throw new TokenSkipError('MODEL_FILE_CORRUPT', {
      id: `fileSizeVs${by[source]}`,
      params: { where, actual: actual.size, expected: expected.size },
    });
  }
  if (actual.sha256 !== expected.sha256) {
    throw new TokenSkipError('MODEL_FILE_CORRUPT', {
      id: `fileShaVs${by[source]}`,
      params: { where, actual: actual.sha256.slice(0, 12), expected: expected.sha256.slice(0, 12) },
    });
  }
}
