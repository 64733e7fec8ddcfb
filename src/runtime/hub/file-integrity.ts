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
    throw new TokenSkipError(
      'MODEL_FILE_CORRUPT',
      `${where} has ${data.byteLength} bytes, expected ${expected.size}: the file is truncated or replaced. Delete it (or clear the app's model cache) and load again.`,
    );
  }
  const actual = await sha256Hex(data);
  if (actual !== expected.sha256) {
    throw new TokenSkipError(
      'MODEL_FILE_CORRUPT',
      `${where} has sha256 ${actual.slice(0, 12)}…, expected ${expected.sha256.slice(0, 12)}…: the file is corrupt. Delete it (or clear the app's model cache) and load again.`,
    );
  }
}

/**
 * How far a model file was checked: `verified` against the manifest's sha256; `recorded` against
 * the hash this machine recorded when it first downloaded the file (the manifest has none: the
 * file is trusted on first use, and any later download or cached copy must match it); `unchecked`
 * for files nobody has a hash for (self-hosted generation models).
 */
export type IntegrityStatus = 'verified' | 'recorded' | 'unchecked';

export const INTEGRITY_LABEL: Record<IntegrityStatus, string> = {
  verified: 'verified',
  recorded: 'hash recorded locally',
  unchecked: 'not checked',
};

/** The weakest of several files' statuses, for a model made of several files. */
export function weakestIntegrity(statuses: IntegrityStatus[]): IntegrityStatus {
  if (statuses.includes('unchecked')) return 'unchecked';
  if (statuses.includes('recorded')) return 'recorded';
  return 'verified';
}

/** A file's size and hash, as the manifest gives them or as recorded at first download. */
export interface FileHash {
  size: number;
  sha256: string;
}

/** Compares a computed size and hash with the expected ones (manifest or recorded). */
export function checkHash(
  actual: FileHash,
  expected: FileHash,
  where: string,
  source: 'manifest' | 'recorded' | 'hub',
): void {
  const origin =
    source === 'manifest'
      ? 'the manifest'
      : source === 'hub'
        ? "the hub's own listing of the file (its size and LFS sha256 at this revision)"
        : 'the hash recorded at its first download (the host now serves different bytes)';
  if (actual.size !== expected.size) {
    throw new TokenSkipError(
      'MODEL_FILE_CORRUPT',
      `${where} has ${actual.size} bytes, expected ${expected.size} from ${origin}: the file is truncated or replaced. Delete it (or clear the app's model cache) and load again.`,
    );
  }
  if (actual.sha256 !== expected.sha256) {
    throw new TokenSkipError(
      'MODEL_FILE_CORRUPT',
      `${where} has sha256 ${actual.sha256.slice(0, 12)}…, expected ${expected.sha256.slice(0, 12)}… from ${origin}: the file is corrupt or was replaced.`,
    );
  }
}
