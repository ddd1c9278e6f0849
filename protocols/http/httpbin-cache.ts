/**
 * httpbin's caching routes: `/cache` (304 to any conditional request), `/cache/:n`
 * (`Cache-Control: public, max-age=n`) and `/etag/:etag` (If-None-Match → 304, a failed If-Match
 * → 412, RFC 9110 §13.1).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { boundedInt, describeRequest } from './httpbin-request.js';
import { HttpError, sendJson } from './replies.js';
import type { RequestContext } from './request-context.js';
import type { Router } from './router.js';

/** The entity tags of an If-Match / If-None-Match list, without quotes or `W/` (weak comparison). */
export function entityTags(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((t) =>
      t
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .filter((t) => t !== '');
}

function empty(ctx: RequestContext, status: number, headers: Record<string, string> = {}): void {
  ctx.res.writeHead(status, headers);
  ctx.res.end();
}

export function registerCacheRoutes(router: Router): void {
  router.on('GET', '/cache', (ctx) => {
    const h = ctx.req.headers;
    if (h['if-modified-since'] || h['if-none-match']) {
      empty(ctx, 304);
      return;
    }
    sendJson(ctx.res, 200, describeRequest(ctx), {
      'Last-Modified': new Date().toUTCString(),
      ETag: `"${randomUUID().replace(/-/g, '')}"`,
    });
  });

  router.on('GET', '/cache/:n', (ctx, params) => {
    const seconds = boundedInt(params['n'], 'n', 2 ** 31 - 1);
    sendJson(ctx.res, 200, describeRequest(ctx), { 'Cache-Control': `public, max-age=${seconds}` });
  });

  router.on('GET', '/etag/:etag', (ctx, params) => {
    const etag = params['etag'] ?? '';
    // RFC 9110 §8.8.3: etagc is %x21 / %x23-7E / obs-text; anything else is left out of the field.
    const tag = `"${etag.replace(/[^\x21\x23-\x7e\x80-\xff]/g, '')}"`;
    const noneMatch = entityTags(ctx.req.headers['if-none-match']);
    const match = entityTags(ctx.req.headers['if-match']);
    if (noneMatch.length > 0) {
      if (noneMatch.includes(etag) || noneMatch.includes('*')) {
        empty(ctx, 304, { ETag: tag });
        return;
      }
    } else if (match.length > 0 && !match.includes(etag) && !match.includes('*')) {
      throw new HttpError(412, `If-Match does not name the entity tag ${tag}`);
    }
    sendJson(ctx.res, 200, describeRequest(ctx), { ETag: tag });
  });
}
