/**
 * `GET /api/exchanges?protocol=&limit=` (recent records, oldest first) and `GET /api/events`
 * (Server-Sent Events, WHATWG HTML §9.2: one `exchange` event per record, `id:` = record id so a
 * reconnecting EventSource resumes with `Last-Event-ID`, comment lines as keep-alives).
 *
 * The event stream is one exchange, recorded when it closes ("200 OK (12 events)"); it does not
 * hold up a graceful close: on shutdown it is ended cleanly.
 * @module
 */

import { HttpError, sendJson } from '../../protocols/http/replies.js';
import type { Router } from '../../protocols/http/router.js';
import type { RequestContext } from '../../protocols/http/server.js';
import { type ExchangeLog, type ExchangeRecord, PROTOCOLS, type Protocol } from '../../shared/exchange.js';
import { DEFAULT_EXCHANGE_LIMIT, SSE_KEEP_ALIVE_MS, SSE_MAX_BUFFERED_BYTES } from './limits.js';

export interface ExchangeRoutesOptions {
  readonly log: ExchangeLog;
  /** Keep-alive comment interval; default {@link SSE_KEEP_ALIVE_MS}. */
  readonly keepAliveMs?: number;
}

function protocolParam(ctx: RequestContext): Protocol | undefined {
  const value = ctx.query.get('protocol');
  if (value === null || value === '') return undefined;
  if (!(PROTOCOLS as readonly string[]).includes(value))
    throw new HttpError(400, `protocol must be one of ${PROTOCOLS.join(', ')}`);
  return value as Protocol;
}

function limitParam(ctx: RequestContext, max: number): number {
  const value = ctx.query.get('limit');
  if (value === null || value === '') return Math.min(DEFAULT_EXCHANGE_LIMIT, max);
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new HttpError(400, 'limit must be a positive integer');
  return Math.min(Number(value), max);
}

/** One SSE frame for a record. */
export function eventFrame(record: ExchangeRecord): string {
  return `id: ${record.id}\nevent: exchange\ndata: ${JSON.stringify(record)}\n\n`;
}

/**
 * The records after `lastId` (of `protocol`, if given), oldest first, limited to the newest whose
 * frames fit in half of {@link SSE_MAX_BUFFERED_BYTES}.
 */
export function replayAfter(log: ExchangeLog, lastId: number, protocol: Protocol | undefined): ExchangeRecord[] {
  const all = log.toArray();
  const out: ExchangeRecord[] = [];
  let bytes = 0;
  for (let i = all.length - 1; i >= 0; i--) {
    const r = all[i] as ExchangeRecord;
    if (r.id <= lastId) break;
    if (protocol !== undefined && r.protocol !== protocol) continue;
    bytes += Buffer.byteLength(eventFrame(r));
    if (bytes > SSE_MAX_BUFFERED_BYTES / 2) break;
    out.push(r);
  }
  return out.reverse();
}

export function registerExchangeRoutes(router: Router, options: ExchangeRoutesOptions): void {
  const { log } = options;
  const keepAliveMs = options.keepAliveMs ?? SSE_KEEP_ALIVE_MS;

  router.on('GET', '/api/exchanges', (ctx) => {
    const protocol = protocolParam(ctx);
    sendJson(ctx.res, 200, log.recent({ protocol, limit: limitParam(ctx, log.capacity) }));
  });

  router.on('GET', '/api/events', (ctx) => {
    const protocol = protocolParam(ctx);
    const { req, res } = ctx;
    // Streams have their own cap (shared/connection-table.ts) so they cannot take every slot.
    if (!ctx.claimStream())
      throw new HttpError(503, 'too many event streams, try again later', { headers: { 'Retry-After': '5' } });
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    let events = 0;
    // The record is written when the stream closes; keep its note current.
    const count = () => {
      ctx.note = `${events} event${events === 1 ? '' : 's'}`;
    };
    count();
    const send = (record: ExchangeRecord) => {
      if (protocol !== undefined && record.protocol !== protocol) return;
      // A client that does not read is cut off rather than buffered without bound.
      if (res.writableLength > SSE_MAX_BUFFERED_BYTES) {
        stop();
        res.destroy();
        return;
      }
      events++;
      count();
      res.write(eventFrame(record));
    };
    let unsubscribe: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    // Defined before anything is sent: a client cut off during the replay stops the stream too.
    const stop = () => {
      unsubscribe?.();
      clearInterval(timer);
    };
    res.write('retry: 2000\n\n');
    // Resume after a reconnect: replay what the ring still has after Last-Event-ID, the newest
    // records that fit in half the buffer bound (a replay must not cut off the client it serves).
    const lastId = Number(req.headers['last-event-id']);
    if (Number.isInteger(lastId) && lastId > 0) for (const r of replayAfter(log, lastId, protocol)) send(r);
    if (res.destroyed) return;
    unsubscribe = log.subscribe(send);
    timer = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
    timer.unref();
    res.once('close', stop);
    ctx.holdOpen(() => {
      stop();
      res.end();
    });
  });
}
