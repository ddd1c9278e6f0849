/**
 * AUTH TLS, PBSZ, PROT P/C (RFC 4217) with basic-ftp, curl and python's FTP_TLS.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FtpClient } from '../../protocols/ftp/client.js';
import { type TestCa, testCa } from '../helpers/test-ca.js';
import { curl, PASS, python, startFtp, type TestFtp, USER } from './helpers.js';
import { RawFtp } from './raw-ftp.js';

describe('ftp over TLS', () => {
  let ca: TestCa;
  let ftp: TestFtp;
  beforeAll(async () => {
    ca = await testCa();
    ftp = await startFtp({ tls: ca.material });
    await fs.writeFile(path.join(ftp.root, 'hello.txt'), 'hello tls');
  });
  afterAll(() => ftp.close());

  it('basic-ftp: AUTH TLS, PROT P, upload and download', async () => {
    const client = await FtpClient.connect(`ftp://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:${ftp.port}/`, {
      tls: true,
      ca: ca.caPem,
    });
    try {
      await client.upload(Readable.from([Buffer.from('secure bytes')]), 'up.txt');
      const chunks: Buffer[] = [];
      const { Writable } = await import('node:stream');
      await client.download(
        'up.txt',
        new Writable({
          write(c: Buffer, _e, cb) {
            chunks.push(c);
            cb();
          },
        }),
      );
      expect(Buffer.concat(chunks).toString()).toBe('secure bytes');
    } finally {
      client.close();
    }
    const stor = ftp.log.toArray().find((r) => r.request === 'STOR up.txt');
    expect(stor).toMatchObject({ transport: 'tls', response: '226 Transfer complete' });
    expect(ftp.log.toArray().some((r) => r.request === 'PROT P' && r.response.startsWith('200'))).toBe(true);
  });

  it('curl --ssl-reqd downloads and uploads', async () => {
    const get = await curl(['--ssl-reqd', '--cacert', ca.caFile, `ftp://127.0.0.1:${ftp.port}/hello.txt`]);
    expect(get.stderr).toBe('');
    expect(get.stdout).toBe('hello tls');
    const put = await curl(
      [
        '--ssl-reqd',
        '--cacert',
        ca.caFile,
        '-T',
        '-',
        `ftp://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:${ftp.port}/c.txt`,
      ],
      'from curl',
    );
    expect(put.stderr).toBe('');
    await expect(fs.readFile(path.join(ftp.root, 'c.txt'), 'utf8')).resolves.toBe('from curl');
  });

  it('python FTP_TLS with prot_p and prot_c', async () => {
    const r = await python(
      ftp.port,
      `
import ssl
ftp.close()
ctx = ssl.create_default_context(cafile=${JSON.stringify(ca.caFile)})
f = ftplib.FTP_TLS(context=ctx)
f.connect('127.0.0.1', PORT, timeout=15)
print(f.auth())
f.login(USER, PASS)
print(f.prot_p())
buf = io.BytesIO()
f.retrbinary('RETR hello.txt', buf.write)
print('P', buf.getvalue().decode())
print(f.prot_c())
buf = io.BytesIO()
f.retrbinary('RETR hello.txt', buf.write)
print('C', buf.getvalue().decode())
f.prot_p()
f.mkd('empty-dir')
print('EMPTY LIST', f.nlst('empty-dir'))
f.storbinary('STOR empty.txt', io.BytesIO(b''))
buf = io.BytesIO()
f.retrbinary('RETR empty.txt', buf.write)
print('EMPTY FILE', len(buf.getvalue()))
f.quit()
`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^234 /m);
    expect(r.stdout).toContain('P hello tls');
    expect(r.stdout).toContain('C hello tls');
    expect(r.stdout).toContain('EMPTY LIST []');
    expect(r.stdout).toContain('EMPTY FILE 0');
  });

  it('orders AUTH, PBSZ and PROT (RFC 4217)', async () => {
    const c = await RawFtp.connect(ftp.port);
    expect(await c.cmd('PBSZ 0')).toMatch(/^503 /);
    expect(await c.cmd('PROT P')).toMatch(/^503 /);
    expect(await c.cmd('AUTH KERBEROS')).toMatch(/^504 /);
    expect(await c.cmd('FEAT')).toMatch(/ AUTH TLS\r\n PBSZ\r\n PROT\r\n/);
    c.close();
  });

  it('without a certificate AUTH TLS is 502 and FEAT does not offer it', async () => {
    const plain = await startFtp();
    const c = await RawFtp.connect(plain.port);
    expect(await c.cmd('AUTH TLS')).toMatch(/^502 /);
    expect(await c.cmd('FEAT')).not.toMatch(/AUTH TLS/);
    c.close();
    await plain.close();
  });
});
