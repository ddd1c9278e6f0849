/**
 * TCP server base that knows no protocol verbs: listen, track connections, fair connection limits
 * (per address, global with idle eviction, streams apart: connection-table.ts), idle timeouts, `noDelay`, and a graceful idempotent `close()` (modelled on http-terminator and
 * smtp-server's close: stop accepting, let in-flight exchanges finish, say goodbye, destroy the rest).
 * @module
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type tls from 'node:tls';
import { type ConnectionLimits, ConnectionTable, type Refusal } from './connection-table.js';
import { isPeerReset, MinisuiteError } from './errors.js';
import { CLOSE_GRACE_MS, IDLE_TIMEOUT_MS } from './limits.js';
import { formatHostPort } from './net-util.js';

export type { ConnectionLimits, Refusal } from './connection-table.js';

export interface TcpServerOptions extends ConnectionLimits {
  /** Prefix of connection ids ("ftp" gives "ftp-1", "ftp-2"...). */
  readonly name: string;
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
  /** Port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Idle time before `onIdle`; default {@link IDLE_TIMEOUT_MS}. 0 disables. */
  readonly idleTimeoutMs?: number;
  /** Sees each admitted connection before the protocol does (connection faults); default: serve at once. */
  readonly gate?: ConnectionGate | undefined;
}

/**
 * Decides when (or whether) an admitted connection reaches the protocol: `serve()` hands it over
 * (now or later); a gate that never calls it keeps the connection away from the protocol, which
 * still counts against the limit and still ends by the idle timeout or the client.
 */
export type ConnectionGate = (conn: TcpConnection, serve: () => void) => void;

/** What a protocol plugs into the base. Every hook but `onConnection` is optional. */
export interface TcpProtocolHandler {
  /** A connection was admitted: attach readers, send the greeting. */
  onConnection(conn: TcpConnection): void;
  /**
   * The server is full, or this client address holds its share (`reason`): say so in protocol
   * words (e.g. "421 Too many connections"). The socket is ended afterwards.
   */
  onRejected?(socket: net.Socket, reason: Refusal): void;
  /**
   * The connection is idle and closed to make room for a newcomer at the global limit: say so
   * (e.g. "421 Idle connection closed"). It is ended afterwards. Default: nothing is said.
   */
  onEvicted?(conn: TcpConnection): void;
  /** The connection was idle for `idleTimeoutMs`. Default: close it (unless busy). */
  onIdle?(conn: TcpConnection): void;
  /** The server is closing: say goodbye (e.g. "421 Server shutting down"). The connection is ended afterwards. */
  onShutdown?(conn: TcpConnection): void;
}

export type ConnectionEvents = { close: [error: Error | undefined]; idle: [] };

/** What a connection asks its server's {@link ConnectionTable}. */
interface StreamAccounting {
  beginStream(conn: TcpConnection): boolean;
  endStream(conn: TcpConnection): void;
}

const NO_STREAM_CAPS: StreamAccounting = { beginStream: () => true, endStream: () => {} };

/** One accepted connection. `close()` is the only way it ends; it runs once. */
export class TcpConnection extends EventEmitter<ConnectionEvents> {
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** "127.0.0.1:53211" ("[::1]:53211" for IPv6). */
  readonly peer: string;
  readonly localAddress: string;
  readonly localPort: number;
  #socket: net.Socket;
  #inFlight = 0;
  #closed = false;
  #idleTimeoutMs: number;
  #onIdle: () => void;
  #streams: StreamAccounting;
  #lastActive = performance.now();

  constructor(
    id: string,
    socket: net.Socket,
    idleTimeoutMs: number,
    onIdle: (conn: TcpConnection) => void,
    streams: StreamAccounting = NO_STREAM_CAPS,
  ) {
    super();
    this.id = id;
    this.#streams = streams;
    this.#socket = socket;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.remotePort = socket.remotePort ?? 0;
    this.peer = formatHostPort(this.remoteAddress, this.remotePort);
    this.localAddress = socket.localAddress ?? 'unknown';
    this.localPort = socket.localPort ?? 0;
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#onIdle = () => onIdle(this);
    this.#watch(socket);
  }

  get socket(): net.Socket | tls.TLSSocket {
    return this.#socket;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** True while an exchange is in flight; graceful close waits for it. */
  get busy(): boolean {
    return this.#inFlight > 0;
  }

  /** When the last exchange began or ended (or the connection was accepted), `performance.now()`. */
  get lastActive(): number {
    return this.#lastActive;
  }

  /** Marks an exchange in flight (a command being handled, a transfer running). */
  beginExchange(): void {
    this.#inFlight++;
    this.#lastActive = performance.now();
  }

  /** Marks an exchange finished; emits 'idle' when none is left. */
  endExchange(): void {
    if (this.#inFlight > 0) this.#inFlight--;
    this.#lastActive = performance.now();
    if (this.#inFlight === 0) this.emit('idle');
  }

  /**
   * Asks to hold this connection as a long-lived stream (SSE): counted against the server's
   * stream caps instead of competing for short-request slots, and never closed to make room.
   * False when the caps are reached: refuse the stream (HTTP 503).
   */
  beginStream(): boolean {
    return this.#streams.beginStream(this);
  }

  /** The stream is over; the connection is an ordinary one again. */
  endStream(): void {
    this.#streams.endStream(this);
  }

  /**
   * Swaps in the socket that now carries the connection (STARTTLS / AUTH TLS upgrade):
   * idle timeout and error handling move to it.
   */
  replaceSocket(socket: net.Socket | tls.TLSSocket): void {
    if (socket === this.#socket) return;
    this.#socket.setTimeout(0);
    this.#socket = socket;
    this.#watch(socket);
  }

  /** Writes unless closed; returns false when the socket wants a drain. */
  write(data: string | Buffer): boolean {
    if (this.#closed || this.#socket.destroyed || !this.#socket.writable) return false;
    return this.#socket.write(data);
  }

  /** Sends `final` (if any), then half-closes; destroys after a short linger if the peer does not. */
  end(final?: string | Buffer): void {
    if (this.#closed) return;
    const socket = this.#socket;
    if (final !== undefined && socket.writable) socket.end(final);
    else socket.end();
    const timer = setTimeout(() => this.close(), 1_000);
    timer.unref();
  }

  /** The one close path: destroys the socket and emits 'close' once, with the first reason. */
  close(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.setTimeout(0);
    this.#socket.destroy();
    this.emit('close', error);
  }

  #watch(socket: net.Socket): void {
    socket.setNoDelay(true);
    if (this.#idleTimeoutMs > 0) {
      socket.setTimeout(this.#idleTimeoutMs);
      socket.on('timeout', () => {
        if (socket === this.#socket) this.#onIdle();
      });
    }
    socket.on('error', (err: Error) => {
      if (socket !== this.#socket) return;
      this.close(isPeerReset(err) ? undefined : err);
    });
    socket.on('close', () => {
      if (socket === this.#socket) this.close();
    });
  }
}

export type TcpServerState = 'new' | 'listening' | 'closing' | 'closed';

/** Listens, admits connections up to the limit, and closes gracefully. */
export class TcpServer {
  readonly name: string;
  readonly host: string;
  readonly maxConnections: number;
  readonly idleTimeoutMs: number;
  readonly connections = new Set<TcpConnection>();
  #table: ConnectionTable<TcpConnection>;
  #requestedPort: number;
  #handler: TcpProtocolHandler;
  #gate: ConnectionGate | undefined;
  #server: net.Server;
  #state: TcpServerState = 'new';
  #nextId = 1;
  #closing: Promise<void> | undefined;

  constructor(options: TcpServerOptions, handler: TcpProtocolHandler) {
    this.name = options.name;
    this.host = options.host ?? '127.0.0.1';
    this.#requestedPort = options.port ?? 0;
    this.#table = new ConnectionTable(options);
    this.maxConnections = this.#table.maxConnections;
    this.idleTimeoutMs = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
    this.#handler = handler;
    this.#gate = options.gate;
    this.#server = net.createServer({ noDelay: true }, (socket) => this.#accept(socket));
  }

  get state(): TcpServerState {
    return this.#state;
  }

  /** The bound port (after `listen()`), else the requested one. */
  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : this.#requestedPort;
  }

  /** Starts accepting; resolves with the real port. Port in use rejects with code MS_ADDRESS_IN_USE. */
  listen(): Promise<number> {
    if (this.#state !== 'new')
      return Promise.reject(new MinisuiteError('MS_CLOSED', `${this.name} server already started`));
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        this.#state = 'closed';
        reject(listenError(this.name, this.host, this.#requestedPort, err));
      };
      this.#server.once('error', onError);
      this.#server.listen({ host: this.host, port: this.#requestedPort, exclusive: true }, () => {
        this.#server.off('error', onError);
        this.#state = 'listening';
        resolve(this.port);
      });
    });
  }

  /**
   * Stops accepting, lets in-flight exchanges finish for up to `graceMs`, says goodbye through
   * `onShutdown`, then destroys what is left. Idempotent: later calls return the same promise.
   */
  close(options: { graceMs?: number } = {}): Promise<void> {
    if (this.#closing) return this.#closing;
    const graceMs = options.graceMs ?? CLOSE_GRACE_MS;
    const wasListening = this.#state === 'listening';
    this.#state = 'closing';
    this.#closing = new Promise<void>((resolve) => {
      const serverClosed = wasListening ? new Promise<void>((r) => this.#server.close(() => r())) : Promise.resolve();
      const pending = [...this.connections].map((conn) => this.#drain(conn, graceMs));
      void Promise.all([serverClosed, ...pending]).then(() => {
        this.#state = 'closed';
        resolve();
      });
    });
    return this.#closing;
  }

  #drain(conn: TcpConnection, graceMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (conn.closed) return resolve();
      conn.once('close', () => resolve());
      // Said once: the grace timer may still fire after the goodbye went out on 'idle'.
      let said = false;
      const goodbye = () => {
        if (said || conn.closed) return;
        said = true;
        try {
          this.#handler.onShutdown?.(conn);
        } catch {
          // goodbye is best effort
        }
        conn.end();
      };
      if (!conn.busy) return goodbye();
      conn.once('idle', goodbye);
      const timer = setTimeout(() => {
        goodbye();
        conn.close();
      }, graceMs);
      timer.unref();
      conn.once('close', () => clearTimeout(timer));
    });
  }

  #streamAccounting: StreamAccounting = {
    beginStream: (conn) => this.#table.beginStream(conn),
    endStream: (conn) => this.#table.endStream(conn),
  };

  /** Closes an idle connection to make room: its slot is free at once, its goodbye goes out on the way. */
  #evict(conn: TcpConnection): void {
    this.connections.delete(conn);
    this.#table.delete(conn);
    try {
      this.#handler.onEvicted?.(conn);
    } catch {
      // goodbye is best effort
    }
    conn.end();
  }

  /** The fair limits in force (per address, streams); see connection-table.ts. */
  get limits(): Required<ConnectionLimits> {
    const t = this.#table;
    return {
      maxConnections: t.maxConnections,
      maxConnectionsPerAddress: t.maxConnectionsPerAddress,
      maxStreams: t.maxStreams,
      maxStreamsPerAddress: t.maxStreamsPerAddress,
    };
  }

  /** Long-lived streams held now. */
  get streams(): number {
    return this.#table.streams;
  }

  #accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    const decision =
      this.#state === 'listening' ? this.#table.admit(socket.remoteAddress ?? '') : { refused: 'full' as const };
    if (decision.refused) {
      socket.on('error', () => {});
      try {
        if (this.#state === 'listening') this.#handler.onRejected?.(socket, decision.refused);
      } finally {
        socket.end();
        setTimeout(() => socket.destroy(), 1_000).unref();
      }
      return;
    }
    if (decision.evict) this.#evict(decision.evict);
    const conn = new TcpConnection(
      `${this.name}-${this.#nextId++}`,
      socket,
      this.idleTimeoutMs,
      (c) => {
        if (this.#handler.onIdle) this.#handler.onIdle(c);
        else if (!c.busy) c.close();
      },
      this.#streamAccounting,
    );
    this.connections.add(conn);
    this.#table.add(conn);
    conn.once('close', () => {
      this.connections.delete(conn);
      this.#table.delete(conn);
    });
    if (this.#gate) this.#gate(conn, () => this.#serve(conn));
    else this.#serve(conn);
  }

  #serve(conn: TcpConnection): void {
    if (conn.closed) return;
    try {
      this.#handler.onConnection(conn);
    } catch (err) {
      conn.close(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

/** Turns a listen failure into a one-line error naming the service and address. */
export function listenError(name: string, host: string, port: number, err: NodeJS.ErrnoException): MinisuiteError {
  const where = formatHostPort(host, port);
  if (err.code === 'EADDRINUSE')
    return new MinisuiteError('MS_ADDRESS_IN_USE', `${name}: port ${port} on ${host} is already in use`, {
      cause: err,
    });
  if (err.code === 'EACCES')
    return new MinisuiteError('MS_LISTEN_FAILED', `${name}: no permission to listen on ${where}`, { cause: err });
  if (err.code === 'EADDRNOTAVAIL')
    return new MinisuiteError('MS_LISTEN_FAILED', `${name}: address ${host} is not available on this machine`, {
      cause: err,
    });
  return new MinisuiteError('MS_LISTEN_FAILED', `${name}: cannot listen on ${where}: ${err.message}`, { cause: err });
}
