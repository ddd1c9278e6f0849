/**
 * basic-ftp (through our FtpClient) against our server, client-side exchange records, and the
 * URL parser.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FtpClient, parseFtpUrl } from '../../protocols/ftp/client.js';
import { ExchangeLog } from '../../shared/exchange.js';
import { PASS, startFtp, type TestFtp, USER } from './helpers.js';

describe('parseFtpUrl', () => {
  it('parses credentials, port and path', () => {
    expect(parseFtpUrl('ftp://bob:p%40ss@127.0.0.1:2121/a/b%20c.txt')).toEqual({
      host: '127.0.0.1',
      port: 2121,
      user: 'bob',
      password: 'p@ss',
      path: '/a/b c.txt',
    });
    expect(parseFtpUrl('ftp://[::1]/')).toMatchObject({ host: '::1', port: 21, user: 'anonymous' });
  });
  it.each(['http://x/', 'nonsense', 'ftp://h/a%0d%0aDELE%20x', 'ftp://h/%00'])('refuses %s', (url) => {
    expect(() => parseFtpUrl(url)).toThrow();
  });
});

describe('FtpClient (basic-ftp) against the server', () => {
  let ftp: TestFtp;
  let url: string;
  beforeEach(async () => {
    ftp = await startFtp();
    url = `ftp://${USER}:${encodeURIComponent(PASS)}@127.0.0.1:${ftp.port}/`;
  });
  afterEach(() => ftp.close());

  it('uploads, lists, downloads with resume, removes; both sides record exchanges', async () => {
    const log = new ExchangeLog();
    const client = await FtpClient.connect(url, { log });
    try {
      await client.mkdir('/deep/er');
      await client.upload(Readable.from([Buffer.from('0123456789')]), '/deep/er/n.txt');
      const entries = await client.list('/deep/er');
      expect(entries.map((e) => [e.name, e.size, e.isFile])).toEqual([['n.txt', 10, true]]);
      const sink = new PassThrough();
      const chunks: Buffer[] = [];
      sink.on('data', (c: Buffer) => chunks.push(c));
      await client.download('/deep/er/n.txt', sink, 3);
      expect(Buffer.concat(chunks).toString()).toBe('3456789');
      expect(await client.size('/deep/er/n.txt')).toBe(10);
      await client.remove('/deep/er/n.txt');
      await expect(client.remove('/deep/er/n.txt')).rejects.toMatchObject({ code: 'MS_PROTOCOL', wireCode: 550 });
      await expect(client.download('/deep/er/n.txt', new PassThrough())).rejects.toMatchObject({ wireCode: 550 });
      await expect(client.send('BOGUS')).rejects.toMatchObject({ wireCode: 500 });
    } finally {
      client.close();
    }
    const records = log.toArray();
    expect(records[0]).toMatchObject({
      side: 'client',
      request: '(connect)',
      response: expect.stringMatching(/^220 /),
    });
    expect(records.find((r) => r.request.startsWith('PASS'))?.request).toBe('PASS ****');
    const stor = records.find((r) => r.request.startsWith('STOR'));
    expect(stor).toMatchObject({ request: 'STOR /deep/er/n.txt', response: '226 Transfer complete', ok: true });
    // A transfer's record counts the data connection too: the command line, then the 10 bytes.
    expect(stor?.bytesOut).toBe(Buffer.byteLength('STOR /deep/er/n.txt\r\n') + 10);
    const [retr, failedRetr] = records.filter((r) => r.request === 'RETR /deep/er/n.txt');
    expect(retr?.ok).toBe(true);
    expect(retr?.bytesIn).toBe(Buffer.byteLength(`${retr?.response}\r\n`) + 7); // resumed at 3
    expect(failedRetr).toMatchObject({ ok: false, response: expect.stringMatching(/^550 /) });
    expect(failedRetr?.bytesIn).toBe(Buffer.byteLength(`${failedRetr?.response}\r\n`));
    const list = records.find((r) => /^(LIST|MLSD)\b/.test(r.request));
    expect(list?.bytesIn).toBeGreaterThan(Buffer.byteLength(`${list?.response}\r\n`) + 'n.txt'.length);
    // Every command has its record, in order: none is held back by a transfer.
    expect(records.at(-1)?.request).toBe('BOGUS');
    expect(JSON.stringify(records)).not.toContain(PASS);
    await expect(fs.readdir(path.join(ftp.root, 'deep', 'er'))).resolves.toEqual([]);
  });

  it('refuses CR/LF/NUL in arguments before sending anything', async () => {
    const client = await FtpClient.connect(url);
    try {
      await expect(client.remove('a\r\nDELE b')).rejects.toMatchObject({ code: 'MS_USAGE' });
      await expect(client.send('NOOP\u0000')).rejects.toMatchObject({ code: 'MS_USAGE' });
    } finally {
      client.close();
    }
  });

  it('reports a failed login as a protocol error with code 530', async () => {
    await expect(
      FtpClient.connect(`ftp://${USER}:wrong@127.0.0.1:${ftp.port}/`, { timeoutMs: 5_000 }),
    ).rejects.toMatchObject({ wireCode: 530 });
  });
});
