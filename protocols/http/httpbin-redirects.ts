/**
 * httpbin's redirect routes: `/redirect/:n`, `/relative-redirect/:n`, `/absolute-redirect/:n`
 * (chains of 302s ending at `/get`, at most {@link MAX_REDIRECTS} long) and
 * `/redirect-to?url=&status_code=`, which only redirects to a relative URL or to this server,
 * so it cannot be used as an open redirect (CWE-601) to send a client elsewhere.
 * @module
 */
import { hostOf } from './httpbin-request.js';
import { HttpError } from './replies.js';
import type { RequestContext } from './request-context.js';
import { ANY, type Router } from './router.js';

export interface RedirectOptions {
  /** Longest redirect chain; default {@link MAX_REDIRECTS}. */
  readonly maxRedirects: number;
}

/** An empty redirect response (RFC 9110 §15.4: the target is in Location). */
function redirect(ctx: RequestContext, status: number, location: string): void {
  ctx.res.writeHead(status, { Location: location, 'Content-Length': 0 });
  ctx.res.end();
}

/** The hop count of a redirect chain: 1 to `max`, else 400. */
function hops(text: string | undefined, max: number): number {
  if (text === undefined || !/^\d{1,10}$/.test(text) || Number(text) < 1)
    throw new HttpError(400, 'n must be a positive integer');
  const n = Number(text);
  if (n > max) throw new HttpError(400, `n must be at most ${max}`);
  return n;
}

/**
 * Where `/redirect-to` may send a client: a path on this server ("/get", "get?a=1", but not the
 * scheme-relative "//evil.test" nor "/\evil.test", which browsers read as another host), or an
 * absolute http(s) URL whose host and port are the ones the client used to reach us.
 */
export function safeRedirectTarget(url: string, ownHost: string): boolean {
  if (/[\u0000-\u001f\u007f]/.test(url)) return false;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return !/^[\\/][\\/]/.test(url) && !url.startsWith('/\\');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  const own = new URL(`http://${ownHost}`);
  return parsed.hostname === own.hostname && (parsed.port || '80') === (own.port || '80');
}

export function registerRedirectRoutes(router: Router, options: RedirectOptions): void {
  const { maxRedirects } = options;

  router.on('GET', '/redirect/:n', (ctx, params) => {
    const n = hops(params['n'], maxRedirects);
    const absolute = ctx.query.get('absolute')?.toLowerCase() === 'true';
    const base = absolute ? `http://${hostOf(ctx)}` : '';
    redirect(ctx, 302, n === 1 ? `${base}/get` : `${base}/${absolute ? 'absolute' : 'relative'}-redirect/${n - 1}`);
  });

  router.on('GET', '/relative-redirect/:n', (ctx, params) => {
    const n = hops(params['n'], maxRedirects);
    redirect(ctx, 302, n === 1 ? '/get' : `/relative-redirect/${n - 1}`);
  });

  router.on('GET', '/absolute-redirect/:n', (ctx, params) => {
    const n = hops(params['n'], maxRedirects);
    const base = `http://${hostOf(ctx)}`;
    redirect(ctx, 302, n === 1 ? `${base}/get` : `${base}/absolute-redirect/${n - 1}`);
  });

  router.on(ANY, '/redirect-to', (ctx) => {
    const url = ctx.query.get('url');
    if (url === null || url === '') throw new HttpError(400, 'url is required');
    if (!safeRedirectTarget(url, hostOf(ctx)))
      throw new HttpError(403, 'url must be relative or on this server (no open redirect)');
    const codeText = ctx.query.get('status_code');
    let status = 302;
    if (codeText !== null) {
      status = Number(codeText);
      if (!/^3\d\d$/.test(codeText)) throw new HttpError(400, 'status_code must be a redirect status from 300 to 399');
    }
    // Location is sent as given; raw non-ASCII characters (not allowed in a field) percent-encoded.
    redirect(ctx, status, /^[\x21-\x7e]*$/.test(url) ? url : encodeURI(url));
  });
}
