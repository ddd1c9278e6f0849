/**
 * Reads a directory of the sandbox for LIST, NLST, MLSD and STAT: entries whose symlinks end
 * outside the root (or nowhere) are left out, so a listing never reveals or follows them.
 * @module
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { entryInfo } from './commands-files.js';
import { type EntryInfo, formatFacts, formatListLine, type MlstFact } from './list-format.js';
import type { Sandbox } from './sandbox.js';

/** The entries of the real directory `dir`, sorted by name. */
export async function readEntries(sandbox: Sandbox, dir: string): Promise<EntryInfo[]> {
  const dirents = await fs.readdir(dir, { withFileTypes: true });
  const infos = await Promise.all(
    dirents.map(async (d) => {
      const full = path.join(dir, d.name);
      if (d.isSymbolicLink() && !(await sandbox.contains(full))) return undefined;
      const stats = await fs.stat(full).catch(() => undefined);
      return stats ? entryInfo(d.name, stats) : undefined;
    }),
  );
  return infos.filter((e): e is EntryInfo => e !== undefined).sort((a, b) => (a.name < b.name ? -1 : 1));
}

export type ListingKind = 'LIST' | 'NLST' | 'MLSD';

/** The listing body with CRLF line ends; empty for an empty directory (nothing is sent). */
export function formatListing(
  kind: ListingKind,
  entries: readonly EntryInfo[],
  facts: readonly MlstFact[],
  perms: string,
): string {
  const now = new Date();
  const lines = entries.map((e) =>
    kind === 'LIST' ? formatListLine(e, now) : kind === 'NLST' ? e.name : formatFacts(e, facts, perms),
  );
  return lines.map((l) => `${l}\r\n`).join('');
}
