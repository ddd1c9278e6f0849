/**
 * FTP accounts like pyftpdlib's: permission letters and per-user homes, driven by Python's ftplib
 * and curl (MFMT through `-Q`); the `NAME:PASS[:PERMS[:HOME]]` syntax; config and startSuite.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseFtpUser } from '../../protocols/ftp/accounts.js';
import { parseTimeVal } from '../../protocols/ftp/commands-attributes.js';
import { resolveConfig } from '../../suite/config.js';
import { startSuite } from '../../suite/start-suite.js';
import { curl, python, startFtp, type TestFtp } from './helpers.js';

describe('NAME:PASS[:PERMS[:HOME]]', () => {
  it('reads perms and home only when the letters are permission letters', () => {
    expect(parseFtpUser('bob:pw', 'f')).toEqual({ name: 'bob', pass: 'pw', perms: 'elradfmwMT', home: '/' });
    expect(parseFtpUser('bob:pw:elr', 'f')).toMatchObject({ pass: 'pw', perms: 'elr', home: '/' });
    expect(parseFtpUser('bob:pw:elrw:team/bob', 'f')).toMatchObject({ pass: 'pw', perms: 'elrw', home: '/team/bob' });
    expect(parseFtpUser('bob:a:b:c', 'f')).toMatchObject({ pass: 'a:b:c', perms: 'elradfmwMT' });
    expect(() => parseFtpUser('bob:pw:elr:../up', 'f')).toThrow(/f\.home: '\.\.\/up' leaves the FTP root/);
    expect(() => resolveConfig({ ftp: { users: [{ name: 'x', pass: 'y', perms: 'elrz' }] } })).toThrow(
      /^ftp\.users\[0\]\.perms: 'elrz' has letters other than elradfmwMT/,
    );
  });

  it('parses RFC 3659 time-vals and refuses impossible dates', () => {
    expect(parseTimeVal('20200102030405')?.toISOString()).toBe('2020-01-02T03:04:05.000Z');
    expect(parseTimeVal('20200102030405.5')?.toISOString()).toBe('2020-01-02T03:04:05.500Z');
    expect(parseTimeVal('20230230000000')).toBeUndefined();
    expect(parseTimeVal('2020010203040')).toBeUndefined();
  });
});

describe('per-user permissions and homes', () => {
  let ftp: TestFtp;
  beforeEach(async () => {
    ftp = await startFtp({
      users: [
        { name: 'reader', pass: 'r1', perms: 'elr' },
        { name: 'dropbox', pass: 'd1', perms: 'elw', home: 'drop' },
        { name: 'full', pass: 'f1', home: '/team/full' },
      ],
    });
    await fs.writeFile(path.join(ftp.root, 'top.txt'), 'top\n');
  });
  afterEach(() => ftp.close());

  it('creates each home under the root on start', async () => {
    expect((await fs.stat(path.join(ftp.root, 'drop'))).isDirectory()).toBe(true);
    expect((await fs.stat(path.join(ftp.root, 'team', 'full'))).isDirectory()).toBe(true);
  });

  it('a user without w gets 550 on STOR; one without r cannot RETR; each letter is checked', async () => {
    const r = await python(
      ftp.port,
      `
def attempt(label, fn):
    try:
        print(label, 'OK', fn())
    except ftplib.error_perm as e:
        print(label, 'REFUSED', e)
ftp.login('reader', 'r1')
attempt('LIST', lambda: ftp.nlst())
attempt('RETR', lambda: ftp.retrbinary('RETR top.txt', lambda b: None))
attempt('STOR', lambda: ftp.storbinary('STOR new.txt', io.BytesIO(b'x')))
attempt('MKD', lambda: ftp.mkd('d'))
attempt('DELE', lambda: ftp.delete('top.txt'))
attempt('RNFR', lambda: ftp.rename('top.txt', 'moved.txt'))
attempt('MFMT', lambda: ftp.sendcmd('MFMT 20200102030405 top.txt'))
attempt('CHMOD', lambda: ftp.sendcmd('SITE CHMOD 640 top.txt'))
ftp.quit()
`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^LIST OK \[.*'top.txt'.*\]$/m);
    expect(r.stdout).toMatch(/^RETR OK 226/m);
    for (const verb of ['STOR', 'MKD', 'DELE', 'RNFR', 'MFMT', 'CHMOD'])
      expect(r.stdout).toMatch(new RegExp(`^${verb} REFUSED 550 Permission denied \\(reader lacks`, 'm'));
    await expect(fs.access(path.join(ftp.root, 'new.txt'))).rejects.toThrow();
  });

  it("a user's home is its /: it stores there and cannot see or reach the rest", async () => {
    const r = await python(
      ftp.port,
      `
ftp.login('dropbox', 'd1')
print('PWD', ftp.pwd())
ftp.storbinary('STOR in.txt', io.BytesIO(b'dropped'))
print('NLST', ftp.nlst())
ftp.cwd('..')
print('UP', ftp.pwd(), ftp.nlst())
try:
    ftp.retrbinary('RETR in.txt', lambda b: None)
except ftplib.error_perm as e:
    print('RETR REFUSED', e)
try:
    ftp.size('/top.txt')
except ftplib.error_perm as e:
    print('TOP', e)
ftp.quit()
`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^PWD \/$/m);
    expect(r.stdout).toMatch(/^NLST \['in.txt'\]$/m);
    expect(r.stdout).toMatch(/^UP \/ \['in.txt'\]$/m);
    expect(r.stdout).toMatch(/^RETR REFUSED 550/m);
    expect(r.stdout).toMatch(/^TOP 550/m);
    expect(await fs.readFile(path.join(ftp.root, 'drop', 'in.txt'), 'utf8')).toBe('dropped');
  });

  it('MFMT sets the modification time (curl -Q), MDTM reads it back, FEAT lists it', async () => {
    await fs.writeFile(path.join(ftp.root, 'team', 'full', 'f.txt'), 'f');
    const r = await curl([
      '-u',
      'full:f1',
      '-Q',
      'MFMT 20200102030405 f.txt',
      '-Q',
      'MDTM f.txt',
      '-I',
      `ftp://127.0.0.1:${ftp.port}/f.txt`,
    ]);
    expect(r.code).toBe(0);
    const stats = await fs.stat(path.join(ftp.root, 'team', 'full', 'f.txt'));
    expect(stats.mtime.toISOString()).toBe('2020-01-02T03:04:05.000Z');
    expect(ftp.log.toArray().find((x) => x.request === 'MFMT 20200102030405 f.txt')?.response).toMatch(
      /^213 Modify=20200102030405; \/f\.txt/,
    );
    expect(ftp.log.toArray().find((x) => x.request === 'MDTM f.txt')?.response).toMatch(/^213 20200102030405/);
    const feat = await python(ftp.port, "print(ftp.sendcmd('FEAT'))");
    expect(feat.stdout).toContain(' MFMT');
    const bad = await python(
      ftp.port,
      "ftp.login('full', 'f1')\ntry:\n    ftp.sendcmd('MFMT 2020 f.txt')\nexcept ftplib.error_perm as e:\n    print(e)",
    );
    expect(bad.stdout).toMatch(/^501 /);
  });
});

describe('ftpUsers in startSuite', () => {
  it('takes the same syntax and keeps anonymous read-only', async () => {
    const suite = await startSuite({ protocols: ['ftp'], ftpUsers: ['up:pw:elw:uploads'] });
    try {
      const r = await python(
        suite.ftp.port,
        `
ftp.login('up', 'pw')
ftp.storbinary('STOR a.txt', io.BytesIO(b'a'))
ftp.quit()
ftp = ftplib.FTP()
ftp.connect('127.0.0.1', PORT)
ftp.login()
try:
    ftp.storbinary('STOR b.txt', io.BytesIO(b'b'))
except ftplib.error_perm as e:
    print('ANON', e)
print('ANON LIST', ftp.nlst('uploads'))
`,
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^ANON 550/m);
      expect(r.stdout).toMatch(/ANON LIST \['uploads\/a.txt'\]|ANON LIST \['a.txt'\]/);
      expect((await suite.ftp.readFile('uploads/a.txt')).toString()).toBe('a');
    } finally {
      await suite.close();
    }
  });
});
