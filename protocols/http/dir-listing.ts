/**
 * Directory listings for `/files/`: read the entries (never revealing what a symlink outside the
 * root points at), then render them as HTML or JSON.
 * @module
 */
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isInside, openedPath } from './path-sandbox.js';
import { escapeHtml, HttpError } from './replies.js';

/** Most entries one listing shows; the rest are left out and `truncated` is set. */
export const MAX_LISTING_ENTRIES = 10_000;

export interface ListingEntry {
  readonly name: string;
  readonly type: 'file' | 'directory';
  readonly size: number;
  /** ISO 8601. */
  readonly modified: string;
  /** Absolute URL path of the entry. */
  readonly url: string;
}

export interface Listing {
  /** URL path of the directory, ending in "/". */
  readonly path: string;
  readonly entries: ListingEntry[];
  readonly truncated: boolean;
}

/** Percent-encodes each segment of a relative path for a URL. */
export function encodeSegments(rel: readonly string[]): string {
  return rel.map((s) => encodeURIComponent(s)).join('/');
}

/**
 * Lists `dir` (a real path inside `realRoot`), directories first. Symlinks are followed only when
 * their target is inside the root; others (and broken ones) are left out. The folder is opened
 * first and read through its descriptor (`/proc/self/fd/N` on Linux), after checking what was
 * really opened: a folder swapped for a symlink after the path was checked is refused with 403
 * instead of listed.
 */
export async function readListing(realRoot: string, dir: string, urlBase: string): Promise<Listing> {
  const handle = await fs.open(dir, 'r');
  try {
    const opened = openedPath(handle.fd);
    if (opened !== undefined && !isInside(realRoot, opened)) throw new HttpError(403, 'path leaves the root');
    return await readEntries(realRoot, opened !== undefined ? `/proc/self/fd/${handle.fd}` : dir, urlBase);
  } finally {
    await handle.close();
  }
}

async function readEntries(realRoot: string, dir: string, urlBase: string): Promise<Listing> {
  const dirents = await fs.readdir(dir, { withFileTypes: true });
  const entries: ListingEntry[] = [];
  let truncated = false;
  for (const d of dirents) {
    if (entries.length >= MAX_LISTING_ENTRIES) {
      truncated = true;
      break;
    }
    const full = path.join(dir, d.name);
    let stat: Stats;
    try {
      if (d.isSymbolicLink() && !isInside(realRoot, await fs.realpath(full))) continue;
      stat = await fs.stat(full);
    } catch {
      continue;
    }
    if (!stat.isFile() && !stat.isDirectory()) continue;
    const type = stat.isDirectory() ? 'directory' : 'file';
    entries.push({
      name: d.name,
      type,
      size: type === 'file' ? stat.size : 0,
      modified: stat.mtime.toISOString(),
      url: urlBase + encodeURIComponent(d.name) + (type === 'directory' ? '/' : ''),
    });
  }
  entries.sort((a, b) =>
    a.type === b.type ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.type === 'directory' ? -1 : 1,
  );
  return { path: urlBase, entries, truncated };
}

/** A plain HTML page for a listing (self-contained, no scripts). */
export function listingHtml(listing: Listing): string {
  const title = `Index of ${decodeURIComponentSafe(listing.path)}`;
  const rows = listing.entries
    .map(
      (e) =>
        `<tr><td><a href="${escapeHtml(e.url)}">${escapeHtml(e.name)}${e.type === 'directory' ? '/' : ''}</a></td>` +
        `<td class="n">${e.type === 'file' ? e.size : '-'}</td><td>${escapeHtml(e.modified)}</td></tr>`,
    )
    .join('\n');
  const up = listing.path === '/files/' ? '' : '<tr><td><a href="../">../</a></td><td></td><td></td></tr>\n';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}td{padding:2px 12px}.n{text-align:right}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<table><thead><tr><th>Name</th><th>Size</th><th>Modified</th></tr></thead><tbody>
${up}${rows}
</tbody></table>${listing.truncated ? `<p>Only the first ${MAX_LISTING_ENTRIES} entries are shown.</p>` : ''}
</body></html>
`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
