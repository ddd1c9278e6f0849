/**
 * The console's origin guard: a small request handler wrapper the console mounts in front of its
 * routes. Two attacks it stops:
 * - **DNS rebinding**: a page on `evil.example` whose name now resolves to 127.0.0.1 talks to the
 *   console as "same origin". Its requests carry `Host: evil.example:8080`, so console paths
 *   answer only to names no attacker can own: IP literals, single-label names (`localhost`),
 *   reserved `.test` and `.localhost` names, this machine's name, and `allowedHosts`.
 * - **CSRF**: a page elsewhere (or an uploaded file) makes the browser send a state-changing
 *   request. A request that is not GET/HEAD/OPTIONS must not come from another origin (`Origin`,
 *   `Sec-Fetch-Site`), and when it has a body, the body must be JSON or the request must carry
 *   the custom header {@link CSRF_HEADER}: both make a browser ask first (CORS preflight,
 *   Fetch §3.2.3), and this server never grants one. A body-less DELETE cannot be sent
 *   cross-site without that preflight either.
 * @module
 */
import net from 'node:net';
import os from 'node:os';
import { sendError } from './replies.js';
import type { RequestContext, RequestHandler } from './request-context.js';

/** A request carrying this header (any value) was made by a script that passed CORS, or by a non-browser. */
export const CSRF_HEADER = 'x-minisuite';

/** Methods that change nothing (RFC 9110 §9.2.1). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface OriginGuardOptions {
  /** Extra host names (without port) the console answers to; default none. `*.name` allows subdomains. */
  readonly allowedHosts?: readonly string[];
  /** Which request paths are the console's; default {@link isConsolePath}. */
  readonly isGuarded?: (path: string) => boolean;
}

/** The console and the FTP root over HTTP: `/`, `/api/...`, `/healthz`, `/metrics`, `/files/...`. */
export function isConsolePath(path: string): boolean {
  return (
    path === '/' ||
    path.startsWith('/api/') ||
    path === '/api' ||
    path === '/healthz' ||
    path === '/metrics' ||
    path === '/files' ||
    path.startsWith('/files/')
  );
}

/** The host name of a Host header value or URL authority, lower-case, without port or brackets. */
export function hostName(authority: string): string {
  const text = authority.trim().toLowerCase();
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    return end < 0 ? text : text.slice(1, end);
  }
  const colon = text.indexOf(':');
  // More than one colon without brackets: a bare IPv6 literal.
  if (colon >= 0 && text.indexOf(':', colon + 1) >= 0) return text;
  return (colon < 0 ? text : text.slice(0, colon)).replace(/\.$/, '');
}

/**
 * True when `name` (from {@link hostName}) is one the suite serves. IP literals are fine: a
 * rebinding attack needs a name the attacker controls. `.test` and `.localhost` are reserved
 * (RFC 6761 §6.2, §6.3) and never delegated in public DNS.
 */
export function isServedHost(name: string, allowed: readonly string[] = []): boolean {
  if (name === '') return false;
  if (net.isIP(name) !== 0) return true;
  // A single label ("localhost", "x", this machine's short name) cannot be registered in public
  // DNS, so no attacker's page can be served under it.
  if (!name.includes('.')) return true;
  if (name.endsWith('.localhost')) return true;
  if (name === 'test' || name.endsWith('.test')) return true;
  if (name === os.hostname().toLowerCase()) return true;
  for (const entry of allowed) {
    const a = entry.toLowerCase();
    if (a.startsWith('*.') ? name.endsWith(a.slice(1)) || name === a.slice(2) : name === a) return true;
  }
  return false;
}

/** Content types a browser sends cross-site without asking (Fetch §2.2.2 "CORS-safelisted"), and none. */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function hasBody(ctx: RequestContext): boolean {
  const h = ctx.req.headers;
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
}

/**
 * Why the request is refused (status and message), or undefined when it may pass. Pure apart
 * from the machine's host name; exported for the table-driven tests.
 */
export function refusal(
  ctx: RequestContext,
  allowed: readonly string[],
): { status: number; message: string } | undefined {
  const host = ctx.req.headers.host ?? '';
  // No Host at all (HTTP/1.0 tools): not a browser, which always sends one, so not rebinding.
  if (host !== '' && !isServedHost(hostName(host), allowed))
    return {
      status: 403,
      message: `host "${host}" is not a name this server answers to (DNS rebinding guard); use localhost or 127.0.0.1`,
    };
  // Only the API has state-changing routes; elsewhere the router's 405 is the right answer.
  if (SAFE_METHODS.has(ctx.req.method ?? 'GET') || !ctx.path.startsWith('/api/')) return undefined;
  const site = ctx.req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none')
    return { status: 403, message: `cross-site request refused (Sec-Fetch-Site: ${site})` };
  const origin = ctx.req.headers.origin;
  if (origin !== undefined) {
    let same = false;
    try {
      const url = new URL(origin);
      // Same origin: the browser's idea of where the page came from is this Host (RFC 6454 §4).
      same = url.host.toLowerCase() === host.trim().toLowerCase();
    } catch {
      // "null" (sandboxed or opaque origins) and garbage are not the console's origin.
    }
    if (!same) return { status: 403, message: `cross-origin request refused (Origin: ${origin})` };
  }
  if (hasBody(ctx) && !isJson(ctx.req.headers['content-type']) && ctx.req.headers[CSRF_HEADER] === undefined)
    return {
      status: 415,
      message: `a request body here must be application/json, or the request must carry the ${CSRF_HEADER} header`,
    };
  return undefined;
}

/** Wraps `next`: guarded paths are checked first, others pass straight through. */
export function originGuard(next: RequestHandler, options: OriginGuardOptions = {}): RequestHandler {
  const allowed = options.allowedHosts ?? [];
  const isGuarded = options.isGuarded ?? isConsolePath;
  return (ctx) => {
    if (!isGuarded(ctx.path)) return next(ctx);
    const refused = refusal(ctx, allowed);
    if (!refused) return next(ctx);
    ctx.note = 'origin guard';
    // The body (if any) is not read: close so it is never parsed as a next request.
    sendError(ctx.res, refused.status, refused.message, { Connection: 'close' });
  };
}
