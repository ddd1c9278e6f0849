/**
 * DNS over HTTPS (RFC 8484) at `/dns-query` on the HTTPS port: the suite wires an HTTP route to
 * the DNS server's answering, so neither protocol imports the other. GET carries the message
 * base64url-encoded in `?dns=` (§4.1), POST as the body (§4.1); both answer
 * `application/dns-message` (§6). Plain HTTP is refused: RFC 8484 §5 is HTTPS only.
 * @module
 */
import type { DnsService } from '../protocols/dns/service.js';
import { readBody, sendError } from '../protocols/http/replies.js';
import type { RequestContext } from '../protocols/http/request-context.js';
import type { Router } from '../protocols/http/router.js';

/** The path RFC 8484 §3 suggests, which clients (`kdig +https`, `dig +https`) use by default. */
export const DOH_PATH = '/dns-query';
/** RFC 8484 §6. */
export const DNS_MESSAGE = 'application/dns-message';
/** A DNS message over TCP or TLS is at most 65,535 bytes (RFC 1035 §4.2.2); so is one over HTTPS. */
export const MAX_DOH_MESSAGE = 65_535;

/** Registers `/dns-query` on `router`, answered by `dns` (which may start after the route exists). */
export function registerDohRoute(router: Router, dns: DnsService): void {
  router.on(['GET', 'POST'], DOH_PATH, async (ctx) => {
    if (!ctx.secure) return sendError(ctx.res, 404, 'DNS over HTTPS is served on the HTTPS port (start with --tls)');
    const query = await queryOf(ctx);
    if (typeof query === 'string') return;
    const answer = dns.answer(query, ctx.peer, ctx.session);
    if (!answer) return sendError(ctx.res, 400, 'not a DNS query');
    ctx.res.writeHead(200, {
      'Content-Type': DNS_MESSAGE,
      'Content-Length': answer.length,
      // RFC 8484 §5.1: freshness no longer than the smallest TTL; a test suite's answers change.
      'Cache-Control': 'no-store',
    });
    ctx.res.end(answer);
  });
}

/** The DNS message of a request, or the text of the error already sent. */
async function queryOf(ctx: RequestContext): Promise<Buffer | string> {
  const { req, res } = ctx;
  if (req.method === 'GET') {
    const param = ctx.query.get('dns');
    if (param === null) return fail(ctx, 400, "missing the 'dns' parameter (RFC 8484 §4.1)");
    // RFC 8484 §4.1: base64url without padding; padding is tolerated.
    if (!/^[A-Za-z0-9_-]*={0,2}$/.test(param)) return fail(ctx, 400, "'dns' is not base64url");
    const message = Buffer.from(param, 'base64url');
    if (message.length === 0 || message.length > MAX_DOH_MESSAGE) return fail(ctx, 400, "'dns' holds no DNS message");
    return message;
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== DNS_MESSAGE) {
    res.setHeader('Accept', DNS_MESSAGE);
    return fail(ctx, 415, `the body must be ${DNS_MESSAGE} (RFC 8484 §4.1)`);
  }
  const body = await readBody(req, MAX_DOH_MESSAGE);
  if (body.length === 0) return fail(ctx, 400, 'empty body');
  return body;
}

function fail(ctx: RequestContext, status: number, message: string): string {
  sendError(ctx.res, status, message);
  return message;
}
