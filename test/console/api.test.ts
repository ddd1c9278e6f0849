/**
 * The console's API on the HTTP server (moved from test/http/server.test.ts): /api/exchanges and
 * the /api/events stream, /api/mail, /healthz, /metrics and the console page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../shared/service.js';
import { startHttp, type TestHttp, waitForRecord } from '../http/helpers.js';

const MESSAGE = [
  'From: Alice <alice@example.test>',
  'To: bob@example.test',
  'Subject: Hello Bob',
  'Date: Tue, 01 Jul 2025 10:00:00 +0000',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Hi there.',
  '',
].join('\r\n');

let http: TestHttp;
beforeAll(async () => {
  http = await startHttp({ maxBodyBytes: 1000 });
  // Traffic before the first test, as the /files tests made beside which these ran: the API
  // lists and counts exchanges that came before the request asking.
  await (await fetch(`${http.url}/ip`)).text();
});
afterAll(() => http.close());

describe('/api/exchanges and /api/events', () => {
  it('filters by protocol and limit and rejects bad parameters', async () => {
    await (await fetch(`${http.url}/ip`)).text();
    const list = (await (await fetch(`${http.url}/api/exchanges?protocol=http&limit=2`)).json()) as {
      protocol: string;
    }[];
    expect(list).toHaveLength(2);
    expect(list.every((r) => r.protocol === 'http')).toBe(true);
    expect(await (await fetch(`${http.url}/api/exchanges?protocol=dns`)).json()).toEqual([]);
    expect((await fetch(`${http.url}/api/exchanges?protocol=gopher`)).status).toBe(400);
    expect((await fetch(`${http.url}/api/exchanges?limit=0`)).status).toBe(400);
  });

  it('streams one exchange event per record and ends cleanly when the server closes', async () => {
    const own = await startHttp({ sseKeepAliveMs: 100 });
    try {
      const res = await fetch(`${own.url}/api/events`);
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = '';
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(text)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`stream ended before ${pattern}: ${text}`);
          text += decoder.decode(value);
        }
      };
      await (await fetch(`${own.url}/ip`)).text();
      await readUntil(/event: exchange\ndata: .*"request":"GET \/ip"/);
      const frame = /id: (\d+)\nevent: exchange\ndata: (.*)\n\n/.exec(text);
      expect(JSON.parse(frame?.[2] ?? '{}')).toMatchObject({
        protocol: 'http',
        request: 'GET /ip',
        response: '200 OK',
      });
      await readUntil(/: keep-alive\n\n/);
      await own.service.close({ graceMs: 2_000 });
      // The stream ends (done) instead of being cut with an error.
      for (;;) {
        const { done } = await reader.read();
        if (done) break;
      }
      const record = await waitForRecord(own.log, 'GET /api/events');
      expect(record.response).toMatch(/^200 OK \(\d+ events?\)$/);
      expect(record.ok).toBe(true);
    } finally {
      await own.close();
    }
  });
});

describe('/api/mail', () => {
  it('lists, shows, serves raw, and deletes messages of the mail store', async () => {
    const store = http.mail;
    const id = await store.deliver(Buffer.from(MESSAGE));
    const second = await store.deliver(Buffer.from(MESSAGE.replace('Hello Bob', 'Second')));
    const list = (await (await fetch(`${http.url}/api/mail`)).json()) as { id: string; subject: string }[];
    expect(list.map((m) => m.id)).toEqual([second, id]);
    expect(list[1]).toMatchObject({
      id,
      from: 'alice@example.test',
      to: ['bob@example.test'],
      subject: 'Hello Bob',
      date: '2025-07-01T10:00:00.000Z',
      size: Buffer.byteLength(MESSAGE),
    });
    const mail = await (await fetch(`${http.url}/api/mail/${id}`)).json();
    expect(mail).toMatchObject({ id, text: 'Hi there.\n', attachments: [], headers: { subject: 'Hello Bob' } });
    const raw = await fetch(`${http.url}/api/mail/${id}/raw`);
    expect(raw.headers.get('content-type')).toBe('message/rfc822');
    expect(await raw.text()).toBe(MESSAGE);
    expect((await fetch(`${http.url}/api/mail/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${http.url}/api/mail/${id}`)).status).toBe(404);
    expect((await fetch(`${http.url}/api/mail/${id}`, { method: 'DELETE' })).status).toBe(404);
    expect(await (await fetch(`${http.url}/api/mail`, { method: 'DELETE' })).json()).toEqual({ deleted: 1 });
    expect(await (await fetch(`${http.url}/api/mail`)).json()).toEqual([]);
  });

  it('searches with q=, adds fromName/cc/bcc, and serves each attachment byte-exact', async () => {
    const store = http.mail;
    const boundary = 'b0undary';
    const bin = Buffer.from([0, 1, 2, 253, 254, 255]);
    const multipart = [
      'From: "Dave D" <dave@example.test>',
      'To: bob@example.test',
      'Cc: carol@example.test',
      'Subject: Invoice',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain',
      '',
      'the quarterly invoice',
      `--${boundary}`,
      'Content-Type: application/octet-stream',
      'Content-Disposition: attachment; filename="résumé 1.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      bin.toString('base64'),
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const other = await store.deliver(Buffer.from(MESSAGE));
    const id = await store.deliver(Buffer.from(multipart), {
      mailFrom: 'dave@example.test',
      rcptTo: ['bob@example.test', 'carol@example.test', 'audit@example.test'],
    });
    const found = await (await fetch(`${http.url}/api/mail?q=${encodeURIComponent('quarterly')}`)).json();
    expect(found).toMatchObject([{ id, fromName: 'Dave D', cc: ['carol@example.test'], attachments: 1 }]);
    const byField = (await (await fetch(`${http.url}/api/mail?q=${encodeURIComponent('from:alice')}`)).json()) as {
      id: string;
    }[];
    expect(byField.map((m) => m.id)).toEqual([other]);
    expect(await (await fetch(`${http.url}/api/mail?limit=1`)).json()).toMatchObject([{ id }]);
    expect((await fetch(`${http.url}/api/mail?limit=x`)).status).toBe(400);
    const mail = (await (await fetch(`${http.url}/api/mail/${id}`)).json()) as { attachments: object[] };
    expect(mail).toMatchObject({
      fromName: 'Dave D',
      to: ['bob@example.test'],
      cc: ['carol@example.test'],
      bcc: ['audit@example.test'],
      attachments: [{ contentType: 'application/octet-stream', size: bin.length, inline: false }],
    });
    expect(mail.attachments[0]).not.toHaveProperty('content');
    const att = await fetch(`${http.url}/api/mail/${id}/attachments/0`);
    expect(att.status).toBe(200);
    expect(att.headers.get('content-type')).toBe('application/octet-stream');
    expect(att.headers.get('content-disposition')).toMatch(
      /^attachment; filename="r_sum_ 1.bin"; filename\*=UTF-8''r%C3%A9sum%C3%A9%201.bin$/,
    );
    expect(Buffer.from(await att.arrayBuffer()).equals(bin)).toBe(true);
    expect((await fetch(`${http.url}/api/mail/${id}/attachments/1`)).status).toBe(404);
    expect((await fetch(`${http.url}/api/mail/${id}/attachments/-1`)).status).toBe(400);
    await fetch(`${http.url}/api/mail`, { method: 'DELETE' });
  });
});

describe('/healthz, /metrics and the console page', () => {
  it('reports healthy services, and 503 when a service of the run is down', async () => {
    const health = await fetch(`${http.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      services: [{ protocol: 'http', healthy: true, urls: [http.url] }],
    });
    const down: Service = {
      protocol: 'smtp',
      port: 0,
      start: async () => {},
      urls: () => [],
      openConnections: () => 0,
      healthy: () => false,
      close: async () => {},
    };
    const withPeer = await startHttp({}, [down]);
    try {
      const res = await fetch(`${withPeer.url}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'not healthy: smtp', status: 'unhealthy' });
    } finally {
      await withPeer.close();
    }
  });

  it('exposes Prometheus counters per protocol', async () => {
    await (await fetch(`${http.url}/nope`)).text();
    const res = await fetch(`${http.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toMatch(/^# TYPE minisuite_exchanges_total counter$/m);
    expect(text).toMatch(/^minisuite_exchanges_total\{protocol="http",side="server"\} [1-9]\d*$/m);
    expect(text).toMatch(/^minisuite_errors_total\{protocol="http",side="server"\} [1-9]\d*$/m);
    expect(text).toMatch(/^minisuite_bytes_total\{protocol="http",side="server",direction="out"\} [1-9]\d*$/m);
    expect(text).toMatch(/^minisuite_open_connections\{protocol="http"\} [1-9]\d*$/m);
    // Every sample line is name{labels} value.
    for (const line of text.trim().split('\n'))
      if (!line.startsWith('#')) expect(line).toMatch(/^minisuite_[a-z_]+\{[^}]*\} [0-9.]+$/);
  });

  it('serves the console page and its assets from the package, with a strict CSP and ETags', async () => {
    const res = await fetch(`${http.url}/`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'/);
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/console/app.js"></script>');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//i);
    const js = await fetch(`${http.url}/console/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const etag = js.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect((await fetch(`${http.url}/console/app.js`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    for (const bad of ['/console/nope.js', '/console/..%2Fconsole.ts', '/console/index.html'])
      expect((await fetch(`${http.url}${bad}`)).status).toBe(404);
    const icon = await fetch(`${http.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
  });
});
