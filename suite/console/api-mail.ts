/**
 * `/api/mail...`: the SMTP mail store over HTTP (SPEC.md). Ids are checked by the store itself
 * (Maildir file names only), so no path can be reached through them.
 * @module
 */

import { HttpError, sendJson } from '../../protocols/http/replies.js';
import type { RequestContext } from '../../protocols/http/request-context.js';
import type { Router } from '../../protocols/http/router.js';
import { attachmentInfo } from '../../protocols/smtp/mail-message.js';
import type { MailStore, MailSummary, StoredMail } from '../../protocols/smtp/mail-store.js';

/**
 * List entries that get the parsed fields (fromName, cc, attachments) even when they still need
 * parsing; entries past it get them only when already parsed. Keeps a listing of a large store
 * that was never parsed fast.
 */
export const MAIL_LIST_DETAILED = 500;

/** A list entry: the summary plus what the index knows. */
type ListEntry = MailSummary & { fromName?: string; cc?: string[]; attachments?: number };

async function listEntries(store: MailStore, list: readonly MailSummary[], parse: boolean): Promise<ListEntry[]> {
  const out: ListEntry[] = [];
  for (const [i, summary] of list.entries()) {
    const entry = parse && i < MAIL_LIST_DETAILED ? await store.index.entry(summary.id) : store.index.peek(summary.id);
    out.push(entry ? { ...summary, fromName: entry.fromName, cc: entry.cc, attachments: entry.attachments } : summary);
  }
  return out;
}

function limitParam(ctx: RequestContext): number | undefined {
  const value = ctx.query.get('limit');
  if (value === null || value === '') return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw new HttpError(400, 'limit must be a positive integer');
  return Number(value);
}

/** The message as JSON: attachments as metadata (their content is at /attachments/:n). */
export function mailJson(mail: StoredMail): unknown {
  return { ...mail, attachments: mail.attachments.map(attachmentInfo) };
}

/** `filename*` (RFC 6266 §4.3, RFC 8187) plus an ASCII fallback. */
function contentDisposition(filename: string | undefined, n: number): string {
  const name = filename && filename.trim() !== '' ? filename : `attachment-${n}`;
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function registerMailRoutes(router: Router, store: MailStore): void {
  router.on('GET', '/api/mail', async (ctx) => {
    const q = ctx.query.get('q') ?? '';
    const list = q.trim() === '' ? await store.list() : await store.index.search(q);
    const limit = limitParam(ctx);
    // A plain listing stays as fast as the store's (nothing parsed for it); one with a limit or a
    // query (the console's) parses what it lists, up to MAIL_LIST_DETAILED.
    const parse = limit !== undefined || q.trim() !== '';
    sendJson(ctx.res, 200, await listEntries(store, limit === undefined ? list : list.slice(0, limit), parse));
  });
  router.on('DELETE', '/api/mail', async (ctx) => {
    sendJson(ctx.res, 200, { deleted: await store.clear() });
  });
  router.on('GET', '/api/mail/:id', async (ctx, params) => {
    const mail = await store.get(params['id'] ?? '');
    if (!mail) throw new HttpError(404, 'no such message');
    sendJson(ctx.res, 200, mailJson(mail));
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
  router.on('GET', '/api/mail/:id/attachments/:n', async (ctx, params) => {
    const n = params['n'] ?? '';
    if (!/^\d{1,6}$/.test(n)) throw new HttpError(400, 'attachment number must be a non-negative integer');
    const mail = await store.get(params['id'] ?? '');
    if (!mail) throw new HttpError(404, 'no such message');
    const attachment = mail.attachments[Number(n)];
    if (!attachment) throw new HttpError(404, `message has ${mail.attachments.length} attachment(s)`);
    ctx.res.writeHead(200, {
      // The declared type, never sniffed into something the browser would run (an HTML "attachment").
      'Content-Type': /^[\w.+-]+\/[\w.+-]+$/.test(attachment.contentType)
        ? attachment.contentType
        : 'application/octet-stream',
      'Content-Disposition': contentDisposition(attachment.filename, Number(n)),
      'Content-Length': attachment.content.length,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
    });
    ctx.res.end(attachment.content);
  });
}
