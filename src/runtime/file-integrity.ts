/**
 * Checks a downloaded model file against the manifest before anything is cached, so a truncated
 * or corrupted download can never poison the next start. Uses Web Crypto (browser and Node 20).
 */
import { TokenSkipError } from '../core/errors.ts';
import type { ManifestFile } from './model-manifest.ts';

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
