/**
 * httpbin's streaming routes: `/stream/:n` (JSON lines), `/stream-bytes/:n` (random bytes in
 * chunks, reproducible with `seed`), `/drip` (bytes spread over a duration), `/range/:n` (a
 * seekable resource, RFC 9110 §14) and `/sse` (Server-Sent Events). Every count, size and time is
 * bounded; writes wait for `drain`, and a client that leaves stops the stream.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { boundedInt, describeRequest, durationMs, sleepUnlessClosed } from './httpbin-request.js';
import { HttpError } from './replies.js';
import type { RequestContext } from './request-context.js';
import type { Router } from './router.js';

export interface StreamOptions {
  readonly maxStreamLines: number;
  readonly maxRandomBytes: number;
  readonly maxRangeBytes: number;
  readonly maxSseEvents: number;
  readonly maxDripTicks: number;
  /** Longest wait or duration any of these routes takes. */
  readonly maxDelayMs: number;
}

/** Writes `chunk`; resolves when the response can take more (or is gone). */
function write(ctx: RequestContext, chunk: string | Buffer): Promise<void> {
  if (ctx.res.destroyed || ctx.res.write(chunk)) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      ctx.res.off('drain', done);
      ctx.res.off('close', done);
      resolve();
    };
    ctx.res.once('drain', done);
    ctx.res.once('close', done);
  });
}

/** mulberry32: a small seeded generator, so `?seed=` gives the same bytes every time. */
function seededBytes(seed: number): (n: number) => Buffer {
  let state = seed >>> 0;
  return (n) => {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
    }
    return out;
  };
}

/** `/range/:n` byte i: 'a' + i mod 26, so every request sees the same resource. */
function rangeBytes(from: number, to: number): Buffer {
  const out = Buffer.allocUnsafe(to - from + 1);
  for (let i = from; i <= to; i++) out[i - from] = 97 + (i % 26);
  return out;
}

/**
 * The one byte range of a `Range` header over `size` bytes (RFC 9110 §14.1.2): [first, last],
 * `null` when unsatisfiable, undefined when there is no (usable) header and the whole is sent.
 */
export function parseRange(header: string | undefined, size: number): [number, number] | null | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    return suffix === 0 ? null : [Math.max(0, size - suffix), size - 1];
  }
  const first = Number(m[1]);
  const last = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return first >= size || first > last ? null : [first, last];
}

/** `duration` and `delay` of /drip and /sse, in ms; together at most `maxMs`. */
function timing(q: URLSearchParams, defaultDurationMs: number, maxMs: number): { duration: number; delay: number } {
  const duration = durationMs(q.get('duration'), 'duration', maxMs, defaultDurationMs);
  const delay = durationMs(q.get('delay'), 'delay', maxMs, 0);
  if (duration + delay > maxMs)
    throw new HttpError(400, `duration and delay together must be at most ${maxMs / 1000} s`);
  return { duration, delay };
}

export function registerStreamRoutes(router: Router, options: StreamOptions): void {
  router.on('GET', '/stream/:n', async (ctx, params) => {
    const n = boundedInt(params['n'], 'n', options.maxStreamLines);
    const base = describeRequest(ctx);
    ctx.res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    for (let id = 0; id < n && !ctx.res.destroyed; id++) await write(ctx, `${JSON.stringify({ ...base, id })}\n`);
    ctx.res.end();
  });

  router.on('GET', '/stream-bytes/:n', async (ctx, params) => {
    const n = boundedInt(params['n'], 'n', options.maxRandomBytes);
    const chunkSize = Math.max(1, boundedInt(ctx.query.get('chunk_size'), 'chunk_size', 1024 * 1024, 10 * 1024));
    const seed = ctx.query.get('seed');
    const next = seed === null ? (size: number) => randomBytes(size) : seededBytes(boundedInt(seed, 'seed', 2 ** 32));
    ctx.res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    for (let left = n; left > 0 && !ctx.res.destroyed; ) {
      const size = Math.min(left, chunkSize);
      left -= size;
      await write(ctx, next(size));
    }
    ctx.res.end();
  });

  router.on('GET', '/drip', async (ctx) => {
    const q = ctx.query;
    const numbytes = boundedInt(q.get('numbytes'), 'numbytes', options.maxRandomBytes, 10);
    if (numbytes < 1) throw new HttpError(400, 'numbytes must be positive');
    const { duration, delay } = timing(q, 2_000, options.maxDelayMs);
    const code = boundedInt(q.get('code'), 'code', 599, 200);
    if (code < 200) throw new HttpError(400, 'code must be a status from 200 to 599');
    await sleepUnlessClosed(ctx, delay);
    if (ctx.res.destroyed) return;
    ctx.res.writeHead(code, { 'Content-Type': 'application/octet-stream', 'Content-Length': numbytes });
    // The bytes go out in at most maxDripTicks writes, evenly over the duration.
    const ticks = Math.min(numbytes, options.maxDripTicks);
    let sent = 0;
    for (let i = 1; i <= ticks && !ctx.res.destroyed; i++) {
      await sleepUnlessClosed(ctx, duration / ticks);
      const upTo = Math.round((numbytes * i) / ticks);
      await write(ctx, Buffer.alloc(upTo - sent, '*'));
      sent = upTo;
    }
    ctx.res.end();
  });

  router.on('GET', '/range/:n', (ctx, params) => {
    const size = boundedInt(params['n'], 'n', options.maxRangeBytes);
    if (size < 1) throw new HttpError(400, 'n must be positive');
    const common = { ETag: `"range${size}"`, 'Accept-Ranges': 'bytes' };
    const range = parseRange(ctx.req.headers.range, size);
    if (range === null) {
      ctx.res.writeHead(416, { ...common, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 });
      ctx.res.end();
      return;
    }
    const [first, last] = range ?? [0, size - 1];
    const body = rangeBytes(first, last);
    ctx.res.writeHead(range === undefined || (first === 0 && last === size - 1) ? 200 : 206, {
      ...common,
      'Content-Type': 'application/octet-stream',
      'Content-Range': `bytes ${first}-${last}/${size}`,
      'Content-Length': body.length,
    });
    ctx.res.end(body);
  });

  // go-httpbin's /sse: `count` "ping" events spread over `duration`, after `delay`.
  router.on('GET', '/sse', async (ctx) => {
    const q = ctx.query;
    const count = boundedInt(q.get('count'), 'count', options.maxSseEvents, 10);
    if (count < 1) throw new HttpError(400, 'count must be positive');
    const { duration, delay } = timing(q, 5_000, options.maxDelayMs);
    await sleepUnlessClosed(ctx, delay);
    if (ctx.res.destroyed) return;
    ctx.res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
    for (let id = 0; id < count && !ctx.res.destroyed; id++) {
      if (id > 0) await sleepUnlessClosed(ctx, duration / count);
      await write(ctx, `id: ${id}\nevent: ping\ndata: ${JSON.stringify({ id, timestamp: Date.now() })}\n\n`);
    }
    ctx.res.end();
  });
}
