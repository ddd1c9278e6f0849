/**
 * The httpbin routes' own behaviour beyond what the differential test against python-httpbin
 * covers: go-httpbin's routes it lacks (`/json`, `/sse`), the open-redirect guard, every bound
 * answered with a JSON 400, reproducible seeds, the weighted status draw, the shipped images.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickStatus } from '../../protocols/http/httpbin.js';
import { safeRedirectTarget } from '../../protocols/http/httpbin-redirects.js';
import { parseRange } from '../../protocols/http/httpbin-streams.js';
import { startHttp, type TestHttp } from './helpers.js';

let http: TestHttp;
beforeAll(async () => {
  http = await startHttp({ maxDelayMs: 2_000 });
});
afterAll(() => http.close());

describe('httpbin routes', () => {
  it('/json is the sample slideshow, /xml and /html parse as their types', async () => {
    const json = (await (await fetch(`${http.url}/json`)).json()) as { slideshow: { slides: unknown[] } };
    expect(json.slideshow.slides).toHaveLength(2);
    const xml = await fetch(`${http.url}/xml`);
    expect(xml.headers.get('content-type')).toBe('application/xml');
    expect(await xml.text()).toContain('<slideshow');
    expect(await (await fetch(`${http.url}/html`)).text()).toMatch(/^<!DOCTYPE html>/);
  });

  it('/sse sends count ping events, each with its id', async () => {
    const res = await fetch(`${http.url}/sse?count=3&duration=30ms`);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = (await res.text()).trim().split('\n\n');
    expect(events).toHaveLength(3);
    events.forEach((e, i) => {
      expect(e).toContain(`id: ${i}\nevent: ping\ndata: {"id":${i},"timestamp":`);
    });
  });

  it('/redirect-to only sends clients to relative URLs or this server', async () => {
    const own = new URL(http.url).host;
    for (const bad of [
      'http://evil.test/',
      '//evil.test/x',
      '/\\evil.test',
      '\\\\evil.test',
      'javascript:alert(1)',
      `http://${own}.evil.test/`,
      'https://127.0.0.1:1/',
    ]) {
      const res = await fetch(`${http.url}/redirect-to?url=${encodeURIComponent(bad)}`, { redirect: 'manual' });
      expect(res.status, bad).toBe(403);
      expect(((await res.json()) as { error: string }).error).toMatch(/no open redirect/);
    }
    const ok = await fetch(`${http.url}/redirect-to?url=${encodeURIComponent(`${http.url}/get`)}`, {
      redirect: 'manual',
    });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe(`${http.url}/get`);
    expect(safeRedirectTarget('get?a=1', own)).toBe(true);
    const badCode = await fetch(`${http.url}/redirect-to?url=/get&status_code=200`, { redirect: 'manual' });
    expect(badCode.status).toBe(400);
  });

  it('a redirect chain is followed to /get by a real client', async () => {
    const res = await fetch(`${http.url}/redirect/4`);
    expect(res.url).toBe(`${http.url}/get`);
    expect(res.status).toBe(200);
  });

  it('answers every bound with a JSON 400 that names the parameter', async () => {
    for (const [target, field] of [
      ['/redirect/101', 'n'],
      ['/stream/101', 'n'],
      ['/links/201/0', 'n'],
      ['/range/102401', 'n'],
      ['/drip?duration=3', 'duration'],
      ['/drip?numbytes=0', 'numbytes'],
      ['/sse?count=1001', 'count'],
      ['/sse?duration=1s&delay=1.5', 'duration'],
      ['/stream-bytes/99999999999', 'n'],
      ['/status/200,abc', 'code'],
      ['/base64/%25%25', 'base64'],
      ['/response-headers?Content-Length=1', 'Content-Length'],
      ['/response-headers?Transfer-Encoding=chunked', 'Transfer-Encoding'],
      ['/cookies/set?a=b%3Bc', 'cookie'],
    ] as const) {
      const res = await fetch(`${http.url}${target}`, { redirect: 'manual' });
      expect(res.status, target).toBe(400);
      expect(res.headers.get('content-type'), target).toBe('application/json; charset=utf-8');
      expect(((await res.json()) as { error: string }).error, target).toContain(field);
    }
  });

  it('/stream-bytes with a seed gives the same bytes every time, without one different bytes', async () => {
    const get = async (q: string) => Buffer.from(await (await fetch(`${http.url}/stream-bytes/512${q}`)).arrayBuffer());
    const [a, b, c] = [await get('?seed=7&chunk_size=100'), await get('?seed=7'), await get('?seed=8')];
    expect(a.length).toBe(512);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('/drip spreads numbytes over the duration and answers the asked code', async () => {
    const res = await fetch(`${http.url}/drip?numbytes=40&duration=100ms&code=203`);
    expect(res.status).toBe(203);
    expect(await res.text()).toBe('*'.repeat(40));
  });

  it('/status draws from a weighted list: a weight of 0 is never drawn', async () => {
    expect(pickStatus('200:0,500:1', () => 0)).toBe(500);
    expect(pickStatus('200:3,500:1', () => 0.74)).toBe(200);
    expect(pickStatus('200:3,500:1', () => 0.76)).toBe(500);
    const seen = new Set<number>();
    for (let i = 0; i < 20; i++) seen.add((await fetch(`${http.url}/status/201:0,202:1`)).status);
    expect([...seen]).toEqual([202]);
  });

  it('/range answers suffix and open ranges, 416 beyond the end', () => {
    expect(parseRange('bytes=5-9', 30)).toEqual([5, 9]);
    expect(parseRange('bytes=25-', 30)).toEqual([25, 29]);
    expect(parseRange('bytes=-100', 30)).toEqual([0, 29]);
    expect(parseRange('bytes=30-', 30)).toBeNull();
    expect(parseRange('items=1-2', 30)).toBeUndefined();
  });

  it('/image/* are real images of their types', async () => {
    const magic: Record<string, (b: Buffer) => boolean> = {
      png: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
      jpeg: (b) => b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9,
      webp: (b) => b.subarray(0, 4).toString() === 'RIFF' && b.subarray(8, 12).toString() === 'WEBP',
      svg: (b) => b.toString().startsWith('<svg'),
    };
    for (const [kind, check] of Object.entries(magic)) {
      const res = await fetch(`${http.url}/image/${kind}`);
      expect(res.headers.get('content-type')).toMatch(/^image\//);
      expect(check(Buffer.from(await res.arrayBuffer())), kind).toBe(true);
    }
    expect((await fetch(`${http.url}/image/gif`)).status).toBe(404);
  });

  it('/bearer and /basic-auth accept the right credentials only', async () => {
    const auth = (u: string, p: string) => ({ Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
    expect((await fetch(`${http.url}/basic-auth/u/p`, { headers: auth('u', 'p') })).status).toBe(200);
    expect((await fetch(`${http.url}/basic-auth/u/p`, { headers: auth('u', 'px') })).status).toBe(401);
    expect((await fetch(`${http.url}/hidden-basic-auth/u/p`, { headers: auth('x', 'p') })).status).toBe(404);
    const bearer = await fetch(`${http.url}/bearer`, { headers: { Authorization: 'Bearer abc' } });
    expect(await bearer.json()).toEqual({ authenticated: true, token: 'abc' });
    expect((await fetch(`${http.url}/bearer`, { headers: { Authorization: 'Basic abc' } })).status).toBe(401);
  });
});
