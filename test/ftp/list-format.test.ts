import { describe, expect, it } from 'vitest';
import {
  formatFacts,
  formatListLine,
  formatTimeVal,
  lsDate,
  mlstFeature,
  modeString,
  selectFacts,
} from '../../protocols/ftp/list-format.js';

const now = new Date('2024-06-15T12:00:00Z');
const file = { name: 'hello.txt', isDirectory: false, size: 13, mtime: new Date('2024-06-01T09:05:00Z'), mode: 0o644 };
const dir = { name: 'docs', isDirectory: true, size: 4096, mtime: new Date('2019-03-07T14:05:00Z'), mode: 0o755 };

describe('LIST format', () => {
  it.each([
    [file, '-rw-r--r--'],
    [dir, 'drwxr-xr-x'],
    [{ isDirectory: false, mode: 0o600 }, '-rw-------'],
  ])('mode %#', (entry, want) => {
    expect(modeString(entry)).toBe(want);
  });

  it('uses the time for recent files and the year for old ones', () => {
    expect(lsDate(file.mtime, now)).toBe('Jun 01 09:05');
    expect(lsDate(dir.mtime, now)).toBe('Mar 07  2019');
    // 180 days, as pyftpdlib counts six months; a time in the future keeps the time form, as there.
    expect(lsDate(new Date('2023-12-18T12:00:00Z'), now)).toBe('Dec 18 12:00');
    expect(lsDate(new Date('2023-12-17T11:00:00Z'), now)).toBe('Dec 17  2023');
    expect(lsDate(new Date('2025-01-01T00:00:00Z'), now)).toBe('Jan 01 00:00');
  });

  it('formats ls -l lines', () => {
    // pyftpdlib's columns: "%s %3s %-8s %-8s %8s %s %s".
    expect(formatListLine(file, now)).toBe('-rw-r--r--   1 ftp      ftp            13 Jun 01 09:05 hello.txt');
    expect(formatListLine({ ...dir, nlink: 12 }, now)).toBe(
      'drwxr-xr-x  12 ftp      ftp          4096 Mar 07  2019 docs',
    );
  });
});

describe('MLSx facts (RFC 3659)', () => {
  it('formats facts and time values', () => {
    expect(formatTimeVal(new Date('2024-03-07T14:05:09Z'))).toBe('20240307140509');
    // Sorted by name, as pyftpdlib writes them; perm from the account's letters.
    expect(formatFacts(file, ['type', 'size', 'modify', 'perm'], 'elr')).toBe(
      'modify=20240601090500;perm=r;size=13;type=file; hello.txt',
    );
    expect(formatFacts(dir, ['type', 'perm'], 'elr')).toBe('perm=el;type=dir; docs');
    expect(formatFacts(dir, ['type', 'perm'], 'elradfmwMT')).toBe('perm=eldfmcp;type=dir; docs');
    expect(formatFacts(file, ['perm'], 'elradfmwMT')).toBe('perm=radfw; hello.txt');
    // Only 'w' (a drop box): it may create in a directory but not list or enter it.
    expect(formatFacts(dir, ['perm'], 'w')).toBe('perm=c; docs');
    const unix = { ...file, dev: 0xfe00, ino: 0x2383a1, uid: 0, gid: 5 };
    expect(formatFacts(unix, ['unique', 'unix.mode', 'unix.uid', 'unix.gid'], '')).toBe(
      'unique=fe00g2383a1;unix.gid=5;unix.mode=0644;unix.uid=0; hello.txt',
    );
  });

  it('selects facts with OPTS MLST and stars them in FEAT', () => {
    // The client's order, unknown facts dropped (RFC 3659 §7.9), as pyftpdlib does.
    expect(selectFacts('size;Type;unique;foo;size;')).toEqual(['size', 'type', 'unique']);
    expect(selectFacts('')).toEqual([]);
    expect(mlstFeature(['type', 'size'])).toBe('MLST type*;perm;size*;modify;unique;unix.mode;unix.uid;unix.gid;');
  });
});
