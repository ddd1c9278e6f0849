/**
 * Options of the HTTP server and of the service that runs it, with their defaults. Every limit is
 * a named constant (`limits.ts`) and an option.
 * @module
 */
import type { ByteBudget } from '../../shared/byte-budget.js';
import type { ExchangeLog } from '../../shared/exchange.js';
import type { FaultEngine } from '../../shared/faults/engine.js';
import {
  IDLE_TIMEOUT_MS,
  MAX_CONNECTIONS,
  MAX_CONNECTIONS_PER_ADDRESS,
  MAX_STREAMS,
  MAX_STREAMS_PER_ADDRESS,
} from '../../shared/limits.js';
import type { TlsMaterial } from '../../shared/tls.js';
import { RECLAIM_AFTER_BYTES } from './body-reclaim.js';
import type { HttpbinOptions } from './httpbin.js';
import {
  HEADERS_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_BODY_BYTES,
  MAX_BODY_BYTES_IN_FLIGHT,
  MAX_BODY_BYTES_IN_FLIGHT_PER_ADDRESS,
  MAX_HEADER_BYTES,
  REQUEST_TIMEOUT_MS,
  TIMEOUT_CHECK_INTERVAL_MS,
} from './limits.js';

export interface HttpServerOptions {
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
  /** Port; default 0 (a free one). */
  readonly port?: number;
  /**
   * Connections at once; default {@link MAX_CONNECTIONS}. At the limit the idle connection quiet
   * for longest is closed to make room; with none idle, 503 and close.
   */
  readonly maxConnections?: number;
  /** Connections one client address may hold; default {@link MAX_CONNECTIONS_PER_ADDRESS}. Over it: 503. */
  readonly maxConnectionsPerAddress?: number;
  /** Event streams (`/api/events`) at once; default {@link MAX_STREAMS}. Over it: 503. */
  readonly maxStreams?: number;
  /** Event streams one client address may hold; default {@link MAX_STREAMS_PER_ADDRESS}. Over it: 503. */
  readonly maxStreamsPerAddress?: number;
  /** A connection without traffic for this long is closed; default {@link IDLE_TIMEOUT_MS}. */
  readonly idleTimeoutMs?: number;
  /** Largest request head; default {@link MAX_HEADER_BYTES}. Over it: 431. */
  readonly maxHeaderBytes?: number;
  /** Largest request body; default {@link MAX_BODY_BYTES}. Over it: 413. */
  readonly maxBodyBytes?: number;
  /** Request bodies in flight at once; default {@link MAX_BODY_BYTES_IN_FLIGHT}. Over it: 503 at once. */
  readonly maxBodyBytesInFlight?: number;
  /** The same for one client address; default {@link MAX_BODY_BYTES_IN_FLIGHT_PER_ADDRESS}. */
  readonly maxBodyBytesInFlightPerAddress?: number;
  /**
   * The budget itself, to share one among several servers of a process (the two limits above are
   * then ignored); default one per server.
   */
  readonly bodyBudget?: ByteBudget;
  /**
   * After this many body bytes were let go, one full GC is asked for so their memory goes back to
   * the system (body-reclaim.ts); default {@link RECLAIM_AFTER_BYTES}, 0 never.
   */
  readonly reclaimAfterBodyBytes?: number;
  /** Time to send a complete request head; default {@link HEADERS_TIMEOUT_MS}. Over it: 408. */
  readonly headersTimeoutMs?: number;
  /** Time to send a complete request; default {@link REQUEST_TIMEOUT_MS}. Over it: 408. */
  readonly requestTimeoutMs?: number;
  /** Idle keep-alive connections are closed after this; default {@link KEEP_ALIVE_TIMEOUT_MS}. */
  readonly keepAliveTimeoutMs?: number;
  /** How often the two timeouts above are checked; default {@link TIMEOUT_CHECK_INTERVAL_MS}. */
  readonly timeoutCheckIntervalMs?: number;
  /** Where exchange records go; default none. */
  readonly log?: ExchangeLog;
  /** Fault rules (faults.ts says what they can do to HTTP); default none. */
  readonly faults?: FaultEngine | undefined;
  /** Paths no fault touches (the console's `/api/faults`, so a rule can always be removed); default none. */
  readonly faultExempt?: ((path: string) => boolean) | undefined;
  /** Certificate and key: HTTPS on {@link httpsPort} as well, ALPN h2 and http/1.1; default none. */
  readonly tls?: TlsMaterial;
  /** HTTPS port with `tls`; default 0 (a free one). */
  readonly httpsPort?: number;
}

/** The defaults of {@link HttpServerOptions} (the log, the body budget object and the fault rules have none). */
export const HTTP_DEFAULTS: Required<Omit<HttpServerOptions, 'log' | 'bodyBudget' | 'faults' | 'faultExempt' | 'tls'>> =
  Object.freeze({
    host: '127.0.0.1',
    port: 0,
    httpsPort: 0,
    maxConnections: MAX_CONNECTIONS,
    maxConnectionsPerAddress: MAX_CONNECTIONS_PER_ADDRESS,
    maxStreams: MAX_STREAMS,
    maxStreamsPerAddress: MAX_STREAMS_PER_ADDRESS,
    idleTimeoutMs: IDLE_TIMEOUT_MS,
    maxHeaderBytes: MAX_HEADER_BYTES,
    maxBodyBytes: MAX_BODY_BYTES,
    maxBodyBytesInFlight: MAX_BODY_BYTES_IN_FLIGHT,
    maxBodyBytesInFlightPerAddress: MAX_BODY_BYTES_IN_FLIGHT_PER_ADDRESS,
    reclaimAfterBodyBytes: RECLAIM_AFTER_BYTES,
    headersTimeoutMs: HEADERS_TIMEOUT_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
    timeoutCheckIntervalMs: TIMEOUT_CHECK_INTERVAL_MS,
  });

/**
 * What {@link HttpService} takes: the server's options (host and log come from the service
 * context) and the limits of the httpbin-style routes.
 */
export interface HttpServiceOptions extends Omit<HttpServerOptions, 'host' | 'log' | 'tls'>, HttpbinOptions {
  /** Stubs set at start (SPEC "HTTP stubs"; validated, a bad one throws StubError); default none. */
  readonly stubs?: readonly unknown[];
  /** Requests kept for `requests()` and `/api/requests`; default RECORDED_REQUESTS (1,000). */
  readonly recordedRequests?: number;
  /** Body bytes kept per recorded request; default RECORDED_BODY_BYTES (64 KiB). */
  readonly recordedBodyBytes?: number;
  /**
   * Host names the console and /files/ answer to besides IP literals, single-label names
   * (`localhost`) and `.test`/`.localhost` names (origin-guard.ts); `*.name` allows subdomains.
   * Default none.
   */
  readonly allowedHosts?: readonly string[];
}
