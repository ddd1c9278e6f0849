/**
 * `/api/mail...`: the SMTP mail store over HTTP (SPEC.md). Ids are checked by the store itself
 * (Maildir file names only), so no path can be reached through them.
 * @module
 */

import { HttpError, sendJson } from '../../protocols/http/replies.js';
import type { Router } from '../../protocols/http/router.js';
import type { MailStore } from '../../protocols/smtp/mail-store.js';

export function registerMailRoutes(router: Router, store: MailStore): void {
  router.on('GET', '/api/mail', async (ctx) => {
    sendJson(ctx.res, 200, await store.list());
  });
  router.on('DELETE', '/api/mail', async (ctx) => {
    sendJson(ctx.res, 200, { deleted: await store.clear() });
  });
  router.on('GET', '/api/mail/:id', async (ctx, params) => {
    const mail = await store.get(params['id'] ?? '');
    if (!mail) throw new HttpError(404, 'no such message');
    sendJson(ctx.res, 200, mail);
  });
  router.on('DELETE', '/api/mail/:id', async (ctx, params) => {
    if (!(await store.delete(params['id'] ?? ''))) throw new HttpError(404, 'no such message');
    ctx.res.writeHead(204);
    ctx.res.end();
  });
  router.on('GET', '/api/mail/:id/raw', async (ctx, params) => {
    const raw = await store.raw(params['id'] ?? '');
    if (!raw) throw new HttpError(404, 'no such message');
    ctx.res.writeHead(200, { 'Content-Type': 'message/rfc822', 'Content-Length': raw.length });
    ctx.res.end(raw);
  });
}
