import { Resolver } from 'node:dns/promises';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { Client as FtpClient } from 'basic-ftp';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { startSuite } from '../../suite/start-suite.js';
import { RawClient } from '../helpers/raw-client.js';

describe('startSuite with the real protocols', () => {
  it('keeps at most smtpMaxMessages, the newest, and serves the same store over /api/mail', async () => {
    const suite = await startSuite({ protocols: ['smtp', 'http'], smtpMaxMessages: 2 });
    try {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: suite.smtp.port });
      for (const subject of ['one', 'two', 'three'])
        await transport.sendMail({ from: 'x@a.test', to: 'y@a.test', subject, text: subject });
      transport.close();
      expect((await suite.smtp.messages()).map((m) => m.subject)).toEqual(['three', 'two']);
      const listed = (await (await fetch(`${suite.http.url}/api/mail`)).json()) as { subject: string }[];
      expect(listed.map((m) => m.subject)).toEqual(['three', 'two']);
      expect(await (await fetch(`${suite.http.url}/api/mail`, { method: 'DELETE' })).json()).toEqual({ deleted: 2 });
      expect(await suite.smtp.messages()).toEqual([]);
    } finally {
      await suite.close();
    }
  });

  it('keeps two suites in one process apart in every protocol', async () => {
    const [a, b] = await Promise.all([startSuite({ ftpUsers: ['u:p'] }), startSuite({ ftpUsers: ['u:p'] })]);
    try {
      for (const p of ['http', 'ftp', 'smtp', 'dns'] as const) expect(a[p].port).not.toBe(b[p].port);

      await nodemailer
        .createTransport({ host: '127.0.0.1', port: a.smtp.port })
        .sendMail({ from: 'x@a.test', to: 'y@a.test', subject: 'for A only', text: 'hi' });
      const resolver = new Resolver();
      resolver.setServers([`127.0.0.1:${a.dns.port}`]);
      a.dns.addRecord({ name: 'only-a.suite.test', type: 'A', data: '10.0.0.1' });
      expect(await resolver.resolve4('only-a.suite.test')).toEqual(['10.0.0.1']);
      const ftp = new FtpClient();
      await ftp.access({ host: '127.0.0.1', port: a.ftp.port, user: 'u', password: 'p' });
      await ftp.uploadFrom(Readable.from(['data']), 'a.txt');
      ftp.close();
      expect((await fetch(`${a.http.url}/files/a.txt`)).status).toBe(200);

      expect((await a.smtp.waitForMessage((m) => m.subject === 'for A only')).text).toContain('hi');
      for (const p of ['http', 'ftp', 'smtp', 'dns'] as const)
        expect(a.exchanges.some((r) => r.protocol === p)).toBe(true);
      expect(b.exchanges).toEqual([]);
      expect(await b.smtp.messages()).toEqual([]);
      expect(b.dns.queries()).toEqual([]);
      expect(await b.ftp.list('/')).toEqual([]);
      expect((await fetch(`${b.http.url}/files/a.txt`)).status).toBe(404);
      // B's DNS does not know A's run-time record: its wildcard answers with the suite itself.
      const rb = new Resolver();
      rb.setServers([`127.0.0.1:${b.dns.port}`]);
      expect(await rb.resolve4('only-a.suite.test')).toEqual(['127.0.0.1']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('waitFor times out naming the predicate and listing the last exchanges of that protocol', async () => {
    const suite = await startSuite({ protocols: ['http'] });
    try {
      await fetch(`${suite.http.url}/status/204`);
      const err = (await suite
        .waitFor('http', (r) => r.request === 'GET /never', { timeoutMs: 200 })
        .catch((e: unknown) => e)) as Error & { code?: string };
      expect(err.code).toBe('MS_TIMEOUT');
      // (the test transform may re-quote the predicate's source, so either quote is accepted)
      expect(err.message).toMatch(
        /^waitFor\(http, \(r\) => r\.request === ["']GET \/never["']\) timed out after 200 ms/,
      );
      expect(err.message).toMatch(/GET \/status\/204 +→ 204 No Content/);
    } finally {
      await suite.close();
    }
  });

  it('close() is idempotent, releases every port and removes the temporary folder', async () => {
    const suite = await startSuite();
    const ports = [suite.http.port, suite.ftp.port, suite.smtp.port, suite.dns.port];
    const client = await RawClient.connect(suite.smtp.port);
    await Promise.all([suite.close(), suite.close()]);
    await suite.close();
    expect(await client.closedWithin(2_000)).toBe(true);
    for (const port of ports) await expect(RawClient.connect(port)).rejects.toThrow(/ECONNREFUSED/);
    expect(fs.existsSync(suite.dataDir)).toBe(false);
  });

  it('keeps a data folder it was given', async () => {
    const dir = fs.mkdtempSync('/tmp/minisuite-given-');
    const suite = await startSuite({ protocols: ['ftp'], data: dir, files: { 'keep.txt': 'x' } });
    await suite.close();
    expect(fs.readFileSync(`${dir}/files/keep.txt`, 'utf8')).toBe('x');
    fs.rmSync(dir, { recursive: true });
  });
});
