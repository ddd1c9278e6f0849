/**
 * Directory listing formats (pure): `ls -l` lines for LIST, RFC 3659 facts for MLSD/MLST.
 * Times are UTC, like MDTM.
 * @module
 */

/** What a listing needs to know about one entry. */
export interface EntryInfo {
  readonly name: string;
  readonly isDirectory: boolean;
  readonly size: number;
  readonly mtime: Date;
  /** Permission bits (`mode & 0o777`). */
  readonly mode: number;
  /** Hard links (LIST's second column); default 1. */
  readonly nlink?: number;
  /** Device and inode: the MLSx `unique` fact (RFC 3659 §7.5.2). */
  readonly dev?: number;
  readonly ino?: number;
  readonly uid?: number;
  readonly gid?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Entries older than this show the year instead of the time (pyftpdlib's and proftpd's 180 days). */
const SIX_MONTHS_MS = 180 * 24 * 3600 * 1000;

function rwx(bits: number): string {
  return `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${bits & 1 ? 'x' : '-'}`;
}

/** `-rw-r--r--`, `drwxr-xr-x`. */
export function modeString(entry: Pick<EntryInfo, 'isDirectory' | 'mode'>): string {
  return `${entry.isDirectory ? 'd' : '-'}${rwx(entry.mode >> 6)}${rwx(entry.mode >> 3)}${rwx(entry.mode)}`;
}

/** `Mar 07 14:05` for recent times, `Mar 07  2019` for older ones (the day zero-padded, as pyftpdlib and vsftpd write it). */
export function lsDate(mtime: Date, now: Date): string {
  const month = MONTHS[mtime.getUTCMonth()] ?? 'Jan';
  const day = String(mtime.getUTCDate()).padStart(2, '0');
  if (now.getTime() - mtime.getTime() > SIX_MONTHS_MS) return `${month} ${day}  ${mtime.getUTCFullYear()}`;
  const hh = String(mtime.getUTCHours()).padStart(2, '0');
  const mm = String(mtime.getUTCMinutes()).padStart(2, '0');
  return `${month} ${day} ${hh}:${mm}`;
}

/**
 * One LIST line in pyftpdlib's (proftpd's) columns, `-rw-r--r--   1 ftp      ftp            13 Mar 07 14:05 hello.txt`;
 * owner and group are always `ftp`, so local account names never show.
 */
export function formatListLine(entry: EntryInfo, now: Date = new Date()): string {
  const links = String(entry.nlink ?? 1).padStart(3, ' ');
  const size = String(entry.size).padStart(8, ' ');
  return `${modeString(entry)} ${links} ftp      ftp      ${size} ${lsDate(entry.mtime, now)} ${entry.name}`;
}

/** `YYYYMMDDHHMMSS` in UTC (RFC 3659 §2.3, used by MDTM and the modify fact). */
export function formatTimeVal(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}`;
}

/** The facts we know (RFC 3659 §7.5, pyftpdlib's set and FEAT order); FEAT lists them, OPTS MLST selects among them. */
export const MLST_FACTS = ['type', 'perm', 'size', 'modify', 'unique', 'unix.mode', 'unix.uid', 'unix.gid'] as const;
export type MlstFact = (typeof MLST_FACTS)[number];
/** The facts a session starts with (starred in FEAT), as pyftpdlib's. */
export const DEFAULT_FACTS: readonly MlstFact[] = ['type', 'perm', 'size', 'modify', 'unique'];

/**
 * RFC 3659 §7.5.5 perm fact, from the account's permission letters (accounts.ts) the way
 * pyftpdlib derives it: a directory gets the letters except a/r/w, plus `c` (create) when the
 * account may store, append or rename and `p` (purge) when it may delete; a file gets them except
 * c/e/l/m/p. Letters that are not RFC 3659 perm values (pyftpdlib's M and T) are left out.
 */
export function permFact(isDirectory: boolean, perms: string): string {
  const rfc = (letters: string) => [...letters].filter((l) => 'acdeflmprw'.includes(l)).join('');
  if (!isDirectory) return rfc([...perms].filter((l) => !'celmp'.includes(l)).join(''));
  let dir = [...perms].filter((l) => !'arw'.includes(l)).join('');
  if (/[waf]/.test(perms)) dir += 'c';
  if (perms.includes('d')) dir += 'p';
  return rfc(dir);
}

function factValue(entry: EntryInfo, fact: MlstFact, perms: string): string | undefined {
  switch (fact) {
    case 'type':
      return entry.isDirectory ? 'dir' : 'file';
    case 'perm':
      return permFact(entry.isDirectory, perms);
    case 'size':
      return String(entry.size);
    case 'modify':
      return formatTimeVal(entry.mtime);
    case 'unique':
      return entry.dev === undefined || entry.ino === undefined
        ? undefined
        : `${entry.dev.toString(16)}g${entry.ino.toString(16)}`;
    case 'unix.mode':
      return `0${entry.mode.toString(8)}`;
    case 'unix.uid':
      return entry.uid === undefined ? undefined : String(entry.uid);
    case 'unix.gid':
      return entry.gid === undefined ? undefined : String(entry.gid);
  }
}

/**
 * `modify=20240307140500;perm=r;size=13;type=file;unique=803g2a; hello.txt` (RFC 3659 §7.2):
 * the selected facts sorted by name, as pyftpdlib writes them (RFC 3659 leaves the order open).
 */
export function formatFacts(
  entry: EntryInfo,
  facts: readonly MlstFact[],
  perms: string,
  name: string = entry.name,
): string {
  const parts: string[] = [];
  for (const fact of [...facts].sort()) {
    const value = factValue(entry, fact, perms);
    if (value !== undefined) parts.push(`${fact}=${value};`);
  }
  return `${parts.join('')} ${name}`;
}

/** The FEAT line: `MLST type*;perm*;size*;modify*;unique*;unix.mode;unix.uid;unix.gid;`, the selected facts starred. */
export function mlstFeature(selected: readonly MlstFact[]): string {
  return `MLST ${MLST_FACTS.map((f) => `${f}${selected.includes(f) ? '*' : ''};`).join('')}`;
}

/** Applies `OPTS MLST type;size;` (RFC 3659 §7.9): unknown facts are ignored, the client's order kept. */
export function selectFacts(arg: string): MlstFact[] {
  const known = new Set<string>(MLST_FACTS);
  const wanted = arg
    .split(';')
    .map((f) => f.trim().toLowerCase())
    .filter((f) => known.has(f));
  return [...new Set(wanted)] as MlstFact[];
}
