/**
 * minisuite as fake servers in a vitest suite: the example of the README, run by `npm test`.
 * Your app would get these addresses from its configuration; here the test talks to the servers
 * with the same libraries an app would use.
 */
import { Resolver } from 'node:dns/promises';
import { Readable } from 'node:stream';
import { Client as FtpClient } from 'basic-ftp';
import { type Suite, startSuite } from 'minisuite';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, it } from 'vitest';

let suite: Suite;

beforeAll(async () => {
  suite = await startSuite({
    ftpUsers: ['app:secret'],
    records: ['api.suite.test. 60 IN A 10.1.2.3'],
    files: { 'welcome.txt': 'hello from the seed\n' },
  });
});

afterAll(() => suite.close());

it('captures the mail the app sends', async () => {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: suite.smtp.port });
  await transport.sendMail({
    from: 'app@example.test',
    to: 'user@example.test',
    subject: 'Welcome aboard',
    text: 'Your account is ready.',
  });
  const mail = await suite.smtp.waitForMessage((m) => m.subject === 'Welcome aboard');
  expect(mail.from).toBe('app@example.test');
  expect(mail.to).toEqual(['user@example.test']);
  expect(mail.text).toContain('Your account is ready.');
});

it('resolves names through the suite DNS', async () => {
  const resolver = new Resolver();
  resolver.setServers([`127.0.0.1:${suite.dns.port}`]);
  expect(await resolver.resolve4('api.suite.test')).toEqual(['10.1.2.3']);
  expect(await resolver.resolve4('www.suite.test')).toEqual(['127.0.0.1']);
  expect(suite.dns.queries().some((q) => q.name === 'api.suite.test' && q.rcode === 'NOERROR')).toBe(true);
});

it('keeps what the app uploads over FTP', async () => {
  const client = new FtpClient();
  await client.access({ host: '127.0.0.1', port: suite.ftp.port, user: 'app', password: 'secret' });
  await client.uploadFrom(Readable.from(['quarterly numbers\n']), 'report.txt');
  client.close();
  expect((await suite.ftp.readFile('report.txt')).toString()).toBe('quarterly numbers\n');
  const stor = await suite.waitFor('ftp', (r) => r.request === 'STOR report.txt');
  expect(stor.ok).toBe(true);
});

it('serves the same files over HTTP', async () => {
  const res = await fetch(`${suite.http.url}/files/welcome.txt`);
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('hello from the seed\n');
  expect(suite.http.requests().some((r) => r.request === 'GET /files/welcome.txt')).toBe(true);
});
