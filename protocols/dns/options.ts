/**
 * Options of the DNS server and of the service that runs it, with their defaults. Every limit is
 * a named constant and an option.
 * @module
 */
import type { ExchangeLog } from '../../shared/exchange.js';
import type { FaultEngine } from '../../shared/faults/engine.js';
import { MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS, UDP_RECEIVE_BUFFER_BYTES } from '../../shared/limits.js';
import type { TlsMaterial } from '../../shared/tls.js';
import { ANSWER_CACHE_ENTRIES } from './answer-cache.js';
import type { TransferPolicy } from './axfr.js';
import { MAX_UDP_PAYLOAD } from './edns.js';
import type { UpdatePolicy } from './update.js';
import type { Zone } from './zone.js';

/** A TCP connection with no query for this long is closed (RFC 7766 §6.2.3 suggests seconds, not minutes). */
export const DNS_IDLE_TIMEOUT_MS = 10_000;
/**
 * A whole query over TCP (its length prefix and message) must arrive within this long of its first
 * byte, or the connection is closed: the idle timer alone would let a byte every few seconds hold
 * the connection forever.
 */
export const TCP_QUERY_DEADLINE_MS = 5_000;
/** Largest query accepted over TCP; a frame announcing more closes the connection. Queries are small. */
export const MAX_TCP_QUERY_BYTES = 4096;
/** With port 0: how many TCP/UDP port pairs to try before giving up (the UDP twin may be taken). */
export const PORT_PAIR_ATTEMPTS = 8;

export interface DnsServerOptions {
  /** Where the zones come from at query time. */
  readonly zones: () => readonly Zone[];
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
  /** UDP and TCP port; default 0 (a free pair). */
  readonly port?: number;
  /** Simultaneous TCP connections; default {@link MAX_CONNECTIONS}. At it an idle one is closed to make room. */
  readonly maxConnections?: number;
  /** TCP connections one client address may hold; default {@link MAX_CONNECTIONS_PER_ADDRESS}. */
  readonly maxConnectionsPerAddress?: number;
  /** TCP idle timeout; default {@link DNS_IDLE_TIMEOUT_MS}. */
  readonly idleTimeoutMs?: number;
  /** Deadline for one whole TCP query from its first byte; default {@link TCP_QUERY_DEADLINE_MS}. 0 disables. */
  readonly queryDeadlineMs?: number;
  /**
   * UDP receive buffer asked of the kernel, so a burst waits there instead of being lost; default
   * {@link UDP_RECEIVE_BUFFER_BYTES} (the kernel caps it at net.core.rmem_max).
   */
  readonly recvBufferSize?: number;
  /**
   * Drop UDP garbage in the kernel, before Node reads it, with the socket filter of udp-bpf.ts
   * (the same rule as udp-filter.ts) when the optional addon `minisuite-socket-filter` is built;
   * default true. False, or no addon, leaves the JavaScript filter alone: the answers are the same.
   */
  readonly kernelUdpFilter?: boolean;
  /** Our EDNS UDP payload size; default {@link MAX_UDP_PAYLOAD}. */
  readonly maxUdpPayload?: number;
  /** Largest TCP query frame; default {@link MAX_TCP_QUERY_BYTES}. */
  readonly maxTcpQueryBytes?: number;
  /** Port pairs tried with port 0; default {@link PORT_PAIR_ATTEMPTS}. */
  readonly portAttempts?: number;
  /** Answers remembered for repeated queries (answer-cache.ts), 0 for none; default {@link ANSWER_CACHE_ENTRIES}. */
  readonly answerCacheEntries?: number;
  /** Where server-side exchange records go; default none. */
  readonly log?: ExchangeLog;
  /** Fault rules (faults.ts says what they can do to DNS); default none. */
  readonly faults?: FaultEngine | undefined;
  /** Dynamic updates (RFC 2136); default none allowed (REFUSED). */
  readonly update?: UpdatePolicy | undefined;
  /** Zone transfers (RFC 5936); default none allowed (REFUSED). */
  readonly transfer?: TransferPolicy | undefined;
  /** Certificate and key: DNS over TLS (RFC 7858) on {@link dotPort}; default none. */
  readonly tls?: TlsMaterial;
  /** DNS over TLS port with `tls`; default 0 (a free one). */
  readonly dotPort?: number;
}

/** The defaults of {@link DnsServerOptions} (zones and log have none). */
export const DNS_DEFAULTS: Required<
  Omit<DnsServerOptions, 'zones' | 'log' | 'faults' | 'update' | 'transfer' | 'tls'>
> = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  dotPort: 0,
  maxConnections: MAX_CONNECTIONS,
  maxConnectionsPerAddress: MAX_CONNECTIONS_PER_ADDRESS,
  idleTimeoutMs: DNS_IDLE_TIMEOUT_MS,
  queryDeadlineMs: TCP_QUERY_DEADLINE_MS,
  recvBufferSize: UDP_RECEIVE_BUFFER_BYTES,
  kernelUdpFilter: true,
  maxUdpPayload: MAX_UDP_PAYLOAD,
  maxTcpQueryBytes: MAX_TCP_QUERY_BYTES,
  portAttempts: PORT_PAIR_ATTEMPTS,
  answerCacheEntries: ANSWER_CACHE_ENTRIES,
});

/** The server's limits a {@link DnsService} passes on (defaults as the server's). */
type DnsLimitOptions = Pick<
  DnsServerOptions,
  | 'maxConnections'
  | 'maxConnectionsPerAddress'
  | 'idleTimeoutMs'
  | 'queryDeadlineMs'
  | 'maxTcpQueryBytes'
  | 'recvBufferSize'
  | 'answerCacheEntries'
>;

/** What {@link DnsService} takes: its own settings, and the server's limits. */
export interface DnsServiceOptions extends DnsLimitOptions {
  /** UDP and TCP port; default 0 (a free pair). */
  readonly port?: number;
  /** DNS over TLS port when the context has TLS; default 0 (a free one). */
  readonly dotPort?: number;
  /** RFC 1035 master files to serve; default none, which serves the built-in `suite.test`. */
  readonly zones?: readonly string[];
  /**
   * Ports the built-in zone's SRV records name for services not running in the same run (a
   * running one gives its real port); default 0 each.
   */
  readonly srvPorts?: Readonly<Partial<Record<'http' | 'ftp' | 'smtp', number>>>;
  /** Unsigned dynamic updates are applied (`--dns-allow-update`); default false. */
  readonly allowUpdate?: boolean;
  /** TSIG keys `NAME:ALG:SECRET` whose signed updates and transfers are allowed (`--dns-tsig`); default none. */
  readonly tsigKeys?: readonly string[];
  /** Peer addresses allowed to transfer zones (`--dns-allow-transfer`); default none. */
  readonly allowTransfer?: readonly string[];
}
