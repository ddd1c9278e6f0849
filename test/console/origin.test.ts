/**
 * The console's guard (moved from test/http/origin.test.ts): other sites cannot change its state
 * (CSRF) and rebound names cannot read it (Host check).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, hostName, isServedHost } from '../../protocols/http/origin-guard.js';
import type { MailStore } from '../../protocols/smtp/mail-store.js';
import { rawRequest, startHttp, type TestHttp } from '../http/helpers.js';

let http: TestHttp;
let port: number;
/**
 * The console's own store: a second MailStore on the same folder would keep its own index of the
 * log and never see the console's deletions.
 */
let mail: MailStore;

const raw = (request: string) => rawRequest(port, request);

async function storeMail(): Promise<void> {
  await mail.deliver(Buffer.from('Subject: keep me\r\n\r\nbody\r\n'), {
    mailFrom: 'a@b.test',
    rcptTo: ['c@d.test'],
  });
}
beforeAll(async () => {
  http = await startHttp();
  port = http.service.port;
  mail = http.mail;
});
afterAll(() => http.close());

describe('DNS rebinding: the console answers only to names it serves', () => {
  it('refuses a public name in Host on the API, the dashboard and /files', async () => {
    for (const target of ['/api/mail', '/api/exchanges', '/', '/files/', '/healthz', '/metrics']) {
      const { status, text } = await raw(
        `GET ${target} HTTP/1.1\r\nHost: evil.example:${port}\r\nConnection: close\r\n\r\n`,
      );
      expect(status, target).toBe(403);
      expect(text).toMatch(/DNS rebinding/);
    }
  });

  it('serves loopback names, IP literals and .test names', async () => {
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      `www.suite.test:${port}`,
      'app.localhost',
    ]) {
      const { status } = await raw(`GET /api/mail HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect(status, host).toBe(200);
    }
  });

  it('leaves the test endpoints open to any Host (clients test virtual hosts with them)', async () => {
    const { status } = await raw(`GET /headers HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`);
    expect(status).toBe(200);
  });

  it('judges host names by rule', () => {
    expect(hostName('Evil.Example:8080')).toBe('evil.example');
    expect(hostName('[::1]:80')).toBe('::1');
    expect(hostName('www.suite.test.')).toBe('www.suite.test');
    expect(isServedHost('evil.example')).toBe(false);
    expect(isServedHost('127.0.0.1.nip.io')).toBe(false);
    expect(isServedHost('localhost.evil.example')).toBe(false);
    expect(isServedHost('10.1.2.3')).toBe(true);
    expect(isServedHost('dev.example', ['*.example'])).toBe(true);
    expect(isServedHost('dev.example', ['other.example'])).toBe(false);
  });
});

describe('CSRF: state-changing API requests from elsewhere are refused', () => {
  const refused: [string, () => string][] = [
    ['another site', () => 'Origin: http://evil.example\r\n'],
    ['a sandboxed upload (opaque origin)', () => 'Origin: null\r\n'],
    ['a rebound name on our port', () => `Origin: http://evil.example:${port}\r\n`],
    ['a cross-site fetch', () => 'Sec-Fetch-Site: cross-site\r\n'],
    ['a form post', () => 'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=b'],
    ['a text/plain body', () => 'Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}'],
  ];
  for (const [what, make] of refused) {
    it(`refuses DELETE /api/mail from ${what}, and the mail stays`, async () => {
      const extra = make();
      await storeMail();
      const before = (await mail.list()).length;
      const head = extra.includes('\r\n\r\n') ? extra : `${extra}\r\n`;
      const { status, text } = await raw(
        `DELETE /api/mail HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${head}`,
      );
      expect([403, 415]).toContain(status);
      expect(text).toMatch(/\{"error":"[^"]+"\}$/);
      expect((await mail.list()).length).toBe(before);
    });
  }

  it('accepts the same DELETE from the console itself, from a script with the header, and from curl', async () => {
    for (const extra of [
      `Origin: http://127.0.0.1:${port}\r\nSec-Fetch-Site: same-origin\r\n`,
      `${CSRF_HEADER}: 1\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n`,
      '',
    ]) {
      await storeMail();
      const body = extra.includes('Content-Length: 1') ? 'x' : '';
      const { status } = await raw(
        `DELETE /api/mail HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${extra}\r\n${body}`,
      );
      expect(status, extra).toBe(200);
      expect(await mail.list()).toHaveLength(0);
    }
  });

  it('accepts a JSON body from a same-origin script', async () => {
    await storeMail();
    const res = await fetch(`${http.url}/api/mail`, {
      method: 'DELETE',
      headers: { 'Content-Type': 'application/json', Origin: http.url },
      body: '{}',
    });
    expect(res.status).toBe(200);
  });
});
