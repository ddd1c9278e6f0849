/**
 * A small router: literal segments, `:name` parameters (percent-decoded) and a trailing `*` for the
 * rest of the path (left encoded, for the file sandbox to judge). A known path with a method it does
 * not serve is 405 with `Allow` (RFC 9110 §15.5.6); OPTIONS on it is 204 with `Allow`; HEAD is served
 * by the GET handler (node sends no body for HEAD). Unknown paths are a JSON 404.
 * @module
 */
import { PathMemo } from './path-memo.js';
import { HttpError, sendError } from './replies.js';
import type { RequestContext, RequestHandler } from './request-context.js';

export type Params = Readonly<Record<string, string>>;
export type RouteHandler = (ctx: RequestContext, params: Params) => void | Promise<void>;

/** Paths per method whose dispatch {@link Router} remembers. */
export const DISPATCHED_MAX = 1_024;

/** Every method; for routes that answer any (`/echo`). */
export const ANY = '*';

interface Route {
  readonly methods: ReadonlySet<string>;
  readonly segments: readonly string[];
  readonly handler: RouteHandler;
  /**
   * For a pattern of literal segments and a final `*` ("/files/*"): "/files/". Such a route
   * matches by string prefix, the same answer as {@link matchPath} without splitting the path.
   */
  readonly prefix: string | undefined;
}

/** The prefix of a literal-only pattern ending in `*` ("/files/*" → "/files/"), else undefined. */
function starPrefix(segments: readonly string[]): string | undefined {
  if (segments.length < 2 || segments[segments.length - 1] !== '*' || segments[0] !== '') return undefined;
  const fixed = segments.slice(1, -1);
  if (fixed.some((s) => s === '' || s === '*' || s.startsWith(':'))) return undefined;
  return `/${fixed.map((s) => `${s}/`).join('')}`;
}

/** {@link matchPath} for a route with a {@link Route.prefix}. */
function matchPrefix(prefix: string, path: string): Record<string, string> | undefined {
  if (path.startsWith(prefix)) return { '*': path.slice(prefix.length) };
  // "/files" itself matches "/files/*" with an empty rest, as matchPath does.
  if (path.length === prefix.length - 1 && prefix.startsWith(path)) return { '*': '' };
  return undefined;
}

/** Matches a path split on '/' against a pattern's segments; returns the parameters or undefined. */
export function matchPath(
  segments: readonly string[],
  parts: readonly string[],
  path?: string,
): Record<string, string> | undefined {
  // First only compare: most routes tried for a request do not match, and need no allocation.
  const star = segments[segments.length - 1] === '*';
  const fixed = star ? segments.length - 1 : segments.length;
  if (star ? parts.length < fixed : parts.length !== fixed) return undefined;
  for (let i = 0; i < fixed; i++) {
    const seg = segments[i] as string;
    const part = parts[i] as string;
    if (seg.startsWith(':') ? part === '' : seg !== part) return undefined;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < fixed; i++) {
    const seg = segments[i] as string;
    if (!seg.startsWith(':')) continue;
    try {
      params[seg.slice(1)] = decodeURIComponent(parts[i] as string);
    } catch {
      throw new HttpError(400, 'malformed percent-encoding in path');
    }
  }
  if (star) params['*'] = path === undefined ? parts.slice(fixed).join('/') : restOf(path, parts, fixed);
  return params;
}

/** `parts.slice(fixed).join('/')` for `parts = path.split('/')`, without the two copies. */
function restOf(path: string, parts: readonly string[], fixed: number): string {
  let offset = 0;
  for (let i = 0; i < fixed; i++) offset += (parts[i] as string).length + 1;
  return offset > path.length ? '' : path.slice(offset);
}

/** The first path segment of a pattern when it is a literal ("files" of "/files/*"), else undefined. */
function firstLiteral(segments: readonly string[]): string | undefined {
  const first = segments[1];
  return first === undefined || first === '*' || first.startsWith(':') ? undefined : first;
}

/** `path.split('/')[1]` without the split: the key of {@link Router}'s first-segment index. */
function firstSegment(path: string): string | undefined {
  if (path.charCodeAt(0) !== 47 /* '/' */) return undefined;
  const slash = path.indexOf('/', 1);
  return slash < 0 ? path.slice(1) : path.slice(1, slash);
}

export class Router {
  #routes: Route[] = [];
  /**
   * The routes that can match a path by its first segment, in registration order: those whose
   * first segment is that literal plus those whose first segment is a parameter or `*`. Every
   * other route would fail {@link matchPath} on that segment, so skipping them changes no answer
   * (nor the 405 `Allow` list); it only saves trying them on every request.
   */
  #byFirst = new Map<string, readonly Route[]>();
  /** The routes for a path whose first segment no literal route has. */
  #open: readonly Route[] = [];
  /**
   * Paths already dispatched, per method: the route that took them and its parameters. Both are a
   * pure function of method, path and the route table (cleared when a route is added), and a busy
   * server asks for the same paths again and again.
   */
  #dispatched = new PathMemo<{ readonly route: Route; readonly params: Params }>(DISPATCHED_MAX);

  /** Adds a route; `methods` may be {@link ANY}. Earlier routes win. */
  on(methods: string | readonly string[], pattern: string, handler: RouteHandler): this {
    const list = typeof methods === 'string' ? [methods] : methods;
    const segments = pattern.split('/');
    this.#routes.push({
      methods: new Set(list.map((m) => m.toUpperCase())),
      segments,
      handler,
      prefix: starPrefix(segments),
    });
    this.#index();
    this.#dispatched.clear();
    return this;
  }

  #index(): void {
    const literals = new Set<string>();
    for (const route of this.#routes) {
      const first = firstLiteral(route.segments);
      if (first !== undefined) literals.add(first);
    }
    this.#byFirst = new Map(
      [...literals].map((lit) => [lit, this.#routes.filter((r) => (firstLiteral(r.segments) ?? lit) === lit)]),
    );
    this.#open = this.#routes.filter((r) => firstLiteral(r.segments) === undefined);
  }

  /**
   * True when a route would take `method` on `path` (HEAD counting as GET), without running it:
   * for pages that offer a feature only where its API is mounted.
   */
  has(method: string, path: string): boolean {
    const upper = method.toUpperCase();
    const parts = path.split('/');
    return this.#routes.some((route) => {
      const params =
        route.prefix !== undefined ? matchPrefix(route.prefix, path) : matchPath(route.segments, parts, path);
      return (
        params !== undefined &&
        (route.methods.has(upper) || route.methods.has(ANY) || (upper === 'HEAD' && route.methods.has('GET')))
      );
    });
  }

  /**
   * The asterisk-form target (RFC 9112 §3.2.4) is only for `OPTIONS *`, which asks about the
   * server as a whole: 204 with every method some route serves. Any other method with it: 400.
   */
  #asterisk(ctx: RequestContext, method: string): void {
    if (method !== 'OPTIONS') {
      sendError(ctx.res, 400, `the target "*" is only for OPTIONS (RFC 9112 §3.2.4), not ${method}`);
      return;
    }
    const methods = new Set(['OPTIONS']);
    for (const route of this.#routes) for (const m of route.methods) if (m !== ANY) methods.add(m);
    if (methods.has('GET')) methods.add('HEAD');
    ctx.res.writeHead(204, { Allow: [...methods].sort().join(', ') });
    ctx.res.end();
  }

  /** The request handler for {@link HttpServer}. */
  readonly handle: RequestHandler = (ctx) => {
    const method = ctx.req.method ?? 'GET';
    const path = ctx.path;
    const known = this.#dispatched.get(method, path);
    if (known !== undefined) return known.route.handler(ctx, known.params);
    let allowed: Set<string> | undefined;
    const first = firstSegment(path);
    const routes = (first !== undefined ? this.#byFirst.get(first) : undefined) ?? this.#open;
    let parts: string[] | undefined;
    for (const route of routes) {
      let params: Record<string, string> | undefined;
      if (route.prefix !== undefined) params = matchPrefix(route.prefix, path);
      else {
        parts ??= path.split('/');
        params = matchPath(route.segments, parts, path);
      }
      if (!params) continue;
      if (route.methods.has(method) || route.methods.has(ANY) || (method === 'HEAD' && route.methods.has('GET'))) {
        const frozen = Object.freeze(params);
        this.#dispatched.set(method, path, { route, params: frozen });
        return route.handler(ctx, frozen);
      }
      allowed ??= new Set<string>();
      for (const m of route.methods) allowed.add(m);
    }
    if (allowed === undefined) {
      if (path === '*') return this.#asterisk(ctx, method);
      sendError(ctx.res, 404, `no route for ${ctx.path}`);
      return;
    }
    if (allowed.has('GET')) allowed.add('HEAD');
    allowed.add('OPTIONS');
    const allow = [...allowed].sort().join(', ');
    if (method === 'OPTIONS') {
      ctx.res.writeHead(204, { Allow: allow });
      ctx.res.end();
      return;
    }
    sendError(ctx.res, 405, `method ${method} not allowed on ${ctx.path}`, { Allow: allow });
  };
}
