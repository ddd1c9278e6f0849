/**
 * The session's virtual file system: a virtual root (`DATA/files`) that nothing can leave.
 * Virtual paths are normalized with `..` clamped at `/` (as under chroot), and every real path
 * is checked after symlinks are resolved, so a link pointing outside the root is refused.
 * Names with NUL, CR or LF are refused. Percent signs and backslashes are plain characters.
 *
 * Lookups (realpath, stat, lstat) are synchronous on purpose: on a local disk they take
 * microseconds, while each thread-pool round trip costs a wake-up of two threads, which
 * dominated the time of small transfers on a busy two-core machine (bench/ftp.ts).
 * @module
 */
import fsSync, { type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { hasForbiddenChars } from './command-parser.js';

/** Why a path was refused; the session turns it into a 550/553 reply. */
export class SandboxError extends Error {
  readonly reason: 'forbidden-name' | 'outside-root' | 'not-found';
  constructor(reason: SandboxError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

/** A resolved path: the virtual one (shown to the client) and the real one (used on disk). */
export interface ResolvedPath {
  readonly virtual: string;
  readonly real: string;
}

/** Joins `arg` to the virtual `cwd` and normalizes; `..` above `/` stays at `/`. */
export function virtualPath(cwd: string, arg: string): string {
  const joined = arg.startsWith('/') ? arg : `${cwd}/${arg}`;
  const out: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

function realpathOrUndefined(p: string): string | undefined {
  try {
    return fsSync.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

function inside(root: string, real: string): boolean {
  return real === root || real.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

export class Sandbox {
  /** The real, symlink-free root folder. */
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  /** Creates the root folder if needed and resolves its real path. */
  static async open(root: string): Promise<Sandbox> {
    await fs.mkdir(root, { recursive: true });
    return new Sandbox(await fs.realpath(root));
  }

  /** The real path of a virtual path, without any existence or symlink check. */
  realOf(virtual: string): string {
    return virtual === '/' ? this.root : path.join(this.root, ...virtual.split('/').filter(Boolean));
  }

  /**
   * Resolves `arg` against `cwd` for an existing object: follows symlinks and refuses one that
   * ends outside the root. Missing objects reject with reason 'not-found'.
   */
  async existing(cwd: string, arg: string): Promise<ResolvedPath & { stats: Stats; entry: string }> {
    const virtual = this.#virtual(cwd, arg);
    const real = this.realOf(virtual);
    const resolved = realpathOrUndefined(real);
    if (resolved === undefined) throw new SandboxError('not-found', `${virtual}: No such file or directory`);
    if (!inside(this.root, resolved)) throw new SandboxError('outside-root', `${virtual}: Permission denied`);
    const stats = fsSync.statSync(resolved, { throwIfNoEntry: false });
    if (!stats) throw new SandboxError('not-found', `${virtual}: No such file or directory`);
    // `entry` is the name itself (a link, not its target) for DELE and RNFR.
    return { virtual, real: resolved, stats, entry: real };
  }

  /**
   * Resolves `arg` for an object about to be created or replaced (STOR, MKD, RNTO): its parent
   * must exist inside the root; if the name itself is a symlink, its target must be inside too.
   */
  async creatable(cwd: string, arg: string): Promise<ResolvedPath> {
    const virtual = this.#virtual(cwd, arg);
    if (virtual === '/') throw new SandboxError('outside-root', '/: Permission denied');
    const name = path.posix.basename(virtual);
    const parent = await this.existing('/', path.posix.dirname(virtual));
    if (!parent.stats.isDirectory()) throw new SandboxError('not-found', `${parent.virtual}: Not a directory`);
    const real = path.join(parent.real, name);
    const link = fsSync.lstatSync(real, { throwIfNoEntry: false });
    if (link?.isSymbolicLink()) {
      const target = realpathOrUndefined(real);
      if (target === undefined || !inside(this.root, target))
        throw new SandboxError('outside-root', `${virtual}: Permission denied`);
      return { virtual, real: target };
    }
    return { virtual, real };
  }

  /** True when `real` (a path already resolved) lies inside the root after resolving links. */
  async contains(real: string): Promise<boolean> {
    const resolved = realpathOrUndefined(real);
    return resolved !== undefined && inside(this.root, resolved);
  }

  #virtual(cwd: string, arg: string): string {
    if (hasForbiddenChars(arg)) throw new SandboxError('forbidden-name', 'File name not allowed');
    return virtualPath(cwd, arg);
  }
}
