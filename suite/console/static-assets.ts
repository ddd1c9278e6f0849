/**
 * The console page and its assets, served by the package itself (no CDN, works offline):
 * `GET /` the page, `GET /console/<file>` its modules and stylesheet, `GET /favicon.ico` and
 * `/favicon.svg` the icon. The files in `assets/` are read once, at start, into memory (they are
 * small), each with a strong ETag; the page gets a Content-Security-Policy that allows only
 * same-origin scripts, styles, connections and frames.
 * @module
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError } from '../../protocols/http/replies.js';
import type { RequestContext } from '../../protocols/http/request-context.js';
import type { Router } from '../../protocols/http/router.js';

/** Where the assets are: beside this module, in the sources and in dist/ alike (the build copies them). */
export const ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));

/** The page's policy: nothing from elsewhere, no inline script, no plugins, not framed by others. */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/**
 * Reads every asset, once, when the console is set up (a few small files; the names are the
 * folder's own, so no request path ever reaches the disk).
 */
export function loadAssets(dir = ASSETS_DIR): ReadonlyMap<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of fs.readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type === undefined) continue;
    const body = fs.readFileSync(path.join(dir, name));
    assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  if (!assets.has('index.html')) throw new Error(`console assets missing in ${dir} (index.html)`);
  return assets;
}

function sendAsset(ctx: RequestContext, asset: Asset, extra: Record<string, string> = {}): void {
  const headers = {
    'Content-Type': asset.type,
    ETag: asset.etag,
    // Revalidate every time (an ETag round trip): a new version of the package shows at once.
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  };
  if (ctx.req.headers['if-none-match'] === asset.etag) {
    ctx.res.writeHead(304, headers);
    ctx.res.end();
    return;
  }
  ctx.res.writeHead(200, { ...headers, 'Content-Length': asset.body.length });
  ctx.res.end(asset.body);
}

/** Registers `/`, `/console/:file` and the favicon. */
export function registerConsoleAssets(router: Router, assets: ReadonlyMap<string, Asset>): void {
  const page = assets.get('index.html') as Asset;
  router.on('GET', '/', (ctx) =>
    sendAsset(ctx, page, { 'Content-Security-Policy': PAGE_CSP, 'Referrer-Policy': 'no-referrer' }),
  );
  router.on('GET', '/console/:file', (ctx, params) => {
    const asset = assets.get(params['file'] ?? '');
    if (!asset || params['file'] === 'index.html') throw new HttpError(404, 'no such console asset');
    sendAsset(ctx, asset);
  });
  const icon = assets.get('favicon.svg');
  if (icon) {
    router.on('GET', '/favicon.svg', (ctx) => sendAsset(ctx, icon));
    // Browsers ask for /favicon.ico on their own; an SVG answers it (every current browser takes one).
    router.on('GET', '/favicon.ico', (ctx) => sendAsset(ctx, icon));
  }
}
