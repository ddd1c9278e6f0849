/**
 * Test endpoints in the spirit of httpbin (go-httpbin's behaviour as the reference, httpbin.org's
 * JSON shapes): SPEC's `/echo`, `/status/:codes`, `/delay/:ms`, `/headers`, `/ip`, `/bytes/:n` here,
 * the rest by concern in `httpbin-*.ts`. Every size, count and time is bounded; errors are JSON.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { registerAuthRoutes } from './httpbin-auth.js';
import { registerCacheRoutes } from './httpbin-cache.js';
import { registerContentRoutes } from './httpbin-content.js';
import {
  MAX_DRIP_TICKS,
  MAX_LINKS,
  MAX_RANGE_BYTES,
  MAX_REDIRECTS,
  MAX_SSE_EVENTS,
  MAX_STATUS_CHOICES,
  MAX_STREAM_LINES,
} from './httpbin-limits.js';
import { registerMethodRoutes } from './httpbin-methods.js';
import { registerRedirectRoutes } from './httpbin-redirects.js';
import { boundedInt, origin, requestHeaders } from './httpbin-request.js';
import { registerStreamRoutes } from './httpbin-streams.js';
import { MAX_DELAY_MS, MAX_RANDOM_BYTES } from './limits.js';
import { HttpError, reasonPhrase, sendJson } from './replies.js';
import { ANY, type Router } from './router.js';

export interface HttpbinOptions {
  /** Longest `/delay/:ms`, `/drip` and `/sse` duration; default {@link MAX_DELAY_MS}. */
  readonly maxDelayMs?: number;
  /** Largest `/bytes/:n`, `/stream-bytes/:n` and `/drip`; default {@link MAX_RANDOM_BYTES}. */
  readonly maxRandomBytes?: number;
  /** Longest redirect chain; default {@link MAX_REDIRECTS}. */
  readonly maxRedirects?: number;
  /** Most `/stream/:n` lines; default {@link MAX_STREAM_LINES}. */
  readonly maxStreamLines?: number;
  /** Most links of a `/links/:n` page; default {@link MAX_LINKS}. */
  readonly maxLinks?: number;
  /** Largest `/range/:n`; default {@link MAX_RANGE_BYTES}. */
  readonly maxRangeBytes?: number;
  /** Most `/sse` events; default {@link MAX_SSE_EVENTS}. */
  readonly maxSseEvents?: number;
}

/** A status httpbin answers with a fixed extra header (RFC 9110 §15.4, §11.6.1). */
function statusHeaders(code: number): Record<string, string> {
  if ([301, 302, 303, 305, 307, 308].includes(code)) return { Location: '/redirect/1' };
  if (code === 401) return { 'WWW-Authenticate': 'Basic realm="Fake Realm"' };
  return {};
}

/**
 * `/status/:codes`: one code, or a weighted list ("200:0.9,500:0.1"; a code without a weight
 * weighs 1) from which one is drawn at random. Codes 200-599.
 */
export function pickStatus(text: string, random: () => number = Math.random): number {
  const choices: [number, number][] = [];
  const parts = text.split(',');
  if (parts.length > MAX_STATUS_CHOICES) throw new HttpError(400, `at most ${MAX_STATUS_CHOICES} status choices`);
  for (const part of parts) {
    const m = /^(\d{3})(?::(\d{1,6}(?:\.\d{1,6})?))?$/.exec(part.trim());
    const code = Number(m?.[1]);
    if (!m || code < 200 || code > 599) throw new HttpError(400, 'code must be a status from 200 to 599');
    choices.push([code, m[2] === undefined ? 1 : Number(m[2])]);
  }
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  if (total <= 0) throw new HttpError(400, 'the weights must not all be 0');
  let r = random() * total;
  for (const [code, weight] of choices) {
    r -= weight;
    if (r < 0) return code;
  }
  return (choices[choices.length - 1] as [number, number])[0];
}

export function registerHttpbinRoutes(router: Router, options: HttpbinOptions = {}): void {
  const maxDelayMs = options.maxDelayMs ?? MAX_DELAY_MS;
  const maxRandomBytes = options.maxRandomBytes ?? MAX_RANDOM_BYTES;
  registerMethodRoutes(router);
  registerRedirectRoutes(router, { maxRedirects: options.maxRedirects ?? MAX_REDIRECTS });
  registerAuthRoutes(router);
  registerContentRoutes(router, { maxLinks: options.maxLinks ?? MAX_LINKS });
  registerCacheRoutes(router);
  registerStreamRoutes(router, {
    maxDelayMs,
    maxRandomBytes,
    maxStreamLines: options.maxStreamLines ?? MAX_STREAM_LINES,
    maxRangeBytes: options.maxRangeBytes ?? MAX_RANGE_BYTES,
    maxSseEvents: options.maxSseEvents ?? MAX_SSE_EVENTS,
    maxDripTicks: MAX_DRIP_TICKS,
  });

  router.on(ANY, '/echo', async (ctx) => {
    const body = await ctx.readBody();
    const text = body.toString('utf8');
    // Bodies that are not UTF-8 come back base64-encoded so nothing is lost.
    const isText = Buffer.from(text, 'utf8').equals(body);
    sendJson(ctx.res, 200, {
      method: ctx.req.method,
      url: ctx.req.url,
      path: ctx.path,
      query: Object.fromEntries(ctx.query),
      headers: requestHeaders(ctx, (name) => name.toLowerCase()),
      ip: ctx.remoteAddress,
      bodyLength: body.length,
      ...(isText ? { body: text } : { bodyBase64: body.toString('base64') }),
    });
  });

  router.on(ANY, '/status/:codes', (ctx, params) => {
    const code = pickStatus(params['codes'] ?? '');
    // RFC 9110 §6.4.1: 204 and 304 have no content.
    if (code === 204 || code === 304) {
      ctx.res.writeHead(code);
      ctx.res.end();
      return;
    }
    sendJson(ctx.res, code, { status: code, reason: reasonPhrase(code) }, statusHeaders(code));
  });

  router.on(['GET', 'POST'], '/delay/:ms', async (ctx, params) => {
    const ms = boundedInt(params['ms'], 'ms', maxDelayMs);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      ctx.res.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (!ctx.res.destroyed) sendJson(ctx.res, 200, { delayedMs: ms });
  });

  router.on('GET', '/headers', (ctx) => sendJson(ctx.res, 200, { headers: requestHeaders(ctx) }));

  // `ip` is minisuite's own field; `origin` is httpbin's (a proxy's X-Forwarded-For first).
  router.on('GET', '/ip', (ctx) => sendJson(ctx.res, 200, { ip: ctx.remoteAddress, origin: origin(ctx) }));

  router.on('GET', '/bytes/:n', (ctx, params) => {
    const n = boundedInt(params['n'], 'n', maxRandomBytes);
    const { res } = ctx;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': n });
    if (ctx.req.method === 'HEAD') {
      res.end();
      return;
    }
    // Written in chunks with backpressure so a large n never sits in memory at once.
    let left = n;
    const pump = () => {
      while (left > 0) {
        const size = Math.min(left, 64 * 1024);
        left -= size;
        if (!res.write(randomBytes(size))) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
  });
}
