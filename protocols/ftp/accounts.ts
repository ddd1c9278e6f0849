/**
 * FTP accounts as pyftpdlib has them: the shared {@link Account} plus permission letters and a
 * home folder under the FTP root (the user's `/`). `--ftp-user NAME:PASS[:PERMS[:HOME]]`.
 *
 * Letters (pyftpdlib's `DummyAuthorizer`): read `e` change directory (CWD, CDUP), `l` list (LIST,
 * NLST, MLSD, MLST, SIZE, MDTM), `r` retrieve (RETR); write `a` append (APPE), `d` delete (DELE,
 * RMD), `f` rename (RNFR, RNTO), `m` make directory (MKD), `w` store (STOR), `M` change mode
 * (SITE CHMOD), `T` change modification time (MFMT).
 * @module
 */
import type { Account } from '../../shared/account.js';
import { ConfigError } from '../../shared/errors.js';

/** One permission letter. */
export type Permission = 'e' | 'l' | 'r' | 'a' | 'd' | 'f' | 'm' | 'w' | 'M' | 'T';

/** Every letter: what a read-write account has unless told otherwise. */
export const ALL_PERMISSIONS = 'elradfmwMT';
/** The read-only letters: what the anonymous login has. */
export const READ_PERMISSIONS = 'elr';
/** Letters that change the file system. */
export const WRITE_PERMISSIONS = 'adfmwMT';

const PERMS = /^[elradfmwMT]+$/;

/** An FTP account: perms and home optional (default all letters, home `/`). */
export interface FtpAccount extends Account {
  /** Permission letters; default {@link ALL_PERMISSIONS}. */
  readonly perms?: string;
  /** The user's `/`, a folder under the FTP root ("alice", "/team/alice"); default the root itself. */
  readonly home?: string;
}

/** An account with its defaults applied and its home normalized ("/" or "/team/alice"). */
export interface ResolvedFtpAccount extends Account {
  readonly perms: string;
  readonly home: string;
}

/** Checks letters and home; a bad one is a ConfigError naming `field`. */
export function resolveFtpAccount(account: FtpAccount, field: string): ResolvedFtpAccount {
  const perms = account.perms ?? ALL_PERMISSIONS;
  if (perms !== '' && !PERMS.test(perms))
    throw new ConfigError(`${field}.perms`, `'${perms}' has letters other than ${ALL_PERMISSIONS} (pyftpdlib's)`);
  const home = normalizeHome(account.home ?? '/', field);
  return { name: account.name, pass: account.pass, perms: [...new Set(perms)].join(''), home };
}

function normalizeHome(home: string, field: string): string {
  const parts = home.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new ConfigError(`${field}.home`, `'${home}' leaves the FTP root (..)`);
  if (/[\u0000-\u001f]/.test(home)) throw new ConfigError(`${field}.home`, 'has control characters');
  return `/${parts.join('/')}`;
}

/**
 * Parses `NAME:PASS[:PERMS[:HOME]]`. A password may hold ':' as before: the last parts are read as
 * PERMS (and HOME after it) only when PERMS is made of permission letters, so "a:b:c" is the
 * password "b:c", "a:b:elr" is password "b" with perms "elr", "a:b:elr:/alice" adds home /alice.
 */
export function parseFtpUser(text: string, field: string): ResolvedFtpAccount {
  const parts = text.split(':');
  const name = parts[0] ?? '';
  if (name === '' || parts.length < 2) throw new ConfigError(field, `expected NAME:PASS[:PERMS[:HOME]], got '${text}'`);
  if (/[\s\u0000-\u001f]/.test(name)) throw new ConfigError(field, `account name '${name}' contains white space`);
  let rest = parts.slice(1);
  let perms: string | undefined;
  let home: string | undefined;
  if (rest.length >= 3 && PERMS.test(rest[rest.length - 2] as string)) {
    home = rest[rest.length - 1];
    perms = rest[rest.length - 2];
    rest = rest.slice(0, -2);
  } else if (rest.length >= 2 && PERMS.test(rest[rest.length - 1] as string)) {
    perms = rest[rest.length - 1];
    rest = rest.slice(0, -1);
  }
  const pass = rest.join(':');
  if (pass === '') throw new ConfigError(field, `expected NAME:PASS[:PERMS[:HOME]], got '${text}' (empty password)`);
  return resolveFtpAccount(
    { name, pass, ...(perms !== undefined ? { perms } : {}), ...(home !== undefined ? { home } : {}) },
    field,
  );
}
