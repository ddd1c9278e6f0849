import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SSE_MAX_BUFFERED_BYTES } from '../../../suite/console/limits.js';
import { startHttp, type TestHttp } from '../../http/helpers.js';

let http: TestHttp;
beforeAll(async () => {
  http = await startHttp();
});
afterAll(() => http.close());

describe('/api/events replay', () => {
  it('resumes a client whose Last-Event-ID is further back than the buffer bound holds', async () => {
    const long = 'x'.repeat(290);
    const count = Math.ceil((2 * SSE_MAX_BUFFERED_BYTES) / 600);
    let last = 0;
    for (let i = 0; i < count; i++)
      last = http.log.add({
        protocol: 'smtp',
        side: 'server',
        transport: 'tcp',
        session: 'smtp-1',
        peer: '127.0.0.1:1',
        request: `${i} ${long}`,
        response: `250 ${long}`,
        ok: true,
        bytesIn: 0,
        bytesOut: 0,
        durationMs: 0,
      }).id;
    const controller = new AbortController();
    const res = await fetch(`${http.url}/api/events`, {
      headers: { 'Last-Event-ID': '1' },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The newest record comes in the replay, and the stream then stays open for live ones.
    while (!text.includes(`id: ${last}\n`)) {
      const { value, done } = await reader.read();
      expect(done).toBe(false);
      text += decoder.decode(value, { stream: true });
    }
    const live = http.log.add({
      protocol: 'dns',
      side: 'server',
      transport: 'udp',
      session: 'dns-udp',
      peer: '127.0.0.1:2',
      request: 'A live.test',
      response: 'NOERROR 1 answer',
      ok: true,
      bytesIn: 0,
      bytesOut: 0,
      durationMs: 0,
    });
    while (!text.includes(`id: ${live.id}\n`)) {
      const { value, done } = await reader.read();
      expect(done).toBe(false);
      text += decoder.decode(value, { stream: true });
    }
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    controller.abort();
  });
});
