/**
 * One hostile local client (127.0.0.1) cannot take HTTP's slots from another (127.0.0.2):
 * event streams have their own caps, and the console keeps answering.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_STREAMS_PER_ADDRESS } from '../../shared/limits.js';
import { RawClient } from '../helpers/raw-client.js';
import { startHttp, type TestHttp } from './helpers.js';

let server: TestHttp;
beforeAll(async () => {
  server = await startHttp();
});
afterAll(() => server.close());

/** A GET from `localAddress`; resolves with the status (and drops the body). */
function get(path: string, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: server.service.port, path, localAddress, agent: false }, (res) => {
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path} from ${localAddress} timed out`)));
    req.on('error', reject);
  });
}

describe('event streams cannot use up the slots of short requests', () => {
  it('holds 300 /api/events clients to their caps while the console serves another client', async () => {
    const streams: RawClient[] = [];
    try {
      for (let i = 0; i < 300; i++) {
        const c = await RawClient.connect(server.service.port);
        c.send('GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        streams.push(c);
      }
      await Promise.all(streams.map((c) => c.waitFor(/^HTTP\/1\.1 (200|503) /, 20_000)));
      const open = streams.filter((c) => c.text.startsWith('HTTP/1.1 200 '));
      // One address holds at most its share of streams; the rest were told 503 at once.
      expect(open.length).toBe(MAX_STREAMS_PER_ADDRESS);
      expect(streams.filter((c) => /^HTTP\/1\.1 503 [\s\S]*Retry-After/i.test(c.text)).length).toBeGreaterThan(0);
      for (const path of ['/', '/api/exchanges', '/api/mail', '/files/', '/healthz', '/api/events'])
        expect(await get(path, '127.0.0.2'), path).toBe(200);
    } finally {
      for (const c of streams) c.destroy();
    }
  });

  it('gives a stream slot back when its client leaves', async () => {
    const first: RawClient[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_ADDRESS; i++) {
      const c = await RawClient.connect(server.service.port, '127.0.0.1', '127.0.0.4');
      c.send('GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await c.waitFor(/^HTTP\/1\.1 200 /, 10_000);
      first.push(c);
    }
    expect(await get('/api/events', '127.0.0.4')).toBe(503);
    for (const c of first) c.destroy();
    await Promise.all(first.map((c) => c.closed));
    // The server sees the closes on its own time: ask until a slot is free again.
    for (let i = 0; ; i++) {
      const status = await get('/api/events', '127.0.0.4');
      if (status === 200) break;
      expect(i).toBeLessThan(200);
      await new Promise((r) => setImmediate(r));
    }
  });
});
