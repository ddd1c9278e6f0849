/**
 * Uploads in progress are written to `<uploadDir>/<uuid>.part` and renamed into place only when
 * complete (commands-transfer.ts), so an interrupted one never appears as a file. A `.part` left
 * behind by a process that died mid-upload (kill -9, power loss) is removed when the next server
 * starts on that folder: nothing can still be writing it.
 * @module
 */
import fs from 'node:fs/promises';
import path from 'node:path';

/** The names this server gives its temporary upload files. */
const PART_FILE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.part$/;

/** Removes the stale `.part` files in `uploadDir` (only those: other files are left alone); resolves with how many. */
export async function removeStaleUploads(uploadDir: string): Promise<number> {
  const names = await fs.readdir(uploadDir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    if (!PART_FILE.test(name)) continue;
    await fs.rm(path.join(uploadDir, name), { force: true });
    removed++;
  }
  return removed;
}
