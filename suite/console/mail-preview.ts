/**
 * `GET /api/mail/:id/preview`: a message's HTML for the console's preview iframe. The page frames
 * it with an empty `sandbox`; the reply's own Content-Security-Policy repeats that (`sandbox`: no
 * scripts even when opened directly) and blocks every load from elsewhere: images only as `data:`,
 * styles only inline, no fonts, frames or connections. `cid:` references (RFC 2392) become `data:`
 * URLs of the message's own parts, so inline images show without any request leaving the page.
 * @module
 */
import { HttpError } from '../../protocols/http/replies.js';
import type { Router } from '../../protocols/http/router.js';
import type { MailAttachment, MailStore } from '../../protocols/smtp/mail-store.js';

/** The preview's policy. */
export const PREVIEW_CSP = [
  "default-src 'none'",
  'img-src data:',
  "style-src 'unsafe-inline'",
  'font-src data:',
  'sandbox',
  "frame-ancestors 'self'",
].join('; ');

/** Inline parts larger than this stay unresolved (a broken image rather than a huge page). */
export const MAX_INLINE_PART_BYTES = 5 * 1024 * 1024;

/** `<meta http-equiv="refresh">` would navigate the frame to any URL; CSP cannot stop it. */
const META_REFRESH = /<meta\b[^>]*http-equiv\s*=\s*["']?\s*refresh\b[^>]*>/gi;
/** A cid: URL in an attribute or a CSS url(): up to a quote, space, ")" or ">". */
const CID_URL = /cid:([^"'\s)>]+)/gi;

/** The HTML with `cid:` URLs resolved to data: URLs of the parts, and meta refresh removed. */
export function previewHtml(html: string, parts: readonly MailAttachment[]): string {
  const byCid = new Map<string, MailAttachment>();
  for (const part of parts) if (part.contentId) byCid.set(part.contentId.toLowerCase(), part);
  return html.replace(META_REFRESH, '').replace(CID_URL, (whole, ref: string) => {
    let cid = ref;
    try {
      cid = decodeURIComponent(ref);
    } catch {
      // not percent-encoded
    }
    const part = byCid.get(cid.toLowerCase());
    if (!part || part.content.length > MAX_INLINE_PART_BYTES) return whole;
    const type = /^[\w.+-]+\/[\w.+-]+$/.test(part.contentType) ? part.contentType : 'application/octet-stream';
    return `data:${type};base64,${part.content.toString('base64')}`;
  });
}

export function registerMailPreview(router: Router, store: MailStore): void {
  router.on('GET', '/api/mail/:id/preview', async (ctx, params) => {
    const mail = await store.get(params['id'] ?? '');
    if (!mail) throw new HttpError(404, 'no such message');
    if (mail.html === undefined) throw new HttpError(404, 'the message has no HTML part');
    const body = previewHtml(mail.html, mail.attachments);
    ctx.res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Content-Security-Policy': PREVIEW_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    ctx.res.end(body);
  });
}
