/**
 * The HTTP server: the shared {@link TcpServer} accepts and tracks connections (limit, idle timeout,
 * graceful close) and hands each socket to a `node:http` parser (`server.emit('connection')`).
 * Every request/response becomes one exchange record. The server knows no routes: it calls one
 * {@link RequestHandler} (the router).
 * @module
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import type tls from 'node:tls';
import { ByteBudget } from '../../shared/byte-budget.js';
import { errorMessage, isPeerReset } from '../../shared/errors.js';
import { type ExchangeLog, oneLine } from '../../shared/exchange.js';
import { connectionFault, connectionGate } from '../../shared/faults/connection-gate.js';
import type { FaultEngine } from '../../shared/faults/engine.js';
import { normalizeAddress } from '../../shared/net-util.js';
import { withDefaults } from '../../shared/options.js';
import { type OpenExchange, Recorder } from '../../shared/recorder.js';
import {
  type TcpConnection,
  type TcpProtocolHandler,
  TcpServer,
  type TcpServerState,
} from '../../shared/tcp-server.js';
import { createServerContext } from '../../shared/tls.js';
import { implicitTls, listenWithTls } from '../../shared/tls-listener.js';
import { BodyReclaim } from './body-reclaim.js';
import { applyHttpFault } from './fault-response.js';
import { H2_MAX_CONCURRENT_STREAMS } from './limits.js';
import { HTTP_DEFAULTS, type HttpServerOptions } from './options.js';
import { PathMemo } from './path-memo.js';
import { ADDRESS_FULL_REPLY, FULL_REPLY, parseErrorReply, rawErrorReply } from './raw-replies.js';
import { budgetSpent, HttpError, reasonPhrase, sendError } from './replies.js';
import { checkHead, checkRequestHead } from './request-checks.js';
import { type ConnState, Exchange, type RequestHandler } from './request-context.js';

export type { HttpServerOptions } from './options.js';
export type { RequestContext, RequestHandler } from './request-context.js';

/** Request lines remembered per method (see HttpServer's #requestLine). */
const REQUEST_LINES_MAX = 1_024;

/** The Content-Length a request announces, 0 when none (most requests: no header lookup is built). */
function announcedLength(req: IncomingMessage): number {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      const n = Number(raw[i + 1]);
      return Number.isFinite(n) && n > 0 ? n : 0;
    }
  }
  return 0;
}

/** An HTTP/1.1 server on the shared TCP core. */
export class HttpServer {
  readonly host: string;
  readonly maxBodyBytes: number;
  /** What request bodies in flight may take (see shared/byte-budget.ts). */
  readonly bodyBudget: ByteBudget;
  #tcp: TcpServer;
  /** The HTTPS listener (with `tls`). */
  #tls: TcpServer | undefined;
  #http: http.Server;
  /** HTTP/2 sessions of the HTTPS listener, fed decrypted sockets whose ALPN said h2. */
  #h2: http2.Http2Server | undefined;
  #h2Sessions = new WeakMap<http2.Http2Session, ConnState>();
  /** The connection whose h2 session is being set up ('session' is emitted within 'connection'). */
  #attaching: ConnState | undefined;
  #handler: RequestHandler;
  #log: ExchangeLog | undefined;
  #faults: FaultEngine | undefined;
  #faultExempt: ((path: string) => boolean) | undefined;
  #conns = new Map<net.Socket, ConnState>();
  #requestLines = new PathMemo<string>(REQUEST_LINES_MAX);
  /**
   * "200 OK" for each status with its standard reason phrase, made once per server and indexed by
   * status (node only sends codes from 100 to 999): one is recorded per request, and the memo
   * saves building that string each time, and each record keeping a copy of its own.
   */
  #statusLines: (string | undefined)[] = new Array<string | undefined>(1000).fill(undefined);
  #idleTimeoutMs: number;
  #maxHeaderBytes: number;
  #closing: Promise<void> | undefined;
  /** Asks for a GC after a burst of bodies is let go, so RSS comes back down (body-reclaim.ts). */
  #reclaim: BodyReclaim;

  constructor(given: HttpServerOptions, handler: RequestHandler) {
    const options = withDefaults(HTTP_DEFAULTS, given);
    this.#handler = handler;
    this.#log = options.log;
    this.#faults = options.faults;
    this.#faultExempt = options.faultExempt;
    this.maxBodyBytes = options.maxBodyBytes;
    this.bodyBudget =
      options.bodyBudget ??
      new ByteBudget({
        totalBytes: options.maxBodyBytesInFlight,
        perAddressBytes: options.maxBodyBytesInFlightPerAddress,
      });
    this.#reclaim = new BodyReclaim({ afterBytes: options.reclaimAfterBodyBytes });
    const limits = {
      host: options.host,
      maxConnections: options.maxConnections,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress,
      maxStreams: options.maxStreams,
      maxStreamsPerAddress: options.maxStreamsPerAddress,
      idleTimeoutMs: options.idleTimeoutMs,
      gate: connectionGate(options.faults, 'http'),
    };
    const tcpHandler: TcpProtocolHandler = {
      onConnection: (conn) => this.#onConnection(conn),
      onRejected: (socket, reason) => socket.write(reason === 'address' ? ADDRESS_FULL_REPLY : FULL_REPLY),
      onIdle: (conn) => {
        // Idle and no response in flight, or a response the client stopped reading.
        if (!conn.busy || conn.socket.writableLength > 0) conn.close();
      },
      // Idle keep-alive connections are simply closed (HTTP has no goodbye); streams are ended;
      // HTTP/2 says GOAWAY and lets its streams in flight finish (RFC 9113 §6.8).
      onShutdown: (conn) => {
        const state = this.#conns.get(conn.socket);
        state?.stream?.();
        state?.h2?.close();
      },
    };
    this.#tcp = new TcpServer({ ...limits, name: 'http', port: options.port }, tcpHandler);
    if (options.tls) {
      const { onRejected: _plainOnly, ...secureHandler } = tcpHandler;
      this.#tls = new TcpServer(
        { ...limits, name: 'https', port: options.httpsPort },
        // RFC 7301 ALPN: h2 first (RFC 9113 §3.2; DoH clients speak only h2), then HTTP/1.1.
        implicitTls(secureHandler, { context: createServerContext(options.tls), alpn: ['h2', 'http/1.1'] }),
      );
      this.#h2 = this.#createH2(options.maxHeaderBytes);
    }
    this.host = this.#tcp.host;
    this.#idleTimeoutMs = this.#tcp.idleTimeoutMs;
    this.#maxHeaderBytes = options.maxHeaderBytes;
    const keepAlive = options.keepAliveTimeoutMs;
    this.#http = http.createServer({
      maxHeaderSize: options.maxHeaderBytes,
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs,
      connectionsCheckingInterval: options.timeoutCheckIntervalMs,
      keepAliveTimeout: this.#idleTimeoutMs > 0 ? Math.min(keepAlive, this.#idleTimeoutMs) : keepAlive,
      // checkHead answers a missing Host itself, with a JSON error and a record like any other.
      requireHostHeader: false,
    });
    // node:http arms headersTimeout/requestTimeout checks on 'listening', which it never sees here
    // because the TcpServer owns the listening socket. Without this a slowloris client is never cut.
    this.#http.emit('listening');
    // With a 'timeout' listener node leaves socket timeouts to us (TcpServer's onIdle above).
    this.#http.on('timeout', () => {});
    this.#http.on('request', (req: IncomingMessage, res: ServerResponse) => this.#onRequest(req, res));
    this.#http.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      // RFC 9110 §10.1.1: do not invite a body we are going to refuse.
      if (!this.#announcesTooMuch(req) && !checkHead(req)) res.writeContinue();
      this.#onRequest(req, res);
    });
    // An expectation other than 100-continue: RFC 9110 §10.1.1 allows 417 but does not require
    // it; the request is served as if it had none, as nginx does (node would answer a bare 417).
    this.#http.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => this.#onRequest(req, res));
    // CONNECT asks for a tunnel (RFC 9110 §9.3.6): this server is no proxy. Without a listener
    // node would drop the connection without a word.
    this.#http.on('connect', (req: IncomingMessage, socket: net.Socket) =>
      this.#refuseRaw(
        socket,
        501,
        'CONNECT is not implemented: this server is not a proxy',
        `CONNECT ${req.url ?? ''}`,
      ),
    );
    this.#http.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: net.Socket) =>
      this.#onClientError(err, socket),
    );
  }

  get state(): TcpServerState {
    return this.#tcp.state;
  }

  get port(): number {
    return this.#tcp.port;
  }

  /** The bound HTTPS port, or undefined without `tls`. */
  get httpsPort(): number | undefined {
    return this.#tls?.port;
  }

  /** Connections open now (both listeners). */
  get openConnections(): number {
    return this.#tcp.connections.size + (this.#tls?.connections.size ?? 0);
  }

  /** Starts accepting (HTTP, then HTTPS); resolves with the HTTP port. */
  async listen(): Promise<number> {
    return listenWithTls(this.#tcp, this.#tls);
  }

  /**
   * Stops accepting, lets in-flight requests finish (their responses say `Connection: close`),
   * ends event streams, closes idle keep-alive connections; idempotent.
   */
  close(options: { graceMs?: number } = {}): Promise<void> {
    this.#closing ??= (async () => {
      for (const state of this.#conns.values())
        if (state.res && !state.res.headersSent) state.res.setHeader('Connection', 'close');
      await Promise.all([this.#tcp.close(options), this.#tls?.close(options)]);
      // Stops node's timeout checker (armed by the 'listening' emit above).
      this.#http.close(() => {});
      this.#reclaim.close();
    })();
    return this.#closing;
  }

  #onConnection(conn: TcpConnection): void {
    const socket = conn.socket;
    const secure = 'encrypted' in socket;
    const transport = secure ? 'tls' : 'tcp';
    const state: ConnState = {
      conn,
      remoteAddress: normalizeAddress(conn.remoteAddress),
      transport,
      recorder: new Recorder(this.#log, {
        protocol: 'http',
        side: 'server',
        transport,
        session: conn.id,
        peer: conn.peer,
      }),
      read: 0,
      written: 0,
      res: undefined,
      stream: undefined,
      h2: undefined,
    };
    this.#conns.set(socket, state);
    conn.once('close', () => this.#conns.delete(socket));
    if (secure && (socket as tls.TLSSocket).alpnProtocol === 'h2' && this.#h2) {
      this.#attaching = state;
      this.#h2.emit('connection', socket);
      this.#attaching = undefined;
    } else this.#http.emit('connection', socket);
  }

  /**
   * The HTTP/2 side: node's compatibility API gives requests and responses shaped like
   * node:http's, so the routes serve both; each stream is one exchange.
   */
  #createH2(maxHeaderBytes: number): http2.Http2Server {
    const h2 = http2.createServer({
      settings: { maxConcurrentStreams: H2_MAX_CONCURRENT_STREAMS, maxHeaderListSize: maxHeaderBytes },
    });
    h2.on('session', (session) => {
      const state = this.#attaching;
      if (!state) return void session.destroy();
      state.h2 = session;
      this.#h2Sessions.set(session, state);
      session.on('error', () => {});
    });
    h2.on('sessionError', () => {});
    // The compatibility request and response mirror node:http's (what the routes use of them).
    const asHttp1 = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) =>
      this.#onRequest(req as unknown as IncomingMessage, res as unknown as ServerResponse);
    h2.on('request', asHttp1);
    h2.on('checkContinue', (req, res) => {
      if (!this.#announcesTooMuch(req as unknown as IncomingMessage)) res.writeContinue();
      asHttp1(req, res);
    });
    return h2;
  }

  /** The connection a request came on: by socket (HTTP/1.1), or by session (HTTP/2). */
  #stateOf(req: IncomingMessage): ConnState | undefined {
    // The version a client wrote in its request line says nothing of the transport: node's
    // HTTP/1 parser accepts "HTTP/2.0" too. Only the compatibility API's requests have a stream.
    const stream = (req as unknown as Partial<http2.Http2ServerRequest>).stream;
    if (stream === undefined) return this.#conns.get(req.socket);
    const session = stream.session;
    return session ? this.#h2Sessions.get(session) : undefined;
  }

  #announcesTooMuch(req: IncomingMessage): boolean {
    // A request without a body (most of them) has no Content-Length: rawHeaders spares building
    // req.headers, which node does lazily on first use.
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i] as string;
      if (name.length === 14 && name.toLowerCase() === 'content-length') {
        const length = Number(req.headers['content-length']);
        return Number.isFinite(length) && length > this.maxBodyBytes;
      }
    }
    return false;
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const state = this.#stateOf(req);
    if (!state) {
      res.destroy();
      return;
    }
    // The exchange begins as the request arrives; its request line is written when it is recorded.
    const open = state.recorder.begin('');
    const conn = state.conn;
    conn.beginExchange();
    // HTTP/2 multiplexes: there is no one response in flight, and no Connection header (RFC 9113 §8.2.2).
    const h1 = state.h2 === undefined;
    if (h1) state.res = res;
    const ex = new Exchange(req, res, state, this.maxBodyBytes, this.bodyBudget);
    if (this.#closing && h1) res.setHeader('Connection', 'close');
    const hit = this.#faults?.has('http') ? this.#fault(ex) : undefined;
    const refused = h1 ? checkHead(req) : checkRequestHead(req.rawHeaders);
    if (refused) sendError(res, refused.status, refused.message, h1 ? { Connection: 'close' } : {});
    else if (this.#announcesTooMuch(req))
      sendError(res, 413, `request body larger than ${this.maxBodyBytes} bytes`, h1 ? { Connection: 'close' } : {});
    else if (!ex.reserveBody(announcedLength(req))) {
      const spent = budgetSpent();
      sendError(res, spent.status, spent.message, spent.headers);
    } else if (hit) {
      ex.fault = hit.note;
      applyHttpFault(ex, hit.action, this.#idleTimeoutMs, () => this.#route(ex));
    } else this.#route(ex);
    // A response handed to the kernel in full while the route ran (a cache hit, a small JSON
    // reply) is recorded at once; any other when it closes ('close' comes once per response,
    // never before this returns: node emits it on a later tick).
    if (res.writableFinished && !ex.held) this.#done(state, ex, open);
    else res.on('close', () => this.#done(state, ex, open));
    if (h1) this.#armIdleTimeout(req.socket, res);
  }

  /** Runs the route; a thrown or rejected error becomes its reply. */
  #route(ex: Exchange): void {
    try {
      const pending = this.#handler(ex);
      if (pending) pending.catch((err: unknown) => this.#fail(ex, err));
    } catch (err) {
      this.#fail(ex, err);
    }
  }

  /** The first fault rule that fires for this request, if any (exempt paths are never faulted). */
  #fault(ex: Exchange) {
    if (this.#faultExempt?.(ex.path)) return undefined;
    const facts = { command: ex.req.method, target: ex.path, peer: ex.remoteAddress };
    return this.#faults?.decide('http', facts);
  }

  /** The response of `ex` is over: the connection is free again, and the exchange is recorded. */
  #done(state: ConnState, ex: Exchange, open: OpenExchange): void {
    state.res = undefined;
    this.#reclaim.released(ex.releaseBody());
    if (ex.streamClaimed) state.conn.endStream();
    if (ex.held) state.stream = undefined;
    else state.conn.endExchange();
    this.#record(state, ex, open);
  }

  /**
   * node clears the socket timeout when a keep-alive request starts and re-arms its keep-alive
   * timeout once the response has finished. In between, a response still in progress (an async
   * route, or bytes the client is not reading) is guarded by our idle timeout. A response already
   * handed to the kernel in full (a cache hit, a small JSON reply) needs no guard: re-arming a
   * timer per request would cost more than the rest of such a request's routing.
   */
  #armIdleTimeout(socket: net.Socket, res: ServerResponse): void {
    if (this.#idleTimeoutMs <= 0 || socket.timeout === this.#idleTimeoutMs) return;
    if (res.writableEnded && socket.writableLength === 0 && !socket.destroyed) return;
    socket.setTimeout(this.#idleTimeoutMs);
  }

  /** A thrown error becomes its JSON reply (HttpError) or a 500, noted once in the record. */
  #fail(ex: Exchange, err: unknown): void {
    const res = ex.res;
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    if (err instanceof HttpError) sendError(res, err.status, err.message, err.headers);
    else {
      ex.note = errorMessage(err);
      sendError(res, 500, 'internal server error');
    }
  }

  /** Records `open` on `state`'s connection; its bytes are those since the connection's last record. */
  #end(state: ConnState, open: OpenExchange, response: string, ok: boolean, fault?: string): void {
    const socket = state.conn.socket;
    // Each getter call walks the socket's write buffer (bytesWritten copies it): read each once.
    const read = socket.bytesRead;
    const written = socket.bytesWritten;
    const bytesOut = written - state.written;
    open.bytesIn = read - state.read;
    state.read = read;
    state.written = written;
    open.fault = fault ?? connectionFault(state.conn);
    open.end(response, ok, bytesOut);
  }

  #record(state: ConnState, ex: Exchange, open: OpenExchange): void {
    if (!this.#log) return;
    const res = ex.res;
    const status = res.statusCode;
    // A held stream ends when the client leaves; that is its normal end, not an abort.
    const complete = (res.writableFinished || ex.held) && !ex.aborted;
    // HTTP/2 has no reason phrases (RFC 9113 §8.3.2); node warns when asked for one.
    let response = ex.faultResponse ?? this.#statusLine(status, state.h2 ? '' : res.statusMessage);
    if (ex.note !== undefined) response += ` (${ex.note})`;
    if (!complete && ex.faultResponse === undefined) response += ' (aborted)';
    open.request = this.#requestLine(ex.req.method ?? '?', ex.req.url ?? '');
    this.#end(state, open, response, complete && status < 400, ex.fault);
  }

  /** "200 OK", or the status with the reason phrase the route gave. */
  #statusLine(status: number, message: string): string {
    const standard = reasonPhrase(status);
    if (message && message !== standard) return `${status} ${message}`;
    const lines = this.#statusLines;
    let line = lines[status];
    if (line === undefined) {
      line = `${status} ${standard}`;
      if (status >= 0 && status < lines.length) lines[status] = line;
    }
    return line;
  }

  /**
   * "GET /files/a.txt", one shared string per method and target. A busy server records the same
   * few lines again and again: a remembered one is already flat and checked by the log's one-line
   * rule (cheap to check again), and the records in the ring share it instead of each keeping a
   * copy alive through the garbage collector's young generation.
   */
  #requestLine(method: string, target: string): string {
    let line = this.#requestLines.get(method, target);
    if (line === undefined) {
      line = oneLine(`${method} ${target}`);
      this.#requestLines.set(method, target, line);
    }
    return line;
  }

  /** A request node could not parse (or that timed out): answer like node would, and record it. */
  #onClientError(err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: net.Socket): void {
    // Bytes after a message that closes the connection (HTTP/1.0 without keep-alive,
    // `Connection: close`) are not requests (RFC 9112 §9.6): the response in flight, if any, is
    // still written, and node closes the connection after it.
    if (err.code === 'HPE_CLOSED_CONNECTION') return;
    const state = this.#conns.get(socket);
    if (isPeerReset(err) || !state || !socket.writable || state.res) {
      socket.destroy();
      return;
    }
    const head = err.rawPacket?.toString('latin1') ?? '';
    const { status, message } = parseErrorReply(err.code ?? '', err.message, head, this.#maxHeaderBytes);
    const firstLine = head.slice(0, 200).split(/\r?\n/)[0];
    this.#refuseRaw(socket, status, message, firstLine ? firstLine.slice(0, 100) : '(incomplete request)');
  }

  /** Answers on `socket` without node's response object (it has none), closes it, and records it. */
  #refuseRaw(socket: net.Socket, status: number, message: string, requestLine: string): void {
    const state = this.#conns.get(socket);
    if (!state || !socket.writable) {
      socket.destroy();
      return;
    }
    const open = state.recorder.begin('');
    state.conn.end(rawErrorReply(status, message));
    open.request = requestLine;
    this.#end(state, open, `${status} ${reasonPhrase(status)}`, false);
  }
}
