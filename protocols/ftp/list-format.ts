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
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** `ls -l` shows the year instead of the time for files older than about six months or in the future. */
const SIX_MONTHS_MS = 182 * 24 * 3600 * 1000;

function rwx(bits: number): string {
  return `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${bits & 1 ? 'x' : '-'}`;
}

/** `-rw-r--r--`, `drwxr-xr-x`. */
export function modeString(entry: Pick<EntryInfo, 'isDirectory' | 'mode'>): string {
  return `${entry.isDirectory ? 'd' : '-'}${rwx(entry.mode >> 6)}${rwx(entry.mode >> 3)}${rwx(entry.mode)}`;
}

/** `Mar 07 14:05` for recent times, `Mar 07  2019` otherwise. */
export function lsDate(mtime: Date, now: Date): string {
  const month = MONTHS[mtime.getUTCMonth()] ?? 'Jan';
  const day = String(mtime.getUTCDate()).padStart(2, ' ');
  const age = now.getTime() - mtime.getTime();
  if (age > SIX_MONTHS_MS || age < -3600_000) return `${month} ${day}  ${mtime.getUTCFullYear()}`;
  const hh = String(mtime.getUTCHours()).padStart(2, '0');
  const mm = String(mtime.getUTCMinutes()).padStart(2, '0');
  return `${month} ${day} ${hh}:${mm}`;
}

/** One LIST line: `-rw-r--r-- 1 ftp ftp 13 Mar 07 14:05 hello.txt`. */
export function formatListLine(entry: EntryInfo, now: Date = new Date()): string {
  return `${modeString(entry)} 1 ftp ftp ${String(entry.size).padStart(8, ' ')} ${lsDate(entry.mtime, now)} ${entry.name}`;
}

/** `YYYYMMDDHHMMSS` in UTC (RFC 3659 §2.3, used by MDTM and the modify fact). */
export function formatTimeVal(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}`;
}

/** The facts we know (RFC 3659 §7.5); FEAT lists them, OPTS MLST selects among them. */
export const MLST_FACTS = ['type', 'size', 'modify', 'perm'] as const;
export type MlstFact = (typeof MLST_FACTS)[number];

/**
 * RFC 3659 §7.5.5 perm fact. Files: r(etrieve), and for writers a(ppend) d(elete) f(rename) w(rite).
 * Directories: e(nter) l(ist), and for writers c(reate) d(elete) f(rename) m(kdir) p(urge).
 */
export function permFact(isDirectory: boolean, writable: boolean): string {
  if (isDirectory) return writable ? 'cdeflmp' : 'el';
  return writable ? 'adfrw' : 'r';
}

/** `type=file;size=13;modify=20240307140500;perm=r; hello.txt` (RFC 3659 §7.2). */
export function formatFacts(
  entry: EntryInfo,
  facts: readonly MlstFact[],
  writable: boolean,
  name: string = entry.name,
): string {
  const parts: string[] = [];
  for (const fact of facts) {
    if (fact === 'type') parts.push(`type=${entry.isDirectory ? 'dir' : 'file'}`);
    else if (fact === 'size') parts.push(`size=${entry.size}`);
    else if (fact === 'modify') parts.push(`modify=${formatTimeVal(entry.mtime)}`);
    else parts.push(`perm=${permFact(entry.isDirectory, writable)}`);
  }
  return `${parts.map((p) => `${p};`).join('')} ${name}`;
}

/** The FEAT line: `MLST type*;size*;modify*;perm*;` with the selected facts starred. */
export function mlstFeature(selected: readonly MlstFact[]): string {
  return `MLST ${MLST_FACTS.map((f) => `${f}${selected.includes(f) ? '*' : ''};`).join('')}`;
}

/** Applies `OPTS MLST type;size;` (RFC 3659 §7.9): unknown facts are ignored. */
export function selectFacts(arg: string): MlstFact[] {
  const wanted = arg
    .split(';')
    .map((f) => f.trim().toLowerCase())
    .filter(Boolean);
  return MLST_FACTS.filter((f) => wanted.includes(f));
}
