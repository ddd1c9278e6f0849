/**
 * `GET|HEAD /files/<path>`: the FTP root over HTTP. `send` does Range (206/416, with the fixes of
 * range-rules.ts), ETag and
 * Last-Modified with 304, and Content-Type; this file keeps every path inside the root
 * (see path-sandbox.ts) and lists directories as HTML or, for `Accept: application/json`, JSON.
 * @module
 */
import type { ReadStream, Stats } from 'node:fs';
import fs from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import send from 'send';
import { encodeSegments, listingHtml, readListing } from './dir-listing.js';
import { type FileCacheOptions, isPlainRequest, SmallFileCache } from './file-cache.js';
import { PathMemo } from './path-memo.js';
import { checkRequestPath, isInside, isStillInside, openedPath, resolveInside } from './path-sandbox.js';
import { applyRangeRules, fileEtag } from './range-rules.js';
import { escapeHtml, HttpError, sendError, sendJson, sendText } from './replies.js';
import type { RequestContext } from './request-context.js';
import type { Router } from './router.js';

/** The policy of every file and listing under /files/. */
export const FILES_CSP = 'sandbox';

/** Serves one folder. The folder is created on first use. */
export class FileRoutes {
  readonly root: string;
  readonly cache: SmallFileCache;
  #realRoot: Promise<string> | undefined;
  #realRootValue: string | undefined;
  /** Raw request paths that passed {@link checkRequestPath} → their full path (bounded like the cache). */
  #checkedPaths: PathMemo<string>;

  constructor(root: string, cacheOptions: FileCacheOptions = {}) {
    this.root = root;
    this.cache = new SmallFileCache(cacheOptions);
    this.#checkedPaths = new PathMemo(this.cache.maxEntries);
  }

  /** Registers `/files` and `/files/*` on `router`. */
  register(router: Router): void {
    router.on('GET', '/files', (ctx) => this.serve(ctx, ''));
    router.on('GET', '/files/*', (ctx, params) => this.serve(ctx, params['*'] ?? ''));
  }

  /** The real path of the root (symlinks resolved), created if missing. */
  realRoot(): Promise<string> {
    this.#realRoot ??= (async () => {
      await fs.mkdir(this.root, { recursive: true });
      this.#realRootValue = await fs.realpath(this.root);
      return this.#realRootValue;
    })();
    this.#realRoot.catch(() => {
      this.#realRoot = undefined;
    });
    return this.#realRoot;
  }

  /** Serves `rawRest` (the still-encoded path below /files). A cache hit is answered synchronously. */
  serve(ctx: RequestContext, rawRest: string): void | Promise<void> {
    // A path ending in '/' names a folder: never a cached file (`a.txt/` is 404, as in nginx).
    const plain = isPlainRequest(ctx.req) && rawRest.charCodeAt(rawRest.length - 1) !== 47; /* '/' */
    const known = this.#realRootValue;
    if (plain && known !== undefined) {
      // The request path check is pure, so a raw path that passed it once maps to the same file path.
      const memo = this.#checkedPaths.get('', rawRest);
      if (memo !== undefined && this.cache.tryServe(memo, ctx.req, ctx.res)) return;
    }
    const check = checkRequestPath(rawRest);
    if (!check.ok) return sendError(ctx.res, check.status, check.reason);
    // Segments are checked (no '..', no separators), so plain concatenation stays below the root.
    if (plain && known !== undefined) {
      const fullPath = fullPathOf(known, check.segments);
      this.#checkedPaths.set('', rawRest, fullPath);
      if (this.cache.tryServe(fullPath, ctx.req, ctx.res)) return;
    }
    return this.#serveFromDisk(ctx, check.segments, plain, rawRest.endsWith('/'));
  }

  async #serveFromDisk(
    ctx: RequestContext,
    segments: readonly string[],
    plain: boolean,
    asFolder: boolean,
  ): Promise<void> {
    const realRoot = await this.realRoot();
    const fullPath = fullPathOf(realRoot, segments);
    const resolved = await resolveInside(realRoot, segments);
    if (!resolved.ok) return sendError(ctx.res, resolved.status, resolved.reason);
    const encoded = `/${encodeSegments(resolved.rel)}`;
    // Request `Cache-Control: no-cache` is addressed to caches (RFC 9111 §5.2.1.4); an origin still
    // evaluates If-None-Match / If-Modified-Since (RFC 9110 §13.2.2). send (via `fresh`) would
    // answer 200 instead, and Node's fetch adds no-cache to every conditional request.
    delete ctx.req.headers['cache-control'];
    // Uploaded content shares the console's origin: a page or SVG served from here must not run
    // scripts against /api (CSP3 §6.3.2.1 `sandbox`: an opaque origin, no scripts), and no
    // browser may guess a more active type than the one sent (Fetch §3.5 nosniff). Set before
    // send writes its headers, so a cached copy (file-cache.ts) repeats them.
    ctx.res.setHeader('Content-Security-Policy', FILES_CSP);
    ctx.res.setHeader('X-Content-Type-Options', 'nosniff');
    // send decodes the path it is given; hand it the encoded real path below the root. A
    // trailing '/' stays: send answers a file asked for as a folder with 404.
    const target = asFolder && resolved.rel.length > 0 ? `${encoded}/` : encoded;
    const stream = send(ctx.req, target, { root: realRoot, dotfiles: 'allow', index: false });
    stream.on('file', (file: string, stat: Stats) => {
      // send stats the file by name before it writes any header: a folder swapped for a symlink
      // since the check above must not lend its size and dates to them (a HEAD never opens the file).
      if (!isStillInside(realRoot, file)) return ctx.abort('file left the root before its headers were sent');
      // send sets ETag only when none is set yet: a strong tag instead of its weak one.
      const etag = fileEtag(stat);
      ctx.res.setHeader('ETag', etag);
      // send reads Range and If-Range only after this event, with the size now known.
      if (!plain) applyRangeRules(ctx.req.headers, { size: stat.size, lastModified: stat.mtime.toUTCString(), etag });
      if (!plain || stat.size > this.cache.maxFileBytes) return;
      ctx.res.once('finish', () => {
        if (ctx.res.statusCode === 200) void this.cache.remember(fullPath, file, ctx.res, stat);
      });
    });
    // The file can shrink between send's stat and the read (rewritten in place, truncated): the
    // body then ends short of the Content-Length already sent. Left open, the connection would
    // keep the client waiting for bytes that never come, until a timeout; abort closes it.
    stream.on('stream', (body: ReadStream) => {
      // The path was checked above, then send opened it by name: a symlink swapped in meanwhile
      // would be followed. The descriptor says what was really opened; nothing is read yet.
      body.once('open', (fd: number) => {
        const opened = openedPath(fd);
        if (opened !== undefined && !isInside(realRoot, opened)) ctx.abort('file left the root while being opened');
      });
      // Runs before send's pipe ends the response (send emits 'stream' before it pipes).
      body.once('end', () => {
        const expected = Number(ctx.res.getHeader('Content-Length'));
        if (body.bytesRead < expected) ctx.abort(`file shrank while sent: ${body.bytesRead} of ${expected} bytes`);
      });
    });
    stream.on('directory', (_res: ServerResponse, asked: string) => {
      // send hands back the path it was given, with the '/' of a folder's URL.
      const dir = asked.length > realRoot.length && asked.endsWith(path.sep) ? asked.slice(0, -1) : asked;
      // A folder's URL ends in '/', so relative links in it resolve inside it (nginx, RFC 3986 §5.2).
      if (!ctx.path.endsWith('/')) return redirectToFolder(ctx, segments);
      const base = `/files/${resolved.rel.length > 0 ? `${encoded.slice(1)}/` : ''}`;
      void this.#list(ctx, realRoot, dir, base).catch((err: unknown) => {
        if (err instanceof HttpError) {
          if (!ctx.res.headersSent) sendError(ctx.res, err.status, err.message);
          return;
        }
        if (!ctx.res.headersSent) sendError(ctx.res, 500, 'cannot list directory');
        ctx.note = String(err);
      });
    });
    stream.on('error', (err: { status?: number; statusCode?: number; headers?: Record<string, string> }) => {
      const res = ctx.res;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      const status = err.status ?? err.statusCode ?? 500;
      // 416 carries `Content-Range: bytes */len` (RFC 9110 §14.4).
      sendError(
        res,
        status,
        status === 416 ? 'range not satisfiable' : status === 404 ? 'no such file' : 'cannot read file',
        err.headers ?? {},
      );
    });
    stream.pipe(ctx.res);
  }

  async #list(ctx: RequestContext, realRoot: string, dir: string, base: string): Promise<void> {
    // `If-None-Match: *` is false when any current representation exists (RFC 9110 §13.1.2).
    if (ctx.req.headers['if-none-match']?.trim() === '*') {
      ctx.res.writeHead(304);
      ctx.res.end();
      return;
    }
    const listing = await readListing(realRoot, dir, base);
    const accept = ctx.req.headers.accept ?? '';
    if (accept.includes('application/json')) sendJson(ctx.res, 200, listing);
    else sendText(ctx.res, 200, 'text/html; charset=utf-8', listingHtml(listing));
  }
}

/**
 * 301 to the folder's URL with its '/' (the query kept), as nginx answers; the Location is an
 * absolute path, which RFC 9110 §10.2.2 allows (a URI reference, resolved against the request's).
 */
function redirectToFolder(ctx: RequestContext, segments: readonly string[]): void {
  const url = ctx.req.url ?? '';
  const q = url.indexOf('?');
  const location = `/files/${segments.length > 0 ? `${encodeSegments(segments)}/` : ''}${q < 0 ? '' : url.slice(q)}`;
  const body = `<!doctype html><title>Moved</title><p>Moved to <a href="${escapeHtml(location)}">${escapeHtml(location)}</a></p>\n`;
  ctx.res.writeHead(301, {
    Location: location,
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  ctx.res.end(body);
}

function fullPathOf(realRoot: string, segments: readonly string[]): string {
  return segments.length === 0 ? realRoot : `${realRoot}${path.sep}${segments.join(path.sep)}`;
}
