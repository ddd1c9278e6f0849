import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RawClient } from '../helpers/raw-client.js';
import { startHttp, type TestHttp, waitForRecord } from './helpers.js';

const SECRET = 'TOPSECRET-do-not-serve';

/** Sends one raw request (the target exactly as given) and returns status and body. */
async function raw(port: number, target: string, extra = ''): Promise<{ status: number; text: string }> {
  const client = await RawClient.connect(port);
  try {
    client.send(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${extra}\r\n`);
    await client.closedWithin(10_000);
    const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(client.text)?.[1]);
    return { status, text: client.text };
  } finally {
    client.destroy();
  }
}

let http: TestHttp;
beforeAll(async () => {
  http = await startHttp({ maxBodyBytes: 4096, maxHeaderBytes: 8192, headersTimeoutMs: 1_500 });
  await fs.writeFile(path.join(http.files, 'a.txt'), 'hello world\n');
  await fs.mkdir(path.join(http.files, 'sub'));
  // Outside the root, next to it: what traversal would reach.
  await fs.writeFile(path.join(http.dataDir, 'secret.txt'), SECRET);
  await fs.mkdir(path.join(http.dataDir, 'mail', 'new'), { recursive: true });
  await fs.writeFile(path.join(http.dataDir, 'mail', 'new', 'secret.txt'), SECRET);
  await fs.symlink(path.join(http.dataDir, 'secret.txt'), path.join(http.files, 'link-out'));
  await fs.symlink(http.dataDir, path.join(http.files, 'dir-out'));
  await http.mail.init();
});
afterAll(() => http.close());

describe('path traversal by every route', () => {
  const targets = [
    '/files/../secret.txt',
    '/files/sub/../../secret.txt',
    '/files/%2e%2e/secret.txt',
    '/files/%2E%2E%2Fsecret.txt',
    '/files/.%2e/secret.txt',
    '/files/..%2fsecret.txt',
    '/files/..%5csecret.txt',
    '/files/..\\secret.txt',
    '/files/sub\\..\\..\\secret.txt',
    '/files/a.txt%00.png',
    '/files/%00',
    '/files/link-out',
    '/files/dir-out/secret.txt',
    '/files/dir-out/',
    '/files/%2fetc%2fpasswd',
    '/files//etc/passwd',
    '/files/../../../../../../etc/passwd',
    '/api/mail/..%2fnew%2fsecret.txt',
    '/api/mail/..%2f..%2fsecret.txt/raw',
    '/api/mail/secret.txt/raw',
    '/api/mail/../files/../secret.txt',
    '/api/exchanges/../../secret.txt',
    '/status/..%2f..%2fsecret.txt',
    '/bytes/..%2f1',
    '/delay/..%2f1',
    '/echo/../secret.txt',
    '/../secret.txt',
    '/%2e%2e/secret.txt',
  ];
  for (const target of targets) {
    it(`GET ${target} is refused without leaking`, async () => {
      const { status, text } = await raw(http.service.port, target);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('root:');
      expect(text).toMatch(/\{"error":"[^"]+"\}$/);
    });
  }

  it('lists a folder without entries that lead outside', async () => {
    const res = await fetch(`${http.url}/files/`, { headers: { Accept: 'application/json' } });
    const listing = (await res.json()) as { entries: { name: string }[] };
    expect(listing.entries.map((e) => e.name).sort()).toEqual(['a.txt', 'sub']);
  });

  it('refuses DELETE of mail by a traversing id', async () => {
    const res = await fetch(`${http.url}/api/mail/..%2fnew%2fsecret.txt`, { method: 'DELETE' });
    expect(res.status).toBe(404);
    await expect(fs.readFile(path.join(http.dataDir, 'mail', 'new', 'secret.txt'), 'utf8')).resolves.toBe(SECRET);
  });
});

describe('slow and oversized clients', () => {
  it('serves another client while 200 clients hold half-sent requests, then times them out with 408', async () => {
    const slow: RawClient[] = [];
    try {
      for (let i = 0; i < 200; i++) {
        const c = await RawClient.connect(http.service.port);
        c.send('GET /files/a.txt HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        slow.push(c);
      }
      const legit = await RawClient.connect(http.service.port, '127.0.0.1', '127.0.0.2');
      legit.send('GET /files/a.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      await legit.waitFor(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello world\n$/, 10_000);
      legit.destroy();
      // headersTimeoutMs is 1.5 s here: each admitted slow client is told 408 and closed; those
      // over the per-address share were told 503 at once.
      const closed = await Promise.all(slow.map((c) => c.closedWithin(15_000)));
      expect(closed.every(Boolean)).toBe(true);
      expect(slow.every((c) => /^HTTP\/1\.1 (408 Request Timeout|503 Service Unavailable)\r\n/.test(c.text))).toBe(
        true,
      );
      expect(slow.some((c) => c.text.startsWith('HTTP/1.1 408 '))).toBe(true);
      await waitForRecord(http.log, '(incomplete request)');
    } finally {
      for (const c of slow) c.destroy();
    }
    // The server forgets each connection when its own socket closes, a moment after the client's:
    // wait for that, so the next test's connections are not counted against these.
    await vi.waitFor(() => expect(http.service.openConnections()).toBe(0), { timeout: 20_000, interval: 20 });
  });

  it('answers an over-long header with 431 and a huge line with 431 or 400, then keeps serving', async () => {
    const big = await raw(http.service.port, '/files/a.txt', `X-Big: ${'a'.repeat(20_000)}\r\n`);
    expect(big.status).toBe(431);
    const many = await raw(
      http.service.port,
      '/files/a.txt',
      Array.from({ length: 500 }, (_, i) => `X-H${i}: ${'v'.repeat(20)}\r\n`).join(''),
    );
    expect(many.status).toBe(431);
    const longTarget = await raw(http.service.port, `/files/${'a'.repeat(20_000)}`);
    expect([400, 414, 431]).toContain(longTarget.status);
    expect((await fetch(`${http.url}/files/a.txt`)).status).toBe(200);
  });

  it('refuses an announced oversized body at once, without reading it, and closes', async () => {
    const client = await RawClient.connect(http.service.port);
    try {
      client.send('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\nabc');
      await client.waitFor(/\{"error":"request body larger than 4096 bytes"\}$/, 10_000);
      expect(client.text).toMatch(/^HTTP\/1\.1 413 Payload Too Large\r\n/);
      expect(client.text).toMatch(/\r\nConnection: close\r\n/i);
      expect(await client.closedWithin(5_000)).toBe(true);
    } finally {
      client.destroy();
    }
  });

  it('answers Expect: 100-continue with 413 instead of inviting an oversized body', async () => {
    const client = await RawClient.connect(http.service.port);
    try {
      client.send('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n');
      await client.waitFor(/413/, 10_000);
      expect(client.text).not.toMatch(/100 Continue/);
    } finally {
      client.destroy();
    }
  });

  it('refuses an oversized chunked body with 413', async () => {
    const client = await RawClient.connect(http.service.port);
    try {
      client.send('POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
      const chunk = `1000\r\n${'z'.repeat(0x1000)}\r\n`;
      client.send(chunk + chunk);
      await client.waitFor(/^HTTP\/1\.1 413 /, 10_000);
      expect(await client.closedWithin(5_000)).toBe(true);
    } finally {
      client.destroy();
    }
  });

  it('answers garbage with a JSON 400, records it, and keeps serving', async () => {
    const client = await RawClient.connect(http.service.port);
    try {
      client.send('HELLO\x00WORLD\r\n\r\n');
      await client.waitFor(/\{"error":"bad request \([A-Z_]+\)"\}$/);
      expect(client.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    } finally {
      client.destroy();
    }
    const record = await waitForRecord(http.log, /^HELLO/);
    expect(record).toMatchObject({ response: '400 Bad Request', ok: false });
    expect((await fetch(`${http.url}/ip`)).status).toBe(200);
  });
});
