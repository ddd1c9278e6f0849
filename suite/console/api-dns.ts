/**
 * The console's DNS API: `GET /api/dns` the zones served with their records; `GET
 * /api/dns/queries?limit=` the recent queries with their answers, newest first; `POST
 * /api/dns/records` `{ "record": "api.suite.test. 60 IN A 10.0.0.7" }` adds a record (201,
 * `{ added }`: false when it was there); `DELETE /api/dns/records` `{ name, type?, data? }`
 * removes matching records (`{ removed }`; never the SOA).
 * @module
 */
import { typeCode } from '../../protocols/dns/records.js';
import type { DnsService } from '../../protocols/dns/service.js';
import { HttpError, sendJson } from '../../protocols/http/replies.js';
import type { Router } from '../../protocols/http/router.js';
import { ConfigError } from '../../shared/errors.js';
import { RECENT_QUERIES, RecentQueries, recordView } from './dns-view.js';
import { readJsonObject } from './json-body.js';

function needDns(dns: DnsService | undefined): DnsService {
  if (!dns) throw new HttpError(404, 'dns is not started in this run');
  return dns;
}

function text(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = body[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new HttpError(400, `${field}: expected a non-empty string`);
  return value;
}

/** Runs a DNS service call; its ConfigError (a bad record) becomes a 400 naming the problem. */
function asReply<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ConfigError) throw new HttpError(400, err.message.replace(/^[^:]+: /, 'record: '));
    throw err;
  }
}

/**
 * Registers the routes; `dns` is looked up per request (it may not be started). Returns the
 * function that stops listening for queries.
 */
export function registerDnsRoutes(router: Router, dns: () => DnsService | undefined): () => void {
  const recent = new RecentQueries();
  let subscribed: DnsService | undefined;
  let unsubscribe = () => {};
  // The console is mounted once every service of the run exists (none started yet): subscribe now.
  const watch = () => {
    const service = dns();
    if (service && service !== subscribed) {
      unsubscribe();
      unsubscribe = service.onQuery(recent.add);
      subscribed = service;
    }
    return service;
  };
  watch();

  router.on('GET', '/api/dns', (ctx) => {
    const service = needDns(watch());
    sendJson(ctx.res, 200, {
      zones: service.zones.map((zone) => ({ origin: `${zone.origin}.`, records: zone.records().map(recordView) })),
    });
  });
  router.on('GET', '/api/dns/queries', (ctx) => {
    needDns(watch());
    const value = ctx.query.get('limit');
    if (value !== null && !/^\d{1,6}$/.test(value)) throw new HttpError(400, 'limit must be a positive integer');
    sendJson(ctx.res, 200, recent.list(value === null ? RECENT_QUERIES : Math.max(1, Number(value))));
  });
  router.on('POST', '/api/dns/records', async (ctx) => {
    const service = needDns(watch());
    const line = text(await readJsonObject(ctx), 'record', true) as string;
    const added = asReply(() => service.addRecord(line));
    sendJson(ctx.res, 201, { added });
  });
  router.on('DELETE', '/api/dns/records', async (ctx) => {
    const service = needDns(watch());
    const body = await readJsonObject(ctx);
    const name = text(body, 'name', true) as string;
    const type = text(body, 'type', false)?.toUpperCase();
    if (type !== undefined && typeCode(type) === undefined)
      throw new HttpError(400, `type: '${type}' is not a record type (A, MX, TXT, TYPE65280...)`);
    const data = text(body, 'data', false);
    const removed = asReply(() =>
      service.removeRecord({
        name,
        ...(type !== undefined ? { type } : {}),
        ...(data !== undefined ? { data } : {}),
      }),
    );
    sendJson(ctx.res, 200, { removed });
  });
  return () => unsubscribe();
}
