/**
 * Test endpoints in the spirit of httpbin.org: `/echo`, `/status/:code`, `/delay/:ms`, `/headers`,
 * `/ip`, `/bytes/:n`. Every size and time is bounded.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { MAX_DELAY_MS, MAX_RANDOM_BYTES } from './limits.js';
import { HttpError, readBody, reasonPhrase, sendJson } from './replies.js';
import type { RequestContext } from './request-context.js';
import { ANY, type Router } from './router.js';

export interface HttpbinOptions {
  /** Longest `/delay/:ms`; default {@link MAX_DELAY_MS}. */
  readonly maxDelayMs?: number;
  /** Largest `/bytes/:n`; default {@link MAX_RANDOM_BYTES}. */
  readonly maxRandomBytes?: number;
}

/** A non-negative integer path parameter no larger than `max`, else 400. */
function boundedInt(text: string | undefined, name: string, max: number): number {
  if (text === undefined || !/^\d{1,10}$/.test(text))
    throw new HttpError(400, `${name} must be a non-negative integer`);
  const n = Number(text);
  if (n > max) throw new HttpError(400, `${name} must be at most ${max}`);
  return n;
}

function headersOf(ctx: RequestContext): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = ctx.req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}

export function registerHttpbinRoutes(router: Router, options: HttpbinOptions = {}): void {
  const maxDelayMs = options.maxDelayMs ?? MAX_DELAY_MS;
  const maxRandomBytes = options.maxRandomBytes ?? MAX_RANDOM_BYTES;

  router.on(ANY, '/echo', async (ctx) => {
    const body = await readBody(ctx.req, ctx.maxBodyBytes);
    const text = body.toString('utf8');
    // Bodies that are not UTF-8 come back base64-encoded so nothing is lost.
    const isText = Buffer.from(text, 'utf8').equals(body);
    sendJson(ctx.res, 200, {
      method: ctx.req.method,
      url: ctx.req.url,
      path: ctx.path,
      query: Object.fromEntries(ctx.query),
      headers: headersOf(ctx),
      ip: ctx.remoteAddress,
      bodyLength: body.length,
      ...(isText ? { body: text } : { bodyBase64: body.toString('base64') }),
    });
  });

  router.on(ANY, '/status/:code', (ctx, params) => {
    const code = Number(params['code']);
    if (!/^\d{3}$/.test(params['code'] ?? '') || code < 200 || code > 599)
      throw new HttpError(400, 'code must be a status from 200 to 599');
    // RFC 9110 §6.4.1: 204 and 304 have no content.
    if (code === 204 || code === 304) {
      ctx.res.writeHead(code);
      ctx.res.end();
      return;
    }
    sendJson(ctx.res, code, { status: code, reason: reasonPhrase(code) });
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

  router.on('GET', '/headers', (ctx) => sendJson(ctx.res, 200, { headers: headersOf(ctx) }));

  router.on('GET', '/ip', (ctx) => sendJson(ctx.res, 200, { ip: ctx.remoteAddress }));

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
