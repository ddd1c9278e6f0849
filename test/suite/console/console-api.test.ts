import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../../protocols/dns/client.js';
import { Router } from '../../../protocols/http/router.js';
import type { MailAttachment } from '../../../protocols/smtp/mail-store.js';
import { PREVIEW_CSP, previewHtml } from '../../../suite/console/mail-preview.js';
import { type Suite, startSuite } from '../../../suite/start-suite.js';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ records: ['api.suite.test. 60 IN A 10.1.2.3'] });
});
afterAll(() => suite.close());

function api(path: string, init: RequestInit = {}) {
  return fetch(`${suite.http.url}${path}`, {
    ...init,
    headers: { 'X-Minisuite': '1', 'Content-Type': 'application/json', ...(init.headers ?? {}) },
  });
}

describe('GET /api/status', () => {
  it('lists each service with address, state, uptime, connections, exchanges and errors', async () => {
    await query('nope.suite.test', 'A', { server: `127.0.0.1:${suite.dns.port}` });
    await query('example.com', 'A', { server: `127.0.0.1:${suite.dns.port}` }).catch(() => undefined);
    const body = (await (await api('/api/status')).json()) as {
      services: {
        protocol: string;
        state: string;
        urls: string[];
        uptimeMs: number;
        connections: number;
        exchanges: number;
        errors: number;
      }[];
      tls?: unknown;
    };
    expect(body.services.map((s) => s.protocol).sort()).toEqual(['dns', 'ftp', 'http', 'smtp']);
    const dns = body.services.find((s) => s.protocol === 'dns');
    expect(dns).toMatchObject({
      state: 'up',
      urls: [`udp://127.0.0.1:${suite.dns.port}`, `tcp://127.0.0.1:${suite.dns.port}`],
    });
    expect(dns?.exchanges).toBeGreaterThanOrEqual(2);
    expect(dns?.errors).toBeGreaterThanOrEqual(1); // REFUSED for a zone not served
    expect(dns?.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(body.tls).toBeUndefined();
  });

  it('shows the certificate in use when TLS is on, never its key', async () => {
    const tls = await startSuite({ protocols: ['http', 'smtp'], tls: true });
    try {
      const text = await (await fetch(`${tls.http.url}/api/status`)).text();
      expect(JSON.parse(text).tls).toMatchObject({
        subjectAltName: expect.stringContaining('localhost'),
        fingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
      });
      expect(text).not.toMatch(/PRIVATE KEY/);
    } finally {
      await tls.close();
    }
  });
});

describe('/api/dns', () => {
  it('gives the zones with their records, and the recent queries with their answers', async () => {
    const zones = (await (await api('/api/dns')).json()) as {
      zones: { origin: string; records: { name: string; ttl: number; type: string; data: string }[] }[];
    };
    const zone = zones.zones.find((z) => z.origin === 'suite.test.');
    expect(zone?.records).toEqual(
      expect.arrayContaining([
        { name: 'www.suite.test.', ttl: 60, type: 'A', data: '127.0.0.1' },
        { name: 'api.suite.test.', ttl: 60, type: 'A', data: '10.1.2.3' },
        { name: 'suite.test.', ttl: 60, type: 'MX', data: '10 mail.suite.test.' },
        { name: '_smtp._tcp.suite.test.', ttl: 60, type: 'SRV', data: `0 0 ${suite.smtp.port} mail.suite.test.` },
      ]),
    );
    await query('api.suite.test', 'A', { server: `127.0.0.1:${suite.dns.port}`, tcp: true });
    const queries = (await (await api('/api/dns/queries?limit=5')).json()) as {
      name: string;
      rcode: string;
      transport: string;
      answers: string[];
    }[];
    expect(queries.length).toBeLessThanOrEqual(5);
    expect(queries[0]).toMatchObject({
      name: 'api.suite.test',
      type: 'A',
      rcode: 'NOERROR',
      transport: 'tcp',
      answers: ['api.suite.test. 60 A 10.1.2.3'],
    });
    expect((await api('/api/dns/queries?limit=x')).status).toBe(400);
  });

  it('adds and removes records at run time, with 400s that name the problem', async () => {
    const add = (body: unknown) => api('/api/dns/records', { method: 'POST', body: JSON.stringify(body) });
    const added = await add({ record: 'new.suite.test. 30 IN TXT "hello world"' });
    expect(added.status).toBe(201);
    expect(await added.json()).toEqual({ added: true });
    expect(await (await add({ record: 'new.suite.test. 30 IN TXT "hello world"' })).json()).toEqual({ added: false });
    const answer = await query('new.suite.test', 'TXT', { server: `127.0.0.1:${suite.dns.port}` });
    expect(answer.rcode).toBe('NOERROR');
    const outside = await add({ record: 'x.example. 60 IN A 10.0.0.1' });
    expect(outside.status).toBe(400);
    expect(((await outside.json()) as { error: string }).error).toMatch(/^record: .*in none of the served zones/);
    expect((await add({ record: 42 })).status).toBe(400);
    expect((await api('/api/dns/records', { method: 'POST', body: '{nope' })).status).toBe(400);
    const removeBody = { name: 'new.suite.test', type: 'TXT', data: '"hello world"' };
    const removed = await api('/api/dns/records', { method: 'DELETE', body: JSON.stringify(removeBody) });
    expect(await removed.json()).toEqual({ removed: 1 });
    expect(
      (await api('/api/dns/records', { method: 'DELETE', body: JSON.stringify({ name: 'x', type: 'BOGUS' }) })).status,
    ).toBe(400);
  });
});

describe('GET /api/mail/:id/preview', () => {
  it('sends the HTML with cid: images inlined under a CSP that forbids scripts and remote loads', async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    await nodemailer.createTransport({ host: '127.0.0.1', port: suite.smtp.port }).sendMail({
      from: 'a@example.test',
      to: 'b@example.test',
      subject: 'preview',
      html: '<meta http-equiv="refresh" content="0;url=http://example.test/"><p>hi <img src="cid:pic@x"></p>',
      attachments: [{ filename: 'pic.png', content: png, cid: 'pic@x', contentType: 'image/png' }],
    });
    const mail = await suite.smtp.waitForMessage((m) => m.subject === 'preview');
    const res = await api(`/api/mail/${mail.id}/preview`);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(PREVIEW_CSP);
    const html = await res.text();
    expect(html).toContain(`<img src="data:image/png;base64,${png.toString('base64')}">`);
    expect(html).not.toMatch(/refresh/i);
    await nodemailer
      .createTransport({ host: '127.0.0.1', port: suite.smtp.port })
      .sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 'plain', text: 'no html' });
    const plain = await suite.smtp.waitForMessage((m) => m.subject === 'plain');
    expect((await api(`/api/mail/${plain.id}/preview`)).status).toBe(404);
    expect((await api('/api/mail/not-an-id/preview')).status).toBe(404);
  });

  const part = (contentId: string, contentType = 'image/gif'): MailAttachment => ({
    filename: undefined,
    contentType,
    size: 3,
    contentId,
    inline: true,
    content: Buffer.from('GIF'),
  });
  it.each([
    ['<img src="cid:a@b">', '<img src="data:image/gif;base64,R0lG">'],
    ["<img src='CID:A@B'>", "<img src='data:image/gif;base64,R0lG'>"],
    ['<td style="background:url(cid:a@b)">', '<td style="background:url(data:image/gif;base64,R0lG)">'],
    ['<img src="cid:a%40b">', '<img src="data:image/gif;base64,R0lG">'],
    ['<img src="cid:unknown">', '<img src="cid:unknown">'],
    ['<META HTTP-EQUIV=Refresh CONTENT="0; url=x">ok', 'ok'],
  ])('%s', (html, expected) => {
    expect(previewHtml(html, [part('a@b')])).toBe(expected);
  });
  it('never writes a part type that could break out of the data: URL', () => {
    expect(previewHtml('<img src="cid:a@b">', [part('a@b', 'image/gif"><script>')])).toBe(
      '<img src="data:application/octet-stream;base64,R0lG">',
    );
  });
});

describe('GET /api/console and Router.has', () => {
  it('names only the optional APIs that are mounted', async () => {
    const features = async () => ((await (await api('/api/console')).json()) as { features: string[] }).features;
    const before = await features();
    expect(before.every((f) => ['faults', 'requests'].includes(f))).toBe(true);
    // A feature mounted after the console counts too.
    if (!before.includes('requests'))
      suite.http.router.on('GET', '/api/requests', (ctx) => {
        ctx.res.end('[]');
      });
    expect(await features()).toContain('requests');
    const router = new Router();
    router.on('GET', '/api/faults', () => {});
    router.on('POST', '/api/stubs/:id', () => {});
    router.on('GET', '/files/*', () => {});
    expect(router.has('GET', '/api/faults')).toBe(true);
    expect(router.has('HEAD', '/api/faults')).toBe(true);
    expect(router.has('POST', '/api/faults')).toBe(false);
    expect(router.has('POST', '/api/stubs/7')).toBe(true);
    expect(router.has('GET', '/files/a/b.txt')).toBe(true);
    expect(router.has('GET', '/api/requests')).toBe(false);
  });
});
