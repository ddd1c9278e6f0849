/**
 * UDP listener with the same lifecycle as {@link TcpServer}: `listen()` resolves when bound,
 * `close()` is idempotent and lets in-flight handlers finish within a grace period.
 * @module
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import { CLOSE_GRACE_MS, UDP_RECEIVE_BUFFER_BYTES } from './limits.js';
import { formatHostPort } from './net-util.js';
import { attachSocketFilter, socketDrops } from './socket-filter.js';
import { listenError } from './tcp-server.js';

export interface UdpServerOptions {
  /** Name used in errors ("dns"). */
  readonly name: string;
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
  /** Port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Receive buffer asked of the kernel (capped by net.core.rmem_max); default {@link UDP_RECEIVE_BUFFER_BYTES}. */
  readonly recvBufferSize?: number;
  /**
   * A cheap look at the raw bytes before anything else is done for a datagram: false drops it
   * silently (counted in {@link UdpServer.dropped}), so a flood of garbage costs as little as
   * possible. Default: every datagram goes to the handler.
   */
  readonly accept?: ((data: Buffer) => boolean) | undefined;
  /**
   * A classic BPF program (shared/bpf.ts) attached to the socket once bound, so the kernel drops
   * garbage before Node reads it (shared/socket-filter.ts). It must drop exactly what `accept`
   * drops: without the optional addon, or when the kernel refuses it, `accept` alone decides.
   * Default none.
   */
  readonly kernelFilter?: Uint8Array | undefined;
}

export interface Datagram {
  readonly data: Buffer;
  readonly address: string;
  readonly port: number;
  /** "127.0.0.1:53211". */
  readonly peer: string;
}

/** Handles one datagram; `reply` sends one back to its sender. */
export type DatagramHandler = (datagram: Datagram, reply: (data: Uint8Array) => Promise<void>) => void | Promise<void>;

const RESOLVED: Promise<void> = Promise.resolve();

export class UdpServer {
  readonly name: string;
  readonly host: string;
  #requestedPort: number;
  #socket: dgram.Socket;
  #handler: DatagramHandler;
  #inFlight = new Set<Promise<void>>();
  #state: 'new' | 'listening' | 'closing' | 'closed' = 'new';
  #closing: Promise<void> | undefined;
  #ipv6: boolean;
  /** The last sender and its "address:port": a client sending many queries gets one string, not one per query. */
  #lastAddress = '';
  #lastPort = -1;
  #lastPeer = '';
  #accept: ((data: Buffer) => boolean) | undefined;
  #recvBufferSize: number;
  #dropped = 0;
  #kernelFilter: Uint8Array | undefined;
  #kernelFiltered = false;
  /** The kernel's drop count when the filter was attached, and the last one read (kept after close). */
  #kernelDropsBase = 0;
  #kernelDrops = 0;

  constructor(options: UdpServerOptions, handler: DatagramHandler) {
    this.name = options.name;
    this.host = options.host ?? '127.0.0.1';
    this.#requestedPort = options.port ?? 0;
    this.#handler = handler;
    this.#accept = options.accept;
    this.#kernelFilter = options.kernelFilter;
    this.#recvBufferSize = options.recvBufferSize ?? UDP_RECEIVE_BUFFER_BYTES;
    this.#ipv6 = net.isIPv6(this.host);
    this.#socket = dgram.createSocket({ type: this.#ipv6 ? 'udp6' : 'udp4', lookup: this.#lookup });
    this.#socket.on('message', (data, rinfo) => this.#receive(data, rinfo));
    // A UDP socket reports ICMP errors of earlier sends here; none of them is fatal to the server.
    this.#socket.on('error', () => {});
  }

  get state(): string {
    return this.#state;
  }

  /** Datagrams `accept` turned away unread. */
  get dropped(): number {
    return this.#dropped;
  }

  /** True when the kernel runs {@link UdpServerOptions.kernelFilter} on this socket (those drops are not counted here). */
  get kernelFiltered(): boolean {
    return this.#kernelFiltered;
  }

  /**
   * Datagrams the kernel dropped since {@link UdpServerOptions.kernelFilter} was attached: those
   * the filter refused, and any a full receive buffer lost (the kernel counts both as one). 0
   * without a kernel filter.
   */
  get kernelDropped(): number {
    if (this.#kernelFiltered && this.#state !== 'closed') {
      const now = socketDrops(this.#socket);
      // A u32 in the kernel: wrapping is handled by the unsigned difference.
      if (now !== undefined) this.#kernelDrops = (now - this.#kernelDropsBase) >>> 0;
    }
    return this.#kernelDrops;
  }

  /** The receive buffer the kernel granted (Linux reports twice the bytes asked, for bookkeeping). */
  get recvBufferSize(): number {
    try {
      return this.#socket.getRecvBufferSize();
    } catch {
      return 0;
    }
  }

  get port(): number {
    try {
      return this.#socket.address().port;
    } catch {
      return this.#requestedPort;
    }
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        this.#state = 'closed';
        reject(listenError(this.name, this.host, this.#requestedPort, err));
      };
      this.#socket.once('error', onError);
      this.#socket.bind({ address: this.host, port: this.#requestedPort, exclusive: true }, () => {
        this.#socket.off('error', onError);
        try {
          this.#socket.setRecvBufferSize(this.#recvBufferSize);
        } catch {
          // Refused by the system: the kernel's default buffer stays, smaller but working.
        }
        if (this.#kernelFilter) this.#kernelFiltered = attachSocketFilter(this.#socket, this.#kernelFilter);
        if (this.#kernelFiltered) this.#kernelDropsBase = socketDrops(this.#socket) ?? 0;
        this.#state = 'listening';
        resolve(this.port);
      });
    });
  }

  /** Stops receiving, waits up to `graceMs` for handlers still running, then closes. Idempotent. */
  close(options: { graceMs?: number } = {}): Promise<void> {
    if (this.#closing) return this.#closing;
    const graceMs = options.graceMs ?? CLOSE_GRACE_MS;
    const wasListening = this.#state === 'listening';
    this.#state = 'closing';
    this.#closing = (async () => {
      if (this.#inFlight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((r) => {
          timer = setTimeout(r, graceMs);
          timer.unref();
        });
        await Promise.race([Promise.allSettled([...this.#inFlight]), deadline]);
        clearTimeout(timer);
      }
      // Replies are sent after an address lookup on the next tick: let them leave before closing.
      await new Promise<void>((r) => setImmediate(r));
      void this.kernelDropped; // the last count, kept once the socket is gone
      if (wasListening) await new Promise<void>((r) => this.#socket.close(() => r()));
      this.#state = 'closed';
    })();
    return this.#closing;
  }

  /**
   * dgram resolves the address of every send, and node's resolver answers even an IP literal on
   * the next tick. Replies always go to the literal a datagram came from: once listening, a
   * literal is its own answer, synchronously. Names (and the bind) still go through dns.lookup.
   */
  #lookup = (
    host: string,
    // Node passes the socket's family as a number; the type says options.
    options: dns.LookupOneOptions | number,
    callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
  ): void => {
    const literal = this.#state === 'listening' ? net.isIP(host) : 0;
    if (literal !== 0) callback(null, host, literal);
    else if (typeof options === 'number') dns.lookup(host, options, callback);
    else dns.lookup(host, options, callback);
  };

  #receive(data: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.#state !== 'listening') return;
    if (this.#accept && !this.#accept(data)) {
      this.#dropped++;
      return;
    }
    if (rinfo.port !== this.#lastPort || rinfo.address !== this.#lastAddress) {
      this.#lastAddress = rinfo.address;
      this.#lastPort = rinfo.port;
      // A udp4 socket only ever sees IPv4 senders: skip the IPv6 test of formatHostPort.
      this.#lastPeer = this.#ipv6 ? formatHostPort(rinfo.address, rinfo.port) : `${rinfo.address}:${rinfo.port}`;
    }
    const datagram: Datagram = { data, address: rinfo.address, port: rinfo.port, peer: this.#lastPeer };
    // No send callback: Node then tries a synchronous send (uv_udp_try_send) instead of queueing
    // one and calling back per datagram, which halves the throughput of a small-answer server.
    // UDP is fire-and-forget anyway; send errors arrive on the socket's 'error' event.
    const reply = (out: Uint8Array): Promise<void> => {
      if (this.#state !== 'closed') this.#socket.send(out, rinfo.port, rinfo.address);
      return RESOLVED;
    };
    let result: void | Promise<void>;
    try {
      result = this.#handler(datagram, reply);
    } catch {
      // The protocol answers its own failures; an escaped error must not kill the listener.
      return;
    }
    // Only asynchronous handlers are in flight; synchronous ones are done already.
    if (!result || typeof result.then !== 'function') return;
    const task = result.then(
      () => {},
      () => {},
    );
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task));
  }
}
