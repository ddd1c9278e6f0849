/**
 * Python's ftplib (stdlib) against our server: anonymous and user sessions, PASV and PORT,
 * REST resume, APPE, MLSD, rename, MKD/RMD, UTF-8 names.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { python, startFtp, type TestFtp } from './helpers.js';

describe('ftp with python ftplib', () => {
  let ftp: TestFtp;
  beforeEach(async () => {
    ftp = await startFtp();
    await fs.writeFile(path.join(ftp.root, 'hello.txt'), 'hello world\n');
  });
  afterEach(() => ftp.close());

  it('anonymous: lists and downloads in PASV and PORT mode, cannot write', async () => {
    const r = await python(
      ftp.port,
      `
print(ftp.login())
for pasv in (True, False):
    ftp.set_pasv(pasv)
    print('NLST', ftp.nlst())
    buf = io.BytesIO()
    print(ftp.retrbinary('RETR hello.txt', buf.write))
    print('DATA', buf.getvalue().decode())
try:
    ftp.storbinary('STOR x.txt', io.BytesIO(b'x'))
except ftplib.error_perm as e:
    print('REFUSED', e)
try:
    ftp.mkd('d')
except ftplib.error_perm as e:
    print('REFUSED', e)
ftp.quit()
`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^230 /m);
    expect(r.stdout.match(/NLST \['hello.txt'\]/g)).toHaveLength(2);
    expect(r.stdout.match(/DATA hello world/g)).toHaveLength(2);
    expect(r.stdout.match(/REFUSED 550/g)).toHaveLength(2);
    await expect(fs.access(path.join(ftp.root, 'x.txt'))).rejects.toThrow();
    const retr = ftp.log.toArray().filter((x) => x.request === 'RETR hello.txt');
    expect(retr).toHaveLength(2);
    expect(retr[0]).toMatchObject({ response: '226 Transfer complete', ok: true, side: 'server', protocol: 'ftp' });
    expect(retr[0]?.bytesOut).toBeGreaterThanOrEqual(12);
    expect(ftp.log.toArray().some((x) => x.request === 'PASS ****')).toBe(true);
    expect(JSON.stringify(ftp.log.toArray())).not.toMatch(/anonymous@|s3cret/);
  });

  it('user: upload, REST resume, APPE, MLSD, rename, MKD/RMD, UTF-8 names', async () => {
    const r = await python(
      ftp.port,
      `
ftp.login(USER, PASS)
print(ftp.sendcmd('OPTS UTF8 ON'))
ftp.mkd('dïr "q"')
ftp.cwd('dïr "q"')
print('PWD', ftp.pwd())
ftp.storbinary('STOR 日本.txt', io.BytesIO(b'0123456789'))
buf = io.BytesIO()
ftp.retrbinary('RETR 日本.txt', buf.write, rest=4)
print('REST', buf.getvalue().decode())
ftp.storbinary('APPE 日本.txt', io.BytesIO(b'AB'))
print('SIZE', ftp.size('日本.txt'))
ftp.storbinary('STOR 日本.txt', io.BytesIO(b'xyz'), rest=10)
for name, facts in ftp.mlsd():
    print('MLSD', name, facts['type'], facts['size'], facts['perm'])
print(ftp.rename('日本.txt', 'renamed.txt'))
print('NLST', ftp.nlst())
ftp.cwd('/')
try:
    ftp.rmd('dïr "q"')
except ftplib.error_perm as e:
    print('NOTEMPTY', e)
ftp.delete('dïr "q"/renamed.txt')
print(ftp.rmd('dïr "q"'))
print('MDTM', ftp.sendcmd('MDTM hello.txt'))
ftp.quit()
`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('PWD /dïr "q"');
    expect(r.stdout).toContain('REST 456789');
    expect(r.stdout).toContain('SIZE 12');
    expect(r.stdout).toContain('MLSD 日本.txt file 13 radfw');
    expect(r.stdout).toContain("NLST ['renamed.txt']");
    expect(r.stdout).toMatch(/NOTEMPTY 550/);
    expect(r.stdout).toMatch(/^250 /m);
    expect(r.stdout).toMatch(/MDTM 213 \d{14}/);
    await expect(fs.readdir(ftp.root)).resolves.toEqual(['hello.txt']);
  });

  it('keeps the RFC 959 reply forms python checks (PWD quoting, multi-line FEAT)', async () => {
    const r = await python(
      ftp.port,
      `
print(ftp.sendcmd('FEAT'))
ftp.login(USER, PASS)
print(ftp.sendcmd('SYST'))
print(ftp.sendcmd('MLST hello.txt'))
ftp.quit()
`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /^211-Features:\n EPRT\n EPSV\n MDTM\n MFMT\n MLST type\*;perm\*;size\*;modify\*;unique\*;unix.mode;unix.uid;unix.gid;\n/m,
    );
    expect(r.stdout).toMatch(/ REST STREAM\n SIZE\n TVFS\n UTF8\n211 End/);
    expect(r.stdout).toContain('215 UNIX Type: L8');
    expect(r.stdout).toMatch(
      /250-Listing "\/hello.txt":\n modify=\d{14};perm=radfw;size=12;type=file;unique=[0-9a-f]+g[0-9a-f]+; \/hello.txt\n250 End/,
    );
  });
});
