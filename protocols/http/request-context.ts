/**
 * What a route sees of one request ({@link RequestContext}), and the object the server makes for
 * each request to give it ({@link Exchange}): the parsed target, the connection's identity, the
 * note for the exchange record, and the two ways a route changes how the exchange ends.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2Session } from 'node:http2';
import type { ByteBudget } from '../../shared/byte-budget.js';
import type { Recorder } from '../../shared/recorder.js';
import type { TcpConnection } from '../../shared/tcp-server.js';
import { readBody } from './replies.js';

/** What a route sees of one request. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The request path as sent (still percent-encoded, not normalized), without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Connection id ("http-3"). */
  readonly session: string;
  /** "127.0.0.1:53211". */
  readonly peer: string;
  /** The client's address ("127.0.0.1"). */
  readonly remoteAddress: string;
  /** True on the HTTPS listener. */
  readonly secure: boolean;
  /** The body limit routes must respect (see {@link readBody}). */
  readonly maxBodyBytes: number;
  /**
   * Reads the whole body within {@link maxBodyBytes} (413) and the server's budget for bodies in
   * flight (503 at once when it is spent): the way routes should read a body.
   */
  readBody(): Promise<Buffer>;
  /** Extra words for the exchange record's response line, e.g. "12 events". */
  note: string | undefined;
  /**
   * Marks the response as a long-lived stream (Server-Sent Events): it no longer holds up a
   * graceful close, and `end` is called when the server shuts down. Its exchange is recorded
   * when it closes.
   */
  holdOpen(end: () => void): void;
  /**
   * Reserves a long-lived stream slot for this response before it starts (the server's own cap,
   * apart from short requests' connection slots); false when the caps are reached: answer 503.
   * Released when the response closes. {@link holdOpen} claims one itself if this was not called.
   */
  claimStream(): boolean;
  /**
   * Cuts the response short: closes the connection (the only way HTTP/1.1 has to say a message
   * is incomplete, RFC 9112 §8) and records the exchange as aborted, with `reason` as its note
   * (the first reason, when called again).
   */
  abort(reason: string): void;
}

export type RequestHandler = (ctx: RequestContext) => void | Promise<void>;

/** What the server keeps per connection. */
export interface ConnState {
  readonly conn: TcpConnection;
  /** The client's address, IPv4-mapped IPv6 made plain (computed once per connection). */
  readonly remoteAddress: string;
  /** 'tls' on the HTTPS listener. */
  readonly transport: 'tcp' | 'tls';
  /** Records the connection's exchanges (its fixed fields given once). */
  readonly recorder: Recorder;
  /** socket.bytesRead / bytesWritten already counted in earlier records. */
  read: number;
  written: number;
  /** The response in flight, if any. */
  res: ServerResponse | undefined;
  /** Ends a held-open stream on shutdown. */
  stream: (() => void) | undefined;
  /** The HTTP/2 session when ALPN chose h2. */
  h2: Http2Session | undefined;
}

/** One request in flight: its {@link RequestContext} and how its exchange ended. */
export class Exchange implements RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly path: string;
  readonly session: string;
  readonly peer: string;
  readonly remoteAddress: string;
  readonly secure: boolean;
  readonly maxBodyBytes: number;
  note: string | undefined = undefined;
  /** The note of the fault rule that changed this exchange. */
  fault: string | undefined = undefined;
  /** What the record says instead of the status when a fault sent no response ("(reset)"). */
  faultResponse: string | undefined = undefined;
  held = false;
  aborted = false;
  /** A stream slot is held (see {@link claimStream}); released when the response closes. */
  streamClaimed = false;
  /** Body bytes reserved in the server's budget; given back by {@link releaseBody}. */
  #bodyReserved = 0;
  #budget: ByteBudget | undefined;
  #rawQuery: string;
  #query: URLSearchParams | undefined;
  #state: ConnState;

  constructor(req: IncomingMessage, res: ServerResponse, state: ConnState, maxBodyBytes: number, budget?: ByteBudget) {
    this.req = req;
    this.#budget = budget;
    this.res = res;
    this.#state = state;
    this.session = state.conn.id;
    this.peer = state.conn.peer;
    this.remoteAddress = state.remoteAddress;
    this.secure = state.transport === 'tls';
    this.maxBodyBytes = maxBodyBytes;
    let target = req.url ?? '/';
    // RFC 9112 §3.2.2 absolute-form ("GET http://host/path"): route on the path.
    if (!target.startsWith('/')) {
      const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
      target = m ? target.slice(m[0].length) || '/' : target;
    }
    const q = target.indexOf('?');
    this.path = q < 0 ? target : target.slice(0, q);
    this.#rawQuery = q < 0 ? '' : target.slice(q + 1);
  }

  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.#rawQuery);
    return this.#query;
  }

  abort(reason: string): void {
    // The first reason is the one recorded: later checks only see the consequences.
    if (this.aborted) return;
    this.note = reason;
    this.aborted = true;
    this.req.socket.destroy();
  }

  /** Makes sure `total` body bytes are reserved (reserving the difference); false when the budget is spent. */
  reserveBody(total: number): boolean {
    if (!this.#budget || total <= this.#bodyReserved) return true;
    if (!this.#budget.reserve(this.remoteAddress, total - this.#bodyReserved)) return false;
    this.#bodyReserved = total;
    return true;
  }

  /** Gives the body's reservation back (the response is over, its buffers are let go); returns its bytes. */
  releaseBody(): number {
    const bytes = this.#bodyReserved;
    this.#budget?.release(this.remoteAddress, bytes);
    this.#bodyReserved = 0;
    return bytes;
  }

  readBody(): Promise<Buffer> {
    return readBody(this.req, this.maxBodyBytes, (total) => this.reserveBody(total));
  }

  claimStream(): boolean {
    if (!this.streamClaimed) this.streamClaimed = this.#state.conn.beginStream();
    return this.streamClaimed;
  }

  holdOpen(end: () => void): void {
    if (this.held) return;
    if (!this.claimStream()) {
      this.abort('too many streams');
      return;
    }
    this.held = true;
    this.#state.stream = end;
    this.#state.conn.endExchange();
  }
}
