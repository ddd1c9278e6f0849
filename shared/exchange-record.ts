/**
 * The exchange record (SPEC.md) and the names it is made of. Its own module so the log and the
 * ring that stores it both depend on it, not on each other.
 * @module
 */
export const PROTOCOLS = ['http', 'ftp', 'smtp', 'dns'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export type Side = 'server' | 'client';
export type Transport = 'tcp' | 'udp' | 'tls';

/**
 * One request/response pair (format fixed by SPEC.md). Records are plain objects, typed read-only
 * but not frozen (`Object.freeze` took a slow runtime call per record, about 0.17 µs of a 19 µs
 * HTTP request): the log keeps its own copy of the fields, so a record changed by whoever
 * received it changes nothing the log gives out later.
 */
export interface ExchangeRecord {
  readonly id: number;
  /** ISO 8601 time the request arrived (or was sent, on the client side). */
  readonly time: string;
  readonly protocol: Protocol;
  readonly side: Side;
  readonly transport: Transport;
  /** Connection id, e.g. "ftp-12". */
  readonly session: string;
  /** The other end, "127.0.0.1:53211". */
  readonly peer: string;
  /** One line, secrets already masked: "RETR a.txt", "PASS ****". */
  readonly request: string;
  /** One line: "226 Transfer complete". */
  readonly response: string;
  readonly ok: boolean;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly durationMs: number;
  /** Set when a fault rule changed the exchange: `"<rule id>: <what was done>"` (SPEC.md, Faults). */
  readonly fault?: string;
}

/**
 * What a protocol hands to {@link ExchangeLog.add}; id and (by default) time are filled in. A time
 * may be given as ISO text, a Date or epoch milliseconds (`Date.now()`, cheapest on a hot path).
 */
export type ExchangeInput = Omit<ExchangeRecord, 'id' | 'time'> & { readonly time?: string | Date | number };
