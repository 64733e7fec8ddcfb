/**
 * What the hub itself says about a repo's files at a revision: each file's size, and for LFS files
 * its sha256 (the hub's `/api/models/<repo>/tree/<revision>?recursive=true` listing, read with
 * `@huggingface/hub`'s `listFiles`, node_modules/@huggingface/hub/dist/src/lib/list-files.d.ts:
 * `ListFileEntry.size`, `.lfs.oid` is the sha256). Where the registry has no sha256 for a file,
 * these are what a download must match (transfer.ts), so a cut, padded or replaced body is refused
 * even on its first download.
 *
 * Kept by hand around the library: the token goes only to the hub host (the library would send it
 * to any `Link: next` page; and it insists on `hf_` tokens, which a mirror's need not be), and a
 * hub or mirror without the listing API (404, or no answer within the stall timeout) gives
 * `undefined`: the response headers and the registry's bounds then decide (transfer.ts).
 */
import { listFiles } from '@huggingface/hub';
import type { HubSettings } from './settings.ts';

export interface HubFileInfo {
  size: number;
  /** LFS files only (regular git files have a git blob id, not a sha256). */
  sha256?: string;
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
      files.set(entry.path, {
        size: entry.lfs?.size ?? entry.size,
        ...(sha256 && /^[0-9a-f]{64}$/.test(sha256) ? { sha256 } : {}),
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

/** Forgets the listings read so far (tests, and `models rm`). */
export function forgetListings(): void {
  listings.clear();
}
