/**
 * Keeps file paths inside the served root. Two steps: a pure check of the request path as sent
 * (refuses `..` in any spelling, backslashes, NUL, encoded separators), then a real-path check on
 * disk so a symlink cannot lead outside. A symlink swapped in between that check and the open is
 * caught on the open descriptor itself ({@link openedPath}); between that check and the `stat`
 * whose size and dates become the response headers, by checking again ({@link isStillInside}).
 * @module
 */
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export type SandboxCheck =
  | { readonly ok: true; readonly segments: readonly string[] }
  | { readonly ok: false; readonly status: 400 | 403; readonly reason: string };

/**
 * Splits a still percent-encoded request path into decoded segments, or refuses it. Empty and `.`
 * segments are dropped; `..` (plain or `%2e%2e`), `\` (plain or `%5c`), NUL and an encoded `/`
 * inside a segment are refused outright rather than normalized away.
 */
export function checkRequestPath(rawPath: string): SandboxCheck {
  if (rawPath.includes('\\')) return { ok: false, status: 403, reason: 'backslash in path' };
  const segments: string[] = [];
  for (const part of rawPath.split('/')) {
    if (part === '') continue;
    let name: string;
    try {
      name = decodeURIComponent(part);
    } catch {
      return { ok: false, status: 400, reason: 'malformed percent-encoding in path' };
    }
    if (name.includes('\0')) return { ok: false, status: 400, reason: 'NUL in path' };
    if (name.includes('/') || name.includes('\\'))
      return { ok: false, status: 403, reason: 'encoded separator in path' };
    if (name === '..') return { ok: false, status: 403, reason: 'path leaves the root' };
    if (name === '.') continue;
    segments.push(name);
  }
  return { ok: true, segments };
}

export type Resolved =
  | { readonly ok: true; readonly path: string; readonly rel: readonly string[] }
  | { readonly ok: false; readonly status: 403 | 404; readonly reason: string };

/** True when `real` is `realRoot` or inside it. */
export function isInside(realRoot: string, real: string): boolean {
  return real === realRoot || real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep);
}

/**
 * Resolves checked segments under `realRoot` (itself a real path) following symlinks, and refuses
 * anything whose real path is outside. `rel` is the real path's segments below the root.
 */
export async function resolveInside(realRoot: string, segments: readonly string[]): Promise<Resolved> {
  let real: string;
  try {
    real = await fs.realpath(path.join(realRoot, ...segments));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { ok: false, status: 403, reason: 'symlink loop' };
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG')
      return { ok: false, status: 404, reason: 'no such file' };
    if (code === 'EACCES') return { ok: false, status: 403, reason: 'permission denied' };
    throw err;
  }
  if (!isInside(realRoot, real)) return { ok: false, status: 403, reason: 'path leaves the root' };
  const rel = path.relative(realRoot, real);
  return { ok: true, path: real, rel: rel === '' ? [] : rel.split(path.sep) };
}

/**
 * The real path of the file an open descriptor refers to, read from `/proc/self/fd` (Linux);
 * undefined where that does not exist. A directory swapped for a symlink after
 * {@link resolveInside} checked the path, and before the file was opened, cannot hide here: this
 * names the file actually opened, so it can be checked with {@link isInside} before any byte of it
 * is read.
 */
export function openedPath(fd: number): string | undefined {
  try {
    return fsSync.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/**
 * True when `file` resolves inside `realRoot` now. `send` stats a file by name after
 * {@link resolveInside} checked it, and the stat's size and dates become the response headers; a
 * folder swapped for a symlink in between is caught by checking again, synchronously, when the
 * stat is reported and before any header is written. A swap undone within the microseconds
 * between the stat and this check is not caught: only an open descriptor ({@link openedPath}) is
 * proof, and a HEAD never opens the file. Comparing inodes would close that window but also
 * refuse every file replaced by rename while it is requested, which is the normal way files
 * change (FTP uploads, editors).
 */
export function isStillInside(realRoot: string, file: string): boolean {
  try {
    return isInside(realRoot, fsSync.realpathSync(file));
  } catch {
    return false;
  }
}
