/**
 * The dns service as the CLI and `startSuite` run it: loads the zones (`--zone` files, or the
 * built-in `suite.test`), serves them, and offers tests run-time records and the queries received
 * (read from the exchange log).
 * @module
 */
import fs from 'node:fs/promises';
import { ConfigError, fileReadError } from '../../shared/errors.js';
import type { Protocol } from '../../shared/exchange.js';
import { formatHostPort } from '../../shared/net-util.js';
import type { Service, ServiceContext } from '../../shared/service.js';
import { findZone } from './authority.js';
import { builtinZone } from './builtin-zone.js';
import { absolute } from './names.js';
import type { DnsServiceOptions } from './options.js';
import { type ReceivedQuery, receivedQuery } from './received-query.js';
import { typeCode, type ZoneRecord, type ZoneType } from './records.js';
import { DnsServer, type QueryEvent } from './server.js';
import { parseTsigKey } from './tsig.js';
import { bumpSerial } from './update.js';
import type { Zone } from './zone.js';
import { parseRecords, zoneFromText } from './zone-file.js';

/** TTL of records added at run time without one. */
export const ADDED_RECORD_TTL = 60;

/** A record for {@link DnsService.addRecord}: names absolute (trailing dot optional), data in zone-file form. */
export interface RecordInput {
  readonly name: string;
  readonly type: ZoneType;
  /** Default {@link ADDED_RECORD_TTL}. */
  readonly ttl?: number;
  /** "10.0.0.1", "10 mail.example.test", or for TXT the strings (quoted for you). */
  readonly data: string | readonly string[];
}

/** What {@link DnsService.removeRecord} removes: every record of the name, or of one type, or one record. */
export interface RecordMatchInput {
  readonly name: string;
  readonly type?: ZoneType;
  readonly data?: string | readonly string[];
}

function quoteTxt(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function toLine(input: RecordInput | RecordMatchInput, type: string): string {
  const data = input.data ?? '';
  const rdata = typeof data === 'string' ? data : data.map(quoteTxt).join(' ');
  const ttl = 'ttl' in input && input.ttl !== undefined ? input.ttl : ADDED_RECORD_TTL;
  return `${input.name.endsWith('.') ? input.name : `${input.name}.`} ${ttl} IN ${type} ${rdata}`;
}

/** Parses one record given as an object or a zone-file line; names are taken as absolute. */
function parseOne(input: RecordInput | string, what: string): ZoneRecord {
  const line = typeof input === 'string' ? input : toLine(input, input.type);
  if (/[\r\n]/.test(line)) throw new ConfigError(what, 'a record is one line');
  const [parsed, extra] = parseRecords(line, { file: what, origin: '', defaultTtl: ADDED_RECORD_TTL });
  if (!parsed || extra) throw new ConfigError(what, `expected exactly one record in '${line}'`);
  return parsed.record;
}

export class DnsService implements Service {
  readonly protocol = 'dns' as const;
  #ctx: ServiceContext;
  #options: DnsServiceOptions;
  #zones: Zone[] = [];
  #server: DnsServer | undefined;
  /** Messages handled so far (for marks). */
  #handled = 0;
  #queryListeners = new Set<(event: QueryEvent) => void>();

  constructor(ctx: ServiceContext, options: DnsServiceOptions = {}) {
    this.#ctx = ctx;
    this.#options = options;
  }

  get host(): string {
    return this.#ctx.host;
  }

  get port(): number {
    return this.#server?.port ?? this.#options.port ?? 0;
  }

  /** The zones served (the built-in one, or those of `--zone`). */
  get zones(): readonly Zone[] {
    return this.#zones;
  }

  async start(): Promise<void> {
    const keys = (this.#options.tsigKeys ?? []).map((text, i) => {
      try {
        return parseTsigKey(text);
      } catch (err) {
        throw new ConfigError(`--dns-tsig[${i}]`, (err as Error).message);
      }
    });
    this.#zones = await this.#loadZones();
    const o = this.#options;
    const server = new DnsServer({
      // The limits: one not given (undefined) keeps the server's default.
      maxConnections: o.maxConnections,
      maxConnectionsPerAddress: o.maxConnectionsPerAddress,
      idleTimeoutMs: o.idleTimeoutMs,
      queryDeadlineMs: o.queryDeadlineMs,
      maxTcpQueryBytes: o.maxTcpQueryBytes,
      recvBufferSize: o.recvBufferSize,
      answerCacheEntries: o.answerCacheEntries,
      zones: () => this.#zones,
      host: this.#ctx.host,
      port: this.#options.port ?? 0,
      log: this.#ctx.log,
      faults: this.#ctx.faults,
      update: { allowUpdate: this.#options.allowUpdate ?? false, keys },
      transfer: { allowTransfer: this.#options.allowTransfer ?? [], keys },
      ...(this.#ctx.tls ? { tls: this.#ctx.tls, dotPort: this.#options.dotPort ?? 0 } : {}),
    });
    server.on('query', (e) => {
      this.#handled++;
      for (const listener of this.#queryListeners) {
        try {
          listener(e);
        } catch {
          // A broken listener must not break the server.
        }
      }
    });
    this.#server = server;
    await server.listen();
  }

  /** The DNS-over-TLS port when TLS is on. */
  get tlsPort(): number | undefined {
    return this.#server?.dotPort;
  }

  urls(): string[] {
    const where = formatHostPort(this.host, this.port);
    const dot = this.tlsPort;
    return [
      `udp://${where}`,
      `tcp://${where}`,
      ...(dot !== undefined ? [`tls://${formatHostPort(this.host, dot)}`] : []),
    ];
  }

  /**
   * Answers a DNS message that came over HTTPS (RFC 8484; the suite mounts the route), recorded
   * as a 'tls' exchange of the HTTP `session`. Undefined when there is no answer to give (not
   * started, or not a query at all).
   */
  answer(message: Buffer, peer: string, session: string): Buffer | undefined {
    return this.#server?.answer(message, peer, session);
  }

  openConnections(): number {
    return this.#server?.connections ?? 0;
  }

  /** UDP datagrams the flood filter dropped unread (udp-filter.ts) since start. */
  udpDropped(): number {
    return this.#server?.udpDropped ?? 0;
  }

  healthy(): boolean {
    return this.#server?.listening ?? false;
  }

  close(options: { graceMs?: number } = {}): Promise<void> {
    return this.#server?.close(options) ?? Promise.resolve();
  }

  /**
   * Adds a record at run time to the zone that contains it (a zone-file line like
   * `"x.suite.test. 60 IN A 10.0.0.1"` or a {@link RecordInput}). Returns false when it was there.
   */
  addRecord(record: RecordInput | string): boolean {
    const parsed = parseOne(record, 'addRecord');
    const zone = findZone(this.#zones, parsed.name);
    if (!zone) throw new ConfigError('addRecord', `${absolute(parsed.name)} is in none of the served zones`);
    try {
      const added = zone.add(parsed);
      // RFC 1982 / RFC 2136 §3.7: every change moves the serial on, so secondaries notice.
      if (added) bumpSerial(zone);
      return added;
    } catch (err) {
      throw new ConfigError('addRecord', (err as Error).message);
    }
  }

  /** Removes matching records (never the SOA); returns how many went. */
  removeRecord(match: RecordMatchInput): number {
    const withData = match.data !== undefined;
    const probe = parseOne(
      { name: match.name, type: withData ? (match.type ?? 'A') : 'A', data: match.data ?? '127.0.0.1' },
      'match',
    );
    const code = match.type === undefined ? undefined : typeCode(match.type);
    if (match.type !== undefined && code === undefined)
      throw new ConfigError('removeRecord', `unknown type '${match.type}'`);
    const zone = findZone(this.#zones, probe.name);
    if (!zone) return 0;
    const removed = zone.remove({
      name: probe.name,
      ...(code !== undefined ? { type: code } : {}),
      ...(match.data !== undefined ? { like: probe } : {}),
    });
    if (removed > 0) bumpSerial(zone);
    return removed;
  }

  /**
   * Calls `listener` for every message handled from now on, with the response sent (the console
   * shows recent queries with their answers); returns the unsubscribe function.
   */
  onQuery(listener: (event: QueryEvent) => void): () => void {
    this.#queryListeners.add(listener);
    return () => this.#queryListeners.delete(listener);
  }

  /**
   * The queries received so far, oldest first, as the exchange log still holds them (its last
   * EXCHANGE_LOG_CAPACITY records, of every protocol); with `since`, only those after that
   * `suite.mark()`.
   */
  queries(options: { since?: { readonly exchanges: number } } = {}): ReceivedQuery[] {
    const after = options.since?.exchanges ?? 0;
    const out: ReceivedQuery[] = [];
    for (const r of this.#ctx.log.recent({ protocol: 'dns' }))
      if (r.side === 'server' && r.id > after) out.push(receivedQuery(r));
    return out;
  }

  /** Queries received so far, including those the log has dropped (for marks). */
  get queryCount(): number {
    return this.#handled;
  }

  /** A service of the run's TLS port; 0 (a record pointing nowhere) for one not running. */
  #peerTlsPort(protocol: Protocol): number {
    return this.#ctx.peers().find((s) => s.protocol === protocol)?.tlsPort ?? 0;
  }

  #peerPort(protocol: Protocol, configured: number): number {
    const peer = this.#ctx.peers().find((s) => s.protocol === protocol);
    return peer && peer.port > 0 ? peer.port : configured;
  }

  async #loadZones(): Promise<Zone[]> {
    const files = this.#options.zones ?? [];
    if (files.length === 0) {
      const srv = this.#options.srvPorts ?? {};
      return [
        builtinZone({
          http: () => this.#peerPort('http', srv.http ?? 0),
          ftp: () => this.#peerPort('ftp', srv.ftp ?? 0),
          smtp: () => this.#peerPort('smtp', srv.smtp ?? 0),
          ...(this.#ctx.tls
            ? {
                tls: {
                  https: () => this.#peerTlsPort('http'),
                  smtps: () => this.#peerTlsPort('smtp'),
                  ftps: () => this.#peerTlsPort('ftp'),
                  dot: () => this.tlsPort ?? 0,
                },
              }
            : {}),
        }),
      ];
    }
    const zones: Zone[] = [];
    const origins = new Map<string, string>();
    for (const file of files) {
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (err) {
        throw fileReadError('--zone', file, err);
      }
      const zone = zoneFromText(text, { file });
      const other = origins.get(zone.origin);
      if (other !== undefined)
        throw new ConfigError('--zone', `zone ${absolute(zone.origin)} is defined twice (${other} and ${file})`);
      origins.set(zone.origin, file);
      zones.push(zone);
    }
    return zones;
  }
}
