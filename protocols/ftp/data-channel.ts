/**
 * Data connections (RFC 959 §3.2, RFC 2428): a passive listener on a port from the configured
 * range that admits only the control connection's IP, and active connections made only to the
 * control connection's IP on ports ≥ 1024 (RFC 2577 §3, bounce attacks). TLS on the data
 * connection (RFC 4217 §9) is layered on by the session.
 * @module
 */
import net from 'node:net';
import { MinisuiteError } from '../../shared/errors.js';
import { normalizeAddress } from '../../shared/net-util.js';
import type { PortRange } from '../../shared/port-range.js';
import type { HostPort } from './command-parser.js';

/** How long we wait for the client to open (passive) or accept (active) a data connection. */
export const DATA_CONNECT_TIMEOUT_MS = 30_000;
/**
 * Buffer size of data sockets: with the 16 KiB default every 1 MiB file chunk makes the socket
 * report "full", so reading and sending would take turns instead of overlapping.
 */
export const DATA_HIGH_WATER_MARK = 1024 * 1024;
/** Lowest port PORT/EPRT may name: below it are privileged services (RFC 2577 §3). */
export const MIN_ACTIVE_PORT = 1024;

/** A data connection could not be set up; the session answers 425. */
export class DataChannelError extends MinisuiteError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MS_PROTOCOL', message, options);
  }
}

/**
 * Why an active target is refused, or undefined when it is allowed: it must be the control
 * connection's own address (no third-party transfers) and an unprivileged port.
 */
export function refuseActiveTarget(target: HostPort, controlPeer: string): string | undefined {
  if (normalizeAddress(target.host) !== normalizeAddress(controlPeer))
    return 'Address must be the one of the control connection (RFC 2577)';
  if (target.port < MIN_ACTIVE_PORT) return `Port must be ${MIN_ACTIVE_PORT} or above (RFC 2577)`;
  return undefined;
}

function listenOn(server: net.Server, host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(false);
      else reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(true);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

/** One passive listener: the first connection from the allowed address becomes the data socket. */
export class PassiveListener {
  readonly port: number;
  #server: net.Server;
  #socket: net.Socket | undefined;
  #waiter: ((socket: net.Socket) => void) | undefined;
  #cancel: ((message: string) => void) | undefined;
  #closed = false;
  #taken = false;
  #expiry: NodeJS.Timeout | undefined;

  private constructor(server: net.Server, port: number, allowed: string) {
    this.#server = server;
    this.port = port;
    server.on('connection', (socket) => {
      socket.on('error', () => {});
      if (this.#socket || normalizeAddress(socket.remoteAddress ?? '') !== normalizeAddress(allowed)) {
        // Passive port stealing: only the control connection's host may connect (RFC 2577 §4).
        socket.destroy();
        return;
      }
      socket.setNoDelay(true);
      this.#socket = socket;
      this.#server.close();
      this.#waiter?.(socket);
    });
  }

  /**
   * Listens on `host` at a port of `range` (any free port when undefined). Ports in use are
   * skipped, so parallel servers can share one range; the search starts at a random port.
   */
  static async open(host: string, range: PortRange | undefined, allowed: string): Promise<PassiveListener> {
    const server = net.createServer({ noDelay: true, highWaterMark: DATA_HIGH_WATER_MARK });
    if (!range) {
      await listenOn(server, host, 0);
      return new PassiveListener(server, (server.address() as net.AddressInfo).port, allowed);
    }
    const size = range.to - range.from + 1;
    const first = Math.floor(Math.random() * size);
    for (let i = 0; i < size; i++) {
      const port = range.from + ((first + i) % size);
      if (await listenOn(server, host, port)) return new PassiveListener(server, port, allowed);
    }
    throw new DataChannelError(`no free passive port in ${range.from}-${range.to}`);
  }

  /** True once the client has connected (the data socket waits to be taken). */
  get connected(): boolean {
    return this.#socket !== undefined && !this.#closed;
  }

  /**
   * Closes the listener (and a data connection nobody took) unless a transfer asks for it within
   * `ms`: a client that sends PASV and never transfers cannot hold a passive port for the whole
   * idle time of its control connection. Cleared by {@link accept}.
   */
  expireAfter(ms: number): void {
    clearTimeout(this.#expiry);
    this.#expiry = setTimeout(() => this.close(), ms);
    this.#expiry.unref();
  }

  /** Resolves with the data socket once the client has connected (or at once if it already has). */
  accept(timeoutMs = DATA_CONNECT_TIMEOUT_MS): Promise<net.Socket> {
    clearTimeout(this.#expiry);
    if (this.#socket) {
      this.#taken = true;
      return Promise.resolve(this.#socket);
    }
    if (this.#closed) return Promise.reject(new DataChannelError('passive listener closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail('client did not open the data connection in time'), timeoutMs);
      timer.unref();
      const fail = (message: string) => {
        clearTimeout(timer);
        this.#waiter = undefined;
        this.#cancel = undefined;
        this.close();
        reject(new DataChannelError(message));
      };
      this.#cancel = fail;
      this.#waiter = (socket) => {
        clearTimeout(timer);
        this.#waiter = undefined;
        this.#cancel = undefined;
        this.#taken = true;
        resolve(socket);
      };
    });
  }

  /** Stops listening; a pending accept() rejects; a data socket never taken is destroyed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#expiry);
    this.#server.close();
    this.#cancel?.('passive listener closed');
    if (this.#socket && !this.#taken) this.#socket.destroy();
  }
}

/** Connects to an active-mode target from the control connection's local address. */
export function connectActive(
  target: HostPort,
  localAddress: string,
  timeoutMs = DATA_CONNECT_TIMEOUT_MS,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port, localAddress, noDelay: true });
    const timer = setTimeout(() => fail(new Error('timed out')), timeoutMs);
    timer.unref();
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new DataChannelError(`cannot connect to ${target.host}:${target.port}: ${err.message}`, { cause: err }));
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      socket.on('error', () => {});
      socket.pause();
      resolve(socket);
    });
  });
}
