/**
 * Differential test of the httpbin routes: the same request goes to minisuite and to Debian's
 * `python3-httpbin` (started here on a free loopback port); status, the headers that carry the
 * route's meaning and the JSON bodies must agree. Normalised, because they legitimately differ:
 * the host:port each was reached at, header-name case inside JSON (RFC 9110 §5.1: names are
 * case-insensitive), media-type parameters (`; charset=utf-8`), and the quotes around entity tags
 * (python-httpbin sends them bare, which RFC 9110 §8.8.3 does not allow; go-httpbin quotes them).
 * Images are our own (only their media types are compared; their bytes are checked in
 * test/http/httpbin.test.ts). `/delay` is left out: SPEC makes it milliseconds, httpbin seconds.
 */
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Suite, startSuite } from '../../suite/start-suite.js';
import { type RawResponse, type Reference, rawRequest, startReferenceHttpbin } from '../helpers/httpbin-reference.js';

interface Case {
  readonly target: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Compare the body as JSON (default when the reference answers JSON), as bytes, or as JSON lines. */
  readonly body_as?: 'json' | 'bytes' | 'lines' | 'length' | 'none';
  /** Response headers whose values must agree. */
  readonly same?: readonly string[];
  /** JSON fields to compare (default all). */
  readonly fields?: readonly string[];
  readonly decode?: 'gzip' | 'deflate' | 'br';
  /** false: the media types differ by design (minisuite's `/status` answers JSON, httpbin empty HTML). */
  readonly media?: false;
}

const UA = { 'User-Agent': 'minisuite-diff/1', Accept: '*/*' };
const BASIC = { ...UA, Authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}` };
const boundary = 'diffboundary42';
const multipart = [
  `--${boundary}`,
  'Content-Disposition: form-data; name="field"',
  '',
  'value',
  `--${boundary}`,
  'Content-Disposition: form-data; name="upload"; filename="a.txt"',
  'Content-Type: text/plain',
  '',
  'file text',
  `--${boundary}--`,
  '',
].join('\r\n');

const CASES: readonly Case[] = [
  { target: '/get?a=1&b=2&b=3' },
  { target: '/anything/x/y?q=1' },
  { target: '/anything', method: 'POST', headers: { ...UA, 'Content-Type': 'application/json' }, body: '{"k":[1,2]}' },
  { target: '/anything', method: 'PUT', headers: { ...UA, 'Content-Type': 'text/plain' }, body: 'plain text' },
  {
    target: '/post',
    method: 'POST',
    headers: { ...UA, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'a=1&b=2&b=3',
  },
  {
    target: '/post',
    method: 'POST',
    headers: { ...UA, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
    body: multipart,
  },
  { target: '/put', method: 'PUT', headers: { ...UA, 'Content-Type': 'application/json' }, body: '{"x":true}' },
  { target: '/patch', method: 'PATCH', headers: { ...UA, 'Content-Type': 'application/json' }, body: '[1,"two"]' },
  { target: '/delete?id=7', method: 'DELETE' },
  { target: '/get', method: 'POST', body_as: 'none', same: ['allow'] },
  { target: '/headers', headers: { ...UA, 'X-Custom': 'one' } },
  { target: '/ip', fields: ['origin'] },
  { target: '/user-agent' },
  { target: '/uuid', fields: [] },
  { target: '/redirect/3', body_as: 'none', same: ['location'] },
  { target: '/redirect/1', body_as: 'none', same: ['location'] },
  { target: '/redirect/2?absolute=true', body_as: 'none', same: ['location'] },
  { target: '/relative-redirect/3', body_as: 'none', same: ['location'] },
  { target: '/relative-redirect/1', body_as: 'none', same: ['location'] },
  { target: '/absolute-redirect/2', body_as: 'none', same: ['location'] },
  { target: '/redirect-to?url=/get&status_code=307', body_as: 'none', same: ['location'] },
  { target: '/redirect-to?url=%2Fanything%3Fa%3D1', method: 'POST', body_as: 'none', same: ['location'] },
  { target: '/cookies', headers: { ...UA, Cookie: 'a=1; b=two' } },
  { target: '/cookies/set?x=1&y=2', body_as: 'none', same: ['location', 'set-cookie'] },
  { target: '/cookies/set/name/value', body_as: 'none', same: ['location', 'set-cookie'] },
  { target: '/cookies/delete?x', body_as: 'none', same: ['location', 'set-cookie'] },
  { target: '/basic-auth/alice/s3cret', headers: BASIC },
  { target: '/basic-auth/alice/other', headers: BASIC, body_as: 'none', same: ['www-authenticate'] },
  { target: '/basic-auth/alice/s3cret', body_as: 'none', same: ['www-authenticate'] },
  { target: '/hidden-basic-auth/alice/s3cret', headers: BASIC },
  { target: '/hidden-basic-auth/alice/nope', headers: BASIC, body_as: 'none' },
  { target: '/bearer', headers: { ...UA, Authorization: 'Bearer tok.en-123' } },
  { target: '/bearer', body_as: 'none', same: ['www-authenticate'] },
  { target: '/gzip', headers: { ...UA, 'Accept-Encoding': 'gzip' }, decode: 'gzip', same: ['content-encoding'] },
  {
    target: '/deflate',
    headers: { ...UA, 'Accept-Encoding': 'deflate' },
    decode: 'deflate',
    same: ['content-encoding'],
  },
  { target: '/brotli', headers: { ...UA, 'Accept-Encoding': 'br' }, decode: 'br', same: ['content-encoding'] },
  { target: '/stream/3?s=1', body_as: 'lines' },
  { target: '/stream-bytes/300?chunk_size=64', body_as: 'length' },
  { target: '/bytes/100', body_as: 'length' },
  { target: '/drip?numbytes=5&duration=0&delay=0', body_as: 'bytes', same: ['content-length'] },
  { target: '/drip?numbytes=3&duration=0&code=202', body_as: 'bytes' },
  { target: '/range/30', body_as: 'bytes', same: ['content-range', 'accept-ranges', 'etag', 'content-length'] },
  {
    target: '/range/30',
    headers: { ...UA, Range: 'bytes=5-9' },
    body_as: 'bytes',
    same: ['content-range', 'content-length'],
  },
  { target: '/range/30', headers: { ...UA, Range: 'bytes=-4' }, body_as: 'bytes', same: ['content-range'] },
  { target: '/range/30', headers: { ...UA, Range: 'bytes=40-' }, body_as: 'none', same: ['content-range'] },
  { target: '/cache' },
  { target: '/cache', headers: { ...UA, 'If-None-Match': '"x"' }, body_as: 'none' },
  { target: '/cache', headers: { ...UA, 'If-Modified-Since': 'Tue, 01 Dec 2026 00:00:00 GMT' }, body_as: 'none' },
  { target: '/cache/60', same: ['cache-control'] },
  { target: '/etag/abc', same: ['etag'] },
  { target: '/etag/abc', headers: { ...UA, 'If-None-Match': '"abc"' }, body_as: 'none', same: ['etag'] },
  { target: '/etag/abc', headers: { ...UA, 'If-None-Match': '"zzz"' }, same: ['etag'] },
  { target: '/etag/abc', headers: { ...UA, 'If-Match': '"zzz"' }, body_as: 'none' },
  { target: '/etag/abc', headers: { ...UA, 'If-Match': '"abc"' }, same: ['etag'] },
  { target: '/response-headers?X-Test=1&X-Other=b', same: ['x-test', 'x-other'], fields: ['X-Test', 'X-Other'] },
  { target: '/base64/aGVsbG8gbWluaXN1aXRl', body_as: 'bytes' },
  { target: '/links/5/2', body_as: 'bytes' },
  { target: '/links/4', body_as: 'none', same: ['location'] },
  { target: '/image/png', body_as: 'none' },
  { target: '/image/jpeg', body_as: 'none' },
  { target: '/image/webp', body_as: 'none' },
  { target: '/image/svg', body_as: 'none' },
  { target: '/image', headers: { ...UA, Accept: 'image/webp' }, body_as: 'none' },
  { target: '/image', headers: { ...UA, Accept: 'text/plain' }, body_as: 'none' },
  { target: '/html', body_as: 'none' },
  { target: '/xml', body_as: 'none' },
  { target: '/robots.txt', body_as: 'bytes' },
  { target: '/status/201', body_as: 'none', media: false },
  { target: '/status/418', body_as: 'none' },
  { target: '/status/204', body_as: 'none' },
  { target: '/status/302', body_as: 'none', same: ['location'] },
  { target: '/status/401', body_as: 'none', same: ['www-authenticate'] },
  { target: '/status/200:0,503:1', method: 'POST', body_as: 'none' },
];

/** The route's JSON with what legitimately differs taken out. */
function normalize(value: unknown, host: string, inHeaders = false): unknown {
  if (typeof value === 'string') return value.split(host).join('HOST');
  if (Array.isArray(value)) return value.map((v) => normalize(v, host));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => [inHeaders ? k.toLowerCase() : k, normalize(v, host, k === 'headers')] as const,
    );
    return Object.fromEntries(entries);
  }
  return value;
}

function headerValue(res: RawResponse, name: string, host: string): string | undefined {
  const raw = res.headers[name];
  if (raw === undefined) return undefined;
  let text = (Array.isArray(raw) ? raw.join('\n') : raw).split(host).join('HOST');
  if (name === 'etag') text = text.replace(/"/g, '');
  if (name === 'allow') text = text.split(/,\s*/).sort().join(', ');
  return text;
}

function decoded(res: RawResponse, how: Case['decode']): Buffer {
  if (how === 'gzip') return zlib.gunzipSync(res.body);
  if (how === 'deflate') return zlib.inflateSync(res.body);
  if (how === 'br') return zlib.brotliDecompressSync(res.body);
  return res.body;
}

function mediaType(res: RawResponse): string {
  return (res.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function pick(json: unknown, fields: readonly string[] | undefined): unknown {
  if (fields === undefined || json === null || typeof json !== 'object') return json;
  return Object.fromEntries(fields.map((f) => [f, (json as Record<string, unknown>)[f]]));
}

describe('httpbin routes against python-httpbin', () => {
  let suite: Suite;
  let reference: Reference;
  beforeAll(async () => {
    [suite, reference] = await Promise.all([startSuite({ protocols: ['http'] }), startReferenceHttpbin()]);
  });
  afterAll(async () => {
    await Promise.all([suite?.close(), reference?.close()]);
  });

  it.each(CASES.map((c) => [`${c.method ?? 'GET'} ${c.target}${c.headers ? ` ${JSON.stringify(c.headers)}` : ''}`, c]))(
    '%s',
    async (_name, c) => {
      const options = { method: c.method ?? 'GET', headers: c.headers ?? UA, ...(c.body ? { body: c.body } : {}) };
      const [ours, theirs] = await Promise.all([
        rawRequest(suite.http.url, c.target, options),
        rawRequest(reference.url, c.target, options),
      ]);
      const ourHost = new URL(suite.http.url).host;
      const theirHost = new URL(reference.url).host;
      expect(ours.status, 'status').toBe(theirs.status);
      for (const name of c.same ?? [])
        expect(headerValue(ours, name, ourHost), name).toBe(headerValue(theirs, name, theirHost));
      const how = c.body_as ?? 'json';
      if (how !== 'none' && how !== 'length') expect(mediaType(ours), 'media type').toBe(mediaType(theirs));
      if (how === 'none') {
        if (theirs.status < 300 && theirs.status !== 204 && c.media !== false)
          expect(mediaType(ours), 'media type').toBe(mediaType(theirs));
        return;
      }
      const ourBody = decoded(ours, c.decode);
      const theirBody = decoded(theirs, c.decode);
      if (how === 'length') expect(ourBody.length).toBe(theirBody.length);
      else if (how === 'bytes') expect(ourBody.toString('latin1')).toBe(theirBody.toString('latin1'));
      else if (how === 'lines') {
        const lines = (b: Buffer, host: string) =>
          b
            .toString()
            .trim()
            .split('\n')
            .map((l) => normalize(JSON.parse(l), host));
        expect(lines(ourBody, ourHost)).toEqual(lines(theirBody, theirHost));
      } else {
        const mine = normalize(JSON.parse(ourBody.toString()), ourHost);
        const ref = normalize(JSON.parse(theirBody.toString()), theirHost);
        expect(pick(mine, c.fields)).toEqual(pick(ref, c.fields));
        if (c.fields !== undefined) expect(Object.keys(mine as object)).toEqual(expect.arrayContaining([...c.fields]));
      }
    },
  );

  it('/uuid gives a fresh version-4 UUID on each call, as the reference does', async () => {
    const one = JSON.parse((await rawRequest(suite.http.url, '/uuid')).body.toString()) as { uuid: string };
    const two = JSON.parse((await rawRequest(suite.http.url, '/uuid')).body.toString()) as { uuid: string };
    const ref = JSON.parse((await rawRequest(reference.url, '/uuid')).body.toString()) as { uuid: string };
    const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(one.uuid).toMatch(v4);
    expect(ref.uuid).toMatch(v4);
    expect(one.uuid).not.toBe(two.uuid);
  });
});
