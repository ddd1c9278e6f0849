/**
 * httpbin's authentication and cookie routes: `/basic-auth/:user/:pass` (RFC 7617),
 * `/hidden-basic-auth/:user/:pass` (404 instead of a challenge), `/bearer` (RFC 6750), and
 * `/cookies`, `/cookies/set`, `/cookies/set/:name/:value`, `/cookies/delete` (RFC 6265).
 * @module
 */
import { timingSafeEqual } from 'node:crypto';
import { HttpError, sendJson } from './replies.js';
import type { RequestContext } from './request-context.js';
import type { Router } from './router.js';

/** The user and password of an `Authorization: Basic` header, if it has one (RFC 7617 §2). */
export function basicCredentials(header: string | undefined): { user: string; pass: string } | undefined {
  const m = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** RFC 6265 §4.1.1 cookie-name (a token) and cookie-value characters. */
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const COOKIE_VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;

/** The `Cookie` header as an object (RFC 6265 §5.4; the first of a repeated name wins). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name && !(name in out)) out[name] = value;
  }
  return out;
}

function checkCookie(name: string, value: string): void {
  if (!COOKIE_NAME.test(name)) throw new HttpError(400, `'${name}' is not a valid cookie name`);
  if (!COOKIE_VALUE.test(value))
    throw new HttpError(400, `the value of cookie ${name} has characters a cookie cannot hold`);
}

/** 302 to /cookies with the given Set-Cookie fields. */
function toCookies(ctx: RequestContext, setCookies: string[]): void {
  ctx.res.writeHead(302, { Location: '/cookies', 'Set-Cookie': setCookies, 'Content-Length': 0 });
  ctx.res.end();
}

export function registerAuthRoutes(router: Router): void {
  const basic = (hidden: boolean) => (ctx: RequestContext, params: Readonly<Record<string, string>>) => {
    const given = basicCredentials(ctx.req.headers.authorization);
    const user = params['user'] ?? '';
    if (given && same(given.user, user) && same(given.pass, params['pass'] ?? '')) {
      sendJson(ctx.res, 200, { authenticated: true, user });
      return;
    }
    if (hidden) throw new HttpError(404, 'not found');
    // RFC 9110 §11.6.1: a 401 carries the challenge.
    throw new HttpError(401, 'wrong or missing credentials', {
      headers: { 'WWW-Authenticate': 'Basic realm="Fake Realm"' },
    });
  };
  router.on('GET', '/basic-auth/:user/:pass', basic(false));
  router.on('GET', '/hidden-basic-auth/:user/:pass', basic(true));

  router.on('GET', '/bearer', (ctx) => {
    // RFC 6750 §2.1: "Bearer" then a b64token.
    const m = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(ctx.req.headers.authorization ?? '');
    if (!m)
      throw new HttpError(401, 'missing or malformed bearer token', { headers: { 'WWW-Authenticate': 'Bearer' } });
    sendJson(ctx.res, 200, { authenticated: true, token: m[1] });
  });

  router.on('GET', '/cookies', (ctx) => sendJson(ctx.res, 200, { cookies: parseCookies(ctx.req.headers.cookie) }));

  router.on('GET', '/cookies/set', (ctx) => {
    const set: string[] = [];
    for (const [name, value] of ctx.query) {
      checkCookie(name, value);
      set.push(`${name}=${value}; Path=/`);
    }
    toCookies(ctx, set);
  });

  router.on('GET', '/cookies/set/:name/:value', (ctx, params) => {
    const name = params['name'] ?? '';
    const value = params['value'] ?? '';
    checkCookie(name, value);
    toCookies(ctx, [`${name}=${value}; Path=/`]);
  });

  router.on('GET', '/cookies/delete', (ctx) => {
    const set: string[] = [];
    for (const name of new Set(ctx.query.keys())) {
      checkCookie(name, '');
      // RFC 6265 §3.1: an expiry in the past removes the cookie.
      set.push(`${name}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/`);
    }
    toCookies(ctx, set);
  });
}
