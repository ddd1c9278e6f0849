import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/raw-client.js';
import { startHttp, type TestHttp, waitForRecord } from './helpers.js';

let http: TestHttp;
beforeAll(async () => {
  http = await startHttp({ maxBodyBytes: 1000 });
  await fs.writeFile(path.join(http.files, 'a.txt'), 'hello world\n');
  await fs.mkdir(path.join(http.files, 'sub dir'));
  await fs.writeFile(path.join(http.files, 'sub dir', 'b <i>.bin'), Buffer.from([0, 1, 2, 3]));
});
afterAll(() => http.close());

describe('/files', () => {
  it('serves a file with type, length, ETag and Last-Modified, and records the exchange', async () => {
    const res = await fetch(`${http.url}/files/a.txt`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('content-length')).toBe('12');
    // Strong (RFC 9110 §8.8.3), as nginx's: If-Range and If-Match can use it.
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(res.headers.get('last-modified')).toMatch(/GMT$/);
    expect(await res.text()).toBe('hello world\n');
    const record = await waitForRecord(http.log, 'GET /files/a.txt');
    expect(record).toMatchObject({ protocol: 'http', side: 'server', transport: 'tcp', response: '200 OK', ok: true });
    expect(record.session).toMatch(/^http-\d+$/);
    expect(record.bytesIn).toBeGreaterThan(0);
    expect(record.bytesOut).toBeGreaterThan(12);
  });

  it('answers the second and later plain GETs identically (memory cache) and sees changes', async () => {
    const file = path.join(http.files, 'changing.txt');
    await fs.writeFile(file, 'one');
    const first = await fetch(`${http.url}/files/changing.txt`);
    expect(await first.text()).toBe('one');
    // Give the cache time to fill, then compare a cached answer with the first one.
    await new Promise((r) => setTimeout(r, 100));
    const second = await fetch(`${http.url}/files/changing.txt`);
    expect(await second.text()).toBe('one');
    for (const h of ['etag', 'last-modified', 'content-type', 'content-length', 'accept-ranges', 'cache-control'])
      expect(second.headers.get(h)).toBe(first.headers.get(h));
    await fs.writeFile(file, 'two, longer');
    const third = await fetch(`${http.url}/files/changing.txt`);
    expect(await third.text()).toBe('two, longer');
    await fs.rm(file);
    expect((await fetch(`${http.url}/files/changing.txt`)).status).toBe(404);
  });

  it('sees each change made before a request while other clients keep the file hot in the cache', async () => {
    const file = path.join(http.files, 'hot.txt');
    const url = `${http.url}/files/hot.txt`;
    await fs.writeFile(file, 'version -1');
    let stop = false;
    let served = 0;
    const hammer = async () => {
      while (!stop) {
        await (await fetch(url)).text();
        served++;
      }
    };
    const background = Array.from({ length: 8 }, hammer);
    try {
      for (let i = 0; i < 30; i++) {
        const text = `version ${i}`.padEnd(10, '.');
        // Replaced whole (write aside, rename), as FTP uploads do: readers see old or new, never half.
        await fs.writeFile(`${file}.tmp`, text);
        await fs.rename(`${file}.tmp`, file);
        expect(await (await fetch(url)).text()).toBe(text);
      }
    } finally {
      stop = true;
      await Promise.all(background);
    }
    expect(served).toBeGreaterThan(30);
  });

  it('closes the connection when a file shrinks while it is sent, instead of leaving the client waiting', async () => {
    // Keep-alive long enough that only the fix can end this connection within the test.
    const own = await startHttp({ keepAliveTimeoutMs: 120_000 });
    try {
      const file = path.join(own.files, 'big.bin');
      await fs.writeFile(file, '');
      await fs.truncate(file, 64 * 1024 * 1024); // sparse: the kernel buffers hold only part of it
      const socket = net.connect(own.service.port, '127.0.0.1');
      let received = 0;
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      socket.write('GET /files/big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((resolve) => socket.once('data', resolve));
      socket.pause();
      await fs.truncate(file, 0);
      socket.resume();
      await closed;
      expect(received).toBeLessThan(64 * 1024 * 1024);
      const record = await waitForRecord(own.log, 'GET /files/big.bin');
      expect(record.response).toMatch(/^200 OK \(file shrank while sent: \d+ of 67108864 bytes\) \(aborted\)$/);
      expect(record.ok).toBe(false);
    } finally {
      await own.close();
    }
  });

  it('HEAD gives the headers without a body', async () => {
    const res = await fetch(`${http.url}/files/a.txt`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('12');
    expect(await res.text()).toBe('');
  });

  it('serves byte ranges (206) and refuses unsatisfiable ones (416 with bytes */len)', async () => {
    const part = await fetch(`${http.url}/files/a.txt`, { headers: { Range: 'bytes=6-10' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 6-10/12');
    expect(await part.text()).toBe('world');
    const bad = await fetch(`${http.url}/files/a.txt`, { headers: { Range: 'bytes=50-60' } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe('bytes */12');
    expect(await bad.json()).toEqual({ error: 'range not satisfiable' });
  });

  it('answers 304 to If-None-Match and If-Modified-Since', async () => {
    const first = await fetch(`${http.url}/files/a.txt`);
    await first.arrayBuffer();
    const etag = first.headers.get('etag') ?? '';
    const lastModified = first.headers.get('last-modified') ?? '';
    expect((await fetch(`${http.url}/files/a.txt`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    // fetch adds `Cache-Control: no-cache` to these; the origin still answers 304 (RFC 9110 §13.2.2).
    const since = await fetch(`${http.url}/files/a.txt`, { headers: { 'If-Modified-Since': lastModified } });
    expect(since.status).toBe(304);
    expect(since.headers.get('etag')).toBe(etag);
    expect((await fetch(`${http.url}/files/a.txt`, { headers: { 'If-None-Match': '"other"' } })).status).toBe(200);
  });

  it('lists directories as JSON and as escaped HTML', async () => {
    const json = await fetch(`${http.url}/files/`, { headers: { Accept: 'application/json' } });
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    const listing = (await json.json()) as { path: string; entries: { name: string; type: string; url: string }[] };
    expect(listing.path).toBe('/files/');
    expect(listing.entries[0]).toMatchObject({ name: 'sub dir', type: 'directory', url: '/files/sub%20dir/' });
    expect(listing.entries.map((e) => e.name)).toContain('a.txt');
    const sub = await fetch(`${http.url}/files/sub%20dir`, { headers: { Accept: 'application/json' } });
    expect(await sub.json()).toMatchObject({
      path: '/files/sub%20dir/',
      entries: [{ name: 'b <i>.bin', type: 'file', size: 4, url: '/files/sub%20dir/b%20%3Ci%3E.bin' }],
    });
    const html = await (await fetch(`${http.url}/files/sub%20dir/`)).text();
    expect(html).toContain('b &#60;i&#62;.bin');
    expect(html).not.toContain('<i>');
    const file = await fetch(`${http.url}/files/sub%20dir/b%20%3Ci%3E.bin`);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 3]));
  });

  it('answers a missing file with a JSON 404 and a write method with 405 + Allow', async () => {
    const missing = await fetch(`${http.url}/files/nope.txt`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no such file' });
    const put = await fetch(`${http.url}/files/a.txt`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(await put.json()).toMatchObject({ error: expect.stringMatching(/PUT not allowed/) });
  });
});

describe('router', () => {
  it('404s unknown paths as JSON and answers OPTIONS with Allow', async () => {
    const res = await fetch(`${http.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'no route for /nope' });
    const options = await fetch(`${http.url}/api/mail`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('DELETE, GET, HEAD, OPTIONS');
  });
});

describe('httpbin endpoints', () => {
  it('/echo returns the request, binary bodies as base64', async () => {
    const text = await fetch(`${http.url}/echo?a=1&b=two`, {
      method: 'PATCH',
      body: 'héllo',
      headers: { 'X-Test': 'yes' },
    });
    expect(await text.json()).toMatchObject({
      method: 'PATCH',
      path: '/echo',
      query: { a: '1', b: 'two' },
      headers: { 'x-test': 'yes' },
      ip: '127.0.0.1',
      body: 'héllo',
      bodyLength: 6,
    });
    const binary = await fetch(`${http.url}/echo`, { method: 'POST', body: new Uint8Array([0xff, 0xfe, 0]) });
    expect(await binary.json()).toMatchObject({ bodyBase64: '//4A', bodyLength: 3 });
  });

  it('/status/:code answers that status, bounded to 200-599', async () => {
    const teapot = await fetch(`${http.url}/status/418`);
    expect(teapot.status).toBe(418);
    expect(await teapot.json()).toEqual({ status: 418, reason: "I'm a Teapot" });
    expect((await fetch(`${http.url}/status/204`)).status).toBe(204);
    expect((await fetch(`${http.url}/status/99`)).status).toBe(400);
    expect((await fetch(`${http.url}/status/600`)).status).toBe(400);
  });

  it('/delay/:ms waits, and refuses delays over the bound', async () => {
    const res = await fetch(`${http.url}/delay/50`);
    expect(await res.json()).toEqual({ delayedMs: 50 });
    const long = await fetch(`${http.url}/delay/999999`);
    expect(long.status).toBe(400);
    expect(await long.json()).toEqual({ error: 'ms must be at most 10000' });
  });

  it('/headers, /ip and /bytes/:n', async () => {
    expect(await (await fetch(`${http.url}/headers`, { headers: { 'X-A': '1' } })).json()).toMatchObject({
      headers: { 'X-A': '1' },
    });
    expect(await (await fetch(`${http.url}/ip`)).json()).toEqual({ ip: '127.0.0.1', origin: '127.0.0.1' });
    const bytes = await fetch(`${http.url}/bytes/200000`);
    expect(bytes.headers.get('content-type')).toBe('application/octet-stream');
    expect((await bytes.arrayBuffer()).byteLength).toBe(200_000);
    expect((await fetch(`${http.url}/bytes/99999999999`)).status).toBe(400);
    expect((await fetch(`${http.url}/bytes/-1`)).status).toBe(400);
  });

  it('refuses bodies over the limit with 413, announced or chunked', async () => {
    const big = await fetch(`${http.url}/echo`, { method: 'POST', body: 'x'.repeat(2000) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: 'request body larger than 1000 bytes' });
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode('y'.repeat(400)));
        controller.close();
      },
    });
    const chunked = await fetch(`${http.url}/echo`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    expect(chunked.status).toBe(413);
  });
});

describe('lifecycle', () => {
  it('finishes an in-flight request on close and tells the client the connection closes', async () => {
    const own = await startHttp();
    try {
      const client = await RawClient.connect(own.service.port);
      client.send('GET /delay/300 HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((r) => setTimeout(r, 50));
      await own.service.close({ graceMs: 3_000 });
      expect(client.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(client.text).toMatch(/\r\nConnection: close\r\n/i);
      expect(client.text).toMatch(/\{"delayedMs":300\}$/);
      expect(await client.closedWithin(2_000)).toBe(true);
    } finally {
      await own.close();
    }
  });
});
