/**
 * What the hub itself says about a repo's files at a revision: each file's size, and for LFS files
 * its sha256 (the hub's `/api/models/<repo>/tree/<revision>?recursive=true` listing, read with
 * `@huggingface/hub`'s `listFiles`, node_modules/@huggingface/hub/dist/src/lib/list-files.d.ts:
 * `ListFileEntry.size`, `.lfs.oid` is the sha256). Where the registry has no sha256 for a file,
 * these are what a download must match (transfer.ts; a regular file's git blob sha1 likewise), so a cut, padded or replaced body is refused
 * even on its first download.
 *
 * Kept by hand around the library: the token goes only to the hub host (the library would send it
 * to any `Link: next` page; and it insists on `hf_` tokens, which a mirror's need not be), and a
 * hub or mirror without the listing API (404, or no answer within the stall timeout) gives
 * `undefined`: the response headers and the registry's bounds then decide (transfer.ts).
 */
import { listFiles } from '@huggingface/hub';
import type { ManifestFile, ModelEntry } from '../../core/models/registry.ts';
import type { HubSettings } from './settings.ts';

export interface HubFileInfo {
  size: number;
  /** LFS files only (regular git files have a git blob id, not a sha256). */
  sha256?: string;
  /**
   * Regular (non-LFS) files only: the git blob sha1 the listing gives as `oid`,
   * `sha1("blob <size>\0" + bytes)` (file-integrity.ts `gitBlobSha1`). An LFS entry's `oid` is
   * its pointer's blob, not the file's, so it is not taken.
   */
  gitSha1?: string;
}

const listings = new Map<string, Promise<Map<string, HubFileInfo> | undefined>>();

async function list(
  settings: HubSettings,
  repo: string,
  revision: string,
): Promise<Map<string, HubFileInfo> | undefined> {
  const hubOrigin = new URL(settings.host).origin;
  const files = new Map<string, HubFileInfo>();
  try {
    for await (const entry of listFiles({
      repo: { type: 'model', name: repo },
      revision,
      recursive: true,
      hubUrl: settings.host,
      fetch: (input: string | URL | Request, init?: RequestInit) => {
        const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
        const headers = new Headers(init?.headers);
        if (settings.token && url.origin === hubOrigin)
          headers.set('Authorization', `Bearer ${settings.token}`);
        return fetch(url, {
          ...init,
          headers,
          signal: AbortSignal.timeout(settings.stallMs),
        });
      },
    })) {
      if (entry.type !== 'file' || typeof entry.size !== 'number') continue;
      const sha256 = entry.lfs?.oid;
      const gitSha1 = entry.lfs ? undefined : entry.oid;
      files.set(entry.path, {
        size: entry.lfs?.size ?? entry.size,
        ...(sha256 && /^[0-9a-f]{64}$/.test(sha256) ? { sha256 } : {}),
        ...(gitSha1 && /^[0-9a-f]{40}$/.test(gitSha1) ? { gitSha1 } : {}),
      });
    }
  } catch {
    return undefined;
  }
  return files;
}

/** The hub's word on one file at a revision (one listing per repo and revision, kept for the run). */
export async function hubFileInfo(
  settings: HubSettings,
  repo: string,
  revision: string,
  file: string,
): Promise<HubFileInfo | undefined> {
  const key = `${settings.host}\n${repo}\n${revision}`;
  let listing = listings.get(key);
  if (!listing) {
    listing = list(settings, repo, revision);
    listings.set(key, listing);
  }
  return (await listing)?.get(file);
}

/**
 * What a file must be, the same rule in Node and in the browser: the registry's record (`sha256`
 * where it has one, else an approximate size) and, for a hub file the registry has no sha256 for,
 * what the hub's listing at `revision` says (`hub`). Not asked with a model host (`mirror`: an
 * app-layout folder, no hub API) nor for shipped or served models.
 */
export type ExpectedFile = ManifestFile & { hub?: HubFileInfo };

export async function expectedFile(
  entry: ModelEntry,
  file: string,
  revision: string | undefined,
  settings: HubSettings,
): Promise<ExpectedFile | undefined> {
  const listed = entry.files.find((f) => f.path === file);
  if (listed?.sha256 || settings.mirror || !revision || entry.source.type !== 'hub') return listed;
  const hub = await hubFileInfo(settings, entry.source.repo, revision, file);
  if (!hub) return listed;
  return { ...(listed ?? { path: file, size: hub.size }), hub };
}

/** Forgets the listings read so far (tests, and `models rm`). */
export function forgetListings(): void {
  listings.clear();
}
