/**
 * httpbin's fixed-content and encoding routes: `/json`, `/html`, `/xml`, `/robots.txt`,
 * `/image[/png|jpeg|webp|svg]`, `/base64/:value` (and `/base64/encode|decode/:value`),
 * `/links/:n[/:offset]`, and the compressed `/gzip`, `/deflate`, `/brotli` (RFC 9110 §8.4.1).
 * @module
 */
import zlib from 'node:zlib';
import { IMAGES } from './httpbin-images.js';
import { origin, requestHeaders } from './httpbin-request.js';
import { HttpError, sendJson, sendText } from './replies.js';
import type { RequestContext } from './request-context.js';
import type { Router } from './router.js';

export interface ContentOptions {
  /** Most links on a `/links` page; default {@link MAX_LINKS}. */
  readonly maxLinks: number;
}

/** The sample document of `/json` (the same slideshow httpbin.org and go-httpbin answer with). */
const SAMPLE_JSON = {
  slideshow: {
    author: 'Yours Truly',
    date: 'date of publication',
    slides: [
      { title: 'Wake up to WonderWidgets!', type: 'all' },
      {
        items: ['Why <em>WonderWidgets</em> are great', 'Who <em>buys</em> WonderWidgets'],
        title: 'Overview',
        type: 'all',
      },
    ],
    title: 'Sample Slide Show',
  },
};

const SAMPLE_XML = `<?xml version='1.0' encoding='us-ascii'?>
<!-- A sample document for XML parsers -->
<slideshow title="Sample Slide Show" date="date of publication" author="Yours Truly">
  <slide type="all"><title>Wake up to WonderWidgets!</title></slide>
  <slide type="all">
    <title>Overview</title>
    <item>Why <em>WonderWidgets</em> are great</item>
    <item>Who <em>buys</em> WonderWidgets</item>
  </slide>
</slideshow>
`;

const SAMPLE_HTML = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>minisuite sample page</title></head>
<body>
<h1>A sample page</h1>
<p>This page is served by minisuite's <code>/html</code> route, for HTML parsers and scrapers under test.</p>
<ul><li><a href="/get">/get</a></li><li><a href="/json">/json</a></li><li><a href="/xml">/xml</a></li></ul>
</body>
</html>
`;

/** RFC 9309: crawlers may not fetch /deny. */
const ROBOTS = 'User-agent: *\nDisallow: /deny\n';

/** Base64 (standard or URL-safe, RFC 4648 §4-5), padding optional, else 400. */
function decodeBase64(value: string): Buffer {
  if (!/^[A-Za-z0-9+/\-_]*={0,2}$/.test(value) || value.replace(/=+$/, '').length % 4 === 1)
    throw new HttpError(400, 'value is not valid base64');
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function sendBytes(ctx: RequestContext, type: string, bytes: Buffer, extra: Record<string, string> = {}): void {
  ctx.res.writeHead(200, { ...extra, 'Content-Type': type, 'Content-Length': bytes.length });
  ctx.res.end(bytes);
}

/** `/image` without a kind: the first kind the `Accept` header names, else PNG; none acceptable: 406. */
function negotiateImage(accept: string | undefined): string | undefined {
  if (accept === undefined || accept === '') return 'png';
  const a = accept.toLowerCase();
  for (const [kind, mime] of [
    ['webp', 'image/webp'],
    ['svg', 'image/svg+xml'],
    ['jpeg', 'image/jpeg'],
    ['png', 'image/png'],
  ] as const)
    if (a.includes(mime)) return kind;
  return a.includes('image/*') || a.includes('*/*') ? 'png' : undefined;
}

export function registerContentRoutes(router: Router, options: ContentOptions): void {
  router.on('GET', '/json', (ctx) => sendJson(ctx.res, 200, SAMPLE_JSON));
  router.on('GET', '/xml', (ctx) => sendText(ctx.res, 200, 'application/xml', SAMPLE_XML));
  router.on('GET', '/html', (ctx) => sendText(ctx.res, 200, 'text/html; charset=utf-8', SAMPLE_HTML));
  router.on('GET', '/robots.txt', (ctx) => sendText(ctx.res, 200, 'text/plain; charset=utf-8', ROBOTS));

  router.on('GET', '/image', (ctx) => {
    const kind = negotiateImage(ctx.req.headers.accept);
    const image = kind === undefined ? undefined : IMAGES[kind];
    if (!image) throw new HttpError(406, 'no image type the Accept header allows (png, jpeg, webp, svg)');
    sendBytes(ctx, image.type, image.bytes);
  });
  router.on('GET', '/image/:kind', (ctx, params) => {
    const image = IMAGES[params['kind'] ?? ''];
    if (!image) throw new HttpError(404, 'image kinds: png, jpeg, webp, svg');
    sendBytes(ctx, image.type, image.bytes);
  });

  router.on('GET', '/base64/:value', (ctx, params) =>
    sendBytes(ctx, 'text/html; charset=utf-8', decodeBase64(params['value'] ?? '')),
  );
  router.on('GET', '/base64/decode/:value', (ctx, params) =>
    sendBytes(ctx, 'text/plain; charset=utf-8', decodeBase64(params['value'] ?? '')),
  );
  router.on('GET', '/base64/encode/:value', (ctx, params) =>
    sendBytes(ctx, 'text/plain; charset=utf-8', Buffer.from(Buffer.from(params['value'] ?? '').toString('base64url'))),
  );

  router.on('GET', '/links/:n', (ctx, params) => {
    ctx.res.writeHead(302, { Location: `/links/${params['n']}/0`, 'Content-Length': 0 });
    ctx.res.end();
  });
  router.on('GET', '/links/:n/:offset', (ctx, params) => {
    const n = Number(params['n']);
    const offset = Number(params['offset']);
    if (!/^\d{1,10}$/.test(params['n'] ?? '') || n < 1 || n > options.maxLinks)
      throw new HttpError(400, `n must be from 1 to ${options.maxLinks}`);
    if (!/^\d{1,10}$/.test(params['offset'] ?? '')) throw new HttpError(400, 'offset must be a non-negative integer');
    const parts = ['<html><head><title>Links</title></head><body>'];
    for (let i = 0; i < n; i++) parts.push(i === offset ? `${i} ` : `<a href='/links/${n}/${i}'>${i}</a> `);
    parts.push('</body></html>');
    sendText(ctx.res, 200, 'text/html; charset=utf-8', parts.join(''));
  });

  const encoded = (flag: string, encoding: string, compress: (b: Buffer) => Buffer) => (ctx: RequestContext) => {
    const json = Buffer.from(
      JSON.stringify({ [flag]: true, headers: requestHeaders(ctx), method: ctx.req.method, origin: origin(ctx) }),
    );
    sendBytes(ctx, 'application/json; charset=utf-8', compress(json), { 'Content-Encoding': encoding });
  };
  router.on(
    'GET',
    '/gzip',
    encoded('gzipped', 'gzip', (b) => zlib.gzipSync(b)),
  );
  // RFC 9110 §8.4.1.2: the "deflate" coding is the zlib format (RFC 1950), not raw deflate.
  router.on(
    'GET',
    '/deflate',
    encoded('deflated', 'deflate', (b) => zlib.deflateSync(b)),
  );
  router.on(
    'GET',
    '/brotli',
    encoded('brotli', 'br', (b) => zlib.brotliCompressSync(b)),
  );
}
