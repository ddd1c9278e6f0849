/**
 * Fair admission for a TCP server: who may take a connection slot, and who gives one up.
 * - per address: one client (one IP) holds at most `maxConnectionsPerAddress` slots, so a hostile
 *   local process cannot take every slot from the others;
 * - global: at `maxConnections` an idle connection (no exchange in flight, not a stream), the one
 *   quiet for longest, is closed to make room before a newcomer is refused;
 * - streams (Server-Sent Events and the like) live for minutes and have their own caps, so they
 *   cannot use up the slots of short requests.
 * Knows no protocol and no sockets: it counts {@link TableEntry}s by address.
 * @module
 */
import { MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS, MAX_STREAMS, MAX_STREAMS_PER_ADDRESS } from './limits.js';
import { normalizeAddress } from './net-util.js';

/** The connection limits every TCP server takes; each defaults to the named constant. */
export interface ConnectionLimits {
  /** Connections served at once; default {@link MAX_CONNECTIONS}. */
  readonly maxConnections?: number;
  /** Connections one client address may hold; default {@link MAX_CONNECTIONS_PER_ADDRESS}. */
  readonly maxConnectionsPerAddress?: number;
  /** Long-lived streams (SSE) at once; default {@link MAX_STREAMS}. */
  readonly maxStreams?: number;
  /** Long-lived streams one client address may hold; default {@link MAX_STREAMS_PER_ADDRESS}. */
  readonly maxStreamsPerAddress?: number;
}

/** What the table needs to know of a connection. */
export interface TableEntry {
  /** The client's IP as the socket reports it. */
  readonly remoteAddress: string;
  /** An exchange is in flight: never closed to make room. */
  readonly busy: boolean;
  /** `performance.now()` of its last exchange start or end (or its accept). */
  readonly lastActive: number;
}

/** Why a newcomer is refused. */
export type Refusal = 'full' | 'address';

export class ConnectionTable<T extends TableEntry> {
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  readonly maxStreams: number;
  readonly maxStreamsPerAddress: number;
  readonly #entries = new Set<T>();
  readonly #perAddress = new Map<string, number>();
  readonly #streams = new Set<T>();
  readonly #streamsPerAddress = new Map<string, number>();

  constructor(limits: ConnectionLimits = {}) {
    this.maxConnections = limits.maxConnections ?? MAX_CONNECTIONS;
    this.maxConnectionsPerAddress = limits.maxConnectionsPerAddress ?? MAX_CONNECTIONS_PER_ADDRESS;
    this.maxStreams = limits.maxStreams ?? MAX_STREAMS;
    this.maxStreamsPerAddress = limits.maxStreamsPerAddress ?? MAX_STREAMS_PER_ADDRESS;
  }

  get size(): number {
    return this.#entries.size;
  }

  get streams(): number {
    return this.#streams.size;
  }

  /** Connections held by `address` now. */
  countOf(address: string): number {
    return this.#perAddress.get(normalizeAddress(address)) ?? 0;
  }

  /**
   * Decides on a newcomer from `address`: undefined = admit (after closing `evict`, if given),
   * else why not. The caller closes `evict` and then calls {@link add}.
   */
  admit(address: string): { refused?: Refusal; evict?: T } {
    if (this.countOf(address) >= this.maxConnectionsPerAddress) return { refused: 'address' };
    if (this.#entries.size < this.maxConnections) return {};
    let oldest: T | undefined;
    for (const entry of this.#entries) {
      if (entry.busy || this.#streams.has(entry)) continue;
      if (oldest === undefined || entry.lastActive < oldest.lastActive) oldest = entry;
    }
    return oldest ? { evict: oldest } : { refused: 'full' };
  }

  add(entry: T): void {
    this.#entries.add(entry);
    bump(this.#perAddress, normalizeAddress(entry.remoteAddress), 1);
  }

  /** Forgets `entry` (closed or evicted); idempotent. */
  delete(entry: T): void {
    if (!this.#entries.delete(entry)) return;
    bump(this.#perAddress, normalizeAddress(entry.remoteAddress), -1);
    this.endStream(entry);
  }

  /** Counts `entry` as a long-lived stream if the caps allow; false = refuse the stream. */
  beginStream(entry: T): boolean {
    if (this.#streams.has(entry)) return true;
    const address = normalizeAddress(entry.remoteAddress);
    if (this.#streams.size >= this.maxStreams) return false;
    if ((this.#streamsPerAddress.get(address) ?? 0) >= this.maxStreamsPerAddress) return false;
    this.#streams.add(entry);
    bump(this.#streamsPerAddress, address, 1);
    return true;
  }

  endStream(entry: T): void {
    if (!this.#streams.delete(entry)) return;
    bump(this.#streamsPerAddress, normalizeAddress(entry.remoteAddress), -1);
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
