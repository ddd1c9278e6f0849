/**
 * The one recorder: every server and client turns a request and its response into an exchange
 * record through it. A session's fixed fields (protocol, side, transport, session id, peer) are
 * given once; each exchange is then `begin(request, bytesIn)` → `end(response, ok, bytesOut)`.
 * The time and the start of the duration are taken at `begin`, when the request arrives (or is
 * sent, on the client side). Without a log, nothing is recorded.
 * @module
 */
import { performance } from 'node:perf_hooks'; // not the global lazy getter: read per exchange
import { type ExchangeLog, elapsedMs } from './exchange.js';
import type { ExchangeInput, ExchangeRecord, Protocol, Side, Transport } from './exchange-record.js';

/** The fields every exchange of one session (connection, client, listener) shares. */
export interface SessionFields {
  readonly protocol: Protocol;
  readonly side: Side;
  readonly transport: Transport;
  /** Connection id, e.g. "ftp-12". */
  readonly session: string;
  /** The other end, "127.0.0.1:53211". */
  readonly peer: string;
}

/** One exchange between {@link Recorder.begin} and {@link OpenExchange.end}. */
export class OpenExchange {
  /** One line, secrets masked; may be rewritten before the end (an AUTH whose answer is masked). */
  request: string;
  bytesIn: number;
  bytesOut = 0;
  /** What fault injection did to this exchange ("<rule id>: <what was done>"), if anything. */
  fault: string | undefined;
  /** Epoch milliseconds of the request. */
  readonly time: number;
  /** The other end when it differs per exchange (a datagram listener), else the session's. */
  readonly peer: string | undefined;
  readonly #t0: number;
  readonly #recorder: Recorder;
  #ended = false;
  #durationMs = 0;

  constructor(
    recorder: Recorder,
    request: string,
    bytesIn: number,
    peer: string | undefined,
    time: number,
    t0: number,
  ) {
    this.#recorder = recorder;
    this.peer = peer;
    this.request = request;
    this.bytesIn = bytesIn;
    this.time = time;
    this.#t0 = t0;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Milliseconds from the request to {@link end} (0 before the end). */
  get durationMs(): number {
    return this.#durationMs;
  }

  /** Milliseconds since the request, so far. */
  elapsedMs(): number {
    return elapsedMs(this.#t0);
  }

  /**
   * Records the exchange with its response; `bytesOut` adds to what was counted so far. Only the
   * first call records (one record per exchange); it returns the record, later ones undefined.
   */
  end(response: string, ok: boolean, bytesOut = 0): ExchangeRecord | undefined {
    if (this.#ended) return undefined;
    this.#ended = true;
    this.bytesOut += bytesOut;
    this.#durationMs = elapsedMs(this.#t0);
    return this.#recorder.add(this, response, ok, this.#durationMs);
  }
}

/** Records the exchanges of one session on a log. */
export class Recorder {
  readonly log: ExchangeLog | undefined;
  #fields: SessionFields;

  constructor(log: ExchangeLog | undefined, fields: SessionFields) {
    this.log = log;
    this.#fields = fields;
  }

  get fields(): SessionFields {
    return this.#fields;
  }

  /** The session's transport changed (STARTTLS, AUTH TLS): later exchanges carry the new one. */
  set transport(transport: Transport) {
    if (transport !== this.#fields.transport) this.#fields = { ...this.#fields, transport };
  }

  /**
   * The request arrived (or was sent): starts its exchange. `peer` is for listeners whose other
   * end changes per message (UDP); sessions give theirs once, in the fields.
   */
  begin(request: string, bytesIn = 0, peer?: string): OpenExchange {
    return new OpenExchange(this, request, bytesIn, peer, Date.now(), performance.now());
  }

  /** A request and its response at once (nothing in between to measure). */
  record(
    request: string,
    response: string,
    ok: boolean,
    bytesIn: number,
    bytesOut: number,
  ): ExchangeRecord | undefined {
    return this.begin(request, bytesIn).end(response, ok, bytesOut);
  }

  /** @internal {@link OpenExchange.end}'s write. */
  add(exchange: OpenExchange, response: string, ok: boolean, durationMs: number): ExchangeRecord | undefined {
    const log = this.log;
    if (log === undefined) return undefined;
    const f = this.#fields;
    const input: { -readonly [K in keyof ExchangeInput]: ExchangeInput[K] } = {
      protocol: f.protocol,
      side: f.side,
      transport: f.transport,
      session: f.session,
      peer: exchange.peer ?? f.peer,
      request: exchange.request,
      response,
      ok,
      bytesIn: exchange.bytesIn,
      bytesOut: exchange.bytesOut,
      durationMs,
      time: exchange.time,
    };
    // Set only when there is one: unchanged exchanges keep one object shape (no spread per record).
    if (exchange.fault !== undefined) input.fault = exchange.fault;
    return log.add(input);
  }
}
