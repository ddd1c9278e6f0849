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
    expect(lsDate(file.mtime, now)).toBe('Jun  1 09:05');
    expect(lsDate(dir.mtime, now)).toBe('Mar  7  2019');
    expect(lsDate(new Date('2025-01-01T00:00:00Z'), now)).toBe('Jan  1  2025');
  });

  it('formats ls -l lines', () => {
    expect(formatListLine(file, now)).toBe('-rw-r--r-- 1 ftp ftp       13 Jun  1 09:05 hello.txt');
    expect(formatListLine(dir, now)).toBe('drwxr-xr-x 1 ftp ftp     4096 Mar  7  2019 docs');
  });
});

describe('MLSx facts (RFC 3659)', () => {
  it('formats facts and time values', () => {
    expect(formatTimeVal(new Date('2024-03-07T14:05:09Z'))).toBe('20240307140509');
    expect(formatFacts(file, ['type', 'size', 'modify', 'perm'], false)).toBe(
      'type=file;size=13;modify=20240601090500;perm=r; hello.txt',
    );
    expect(formatFacts(dir, ['type', 'perm'], true)).toBe('type=dir;perm=cdeflmp; docs');
  });

  it('selects facts with OPTS MLST and stars them in FEAT', () => {
    expect(selectFacts('size;Type;unique;')).toEqual(['type', 'size']);
    expect(selectFacts('')).toEqual([]);
    expect(mlstFeature(['type', 'size'])).toBe('MLST type*;size*;modify;perm;');
  });
});
