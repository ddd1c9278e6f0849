/**
 * `GET /api/requests?method=&path=&stub=&limit=` (SPEC.md): the recorded requests, newest first,
 * `{ id, time, method, target, headers, body, ... }` (bodies cut at the log's bound).
 * `DELETE /api/requests` forgets them.
 * @module
 */

import { HttpError, sendJson } from '../../protocols/http/replies.js';
import type { RequestLog } from '../../protocols/http/request-log.js';
import type { Router } from '../../protocols/http/router.js';
import { DEFAULT_EXCHANGE_LIMIT } from './limits.js';

export function registerRequestRoutes(router: Router, requests: RequestLog): void {
  router.on('GET', '/api/requests', (ctx) => {
    const q = ctx.query;
    const limitText = q.get('limit');
    if (limitText !== null && (!/^\d{1,9}$/.test(limitText) || Number(limitText) < 1))
      throw new HttpError(400, 'limit must be a positive integer');
    const path = q.get('path') || undefined;
    if (path !== undefined && !path.startsWith('/')) throw new HttpError(400, 'path must start with /');
    const list = requests.list({
      ...(q.get('method') ? { method: q.get('method') as string } : {}),
      ...(path !== undefined ? { path } : {}),
      ...(q.get('stub') ? { stub: q.get('stub') as string } : {}),
      limit: limitText === null ? DEFAULT_EXCHANGE_LIMIT : Number(limitText),
    });
    sendJson(ctx.res, 200, list.reverse());
  });
  router.on('DELETE', '/api/requests', (ctx) => {
    requests.clear();
    ctx.res.writeHead(204);
    ctx.res.end();
  });
}
