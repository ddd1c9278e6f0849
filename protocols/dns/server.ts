/**
 * The DNS server: UDP and TCP on one port, on the shared listeners and lifecycle. TCP follows
 * RFC 7766: length-prefixed frames split anywhere, several pipelined queries per connection
 * (answered in order, which the RFC allows), an idle timeout, and a connection that sends an
 * oversized frame is closed (its stream cannot be trusted further). Every message is one exchange.
 * @module
 */
import { EventEmitter } from 'node:events';
import { Deadline } from '../../shared/deadline.js';
import { MinisuiteError } from '../../shared/errors.js';
import { connectionFault, connectionGate } from '../../shared/faults/connection-gate.js';
import type { FaultHit } from '../../shared/faults/engine.js';
import { hostOfPeer } from '../../shared/net-util.js';
import { withDefaults } from '../../shared/options.js';
import { type OpenExchange, Recorder } from '../../shared/recorder.js';
import { type TcpConnection, TcpServer } from '../../shared/tcp-server.js';
import { createServerContext, type TlsMaterial } from '../../shared/tls.js';
import { implicitTls } from '../../shared/tls-listener.js';
import { UdpServer } from '../../shared/udp-server.js';
import { AnswerCache } from './answer-cache.js';
import { appliesTo, applyDnsFault } from './faults.js';
import { DNS_DEFAULTS, type DnsServerOptions } from './options.js';
import { type DnsTransport, type Outcome, type ResponderOptions, respond } from './responder.js';
import { frame, splitFrames } from './tcp-framing.js';
import { DNS_UDP_BPF } from './udp-bpf.js';
import { plausibleQuery } from './udp-filter.js';

export {
  DNS_DEFAULTS,
  DNS_IDLE_TIMEOUT_MS,
  type DnsServerOptions,
  MAX_TCP_QUERY_BYTES,
  PORT_PAIR_ATTEMPTS,
  TCP_QUERY_DEADLINE_MS,
} from './options.js';

/** One message handled, as the `query` event reports it. */
export interface QueryEvent extends Outcome {
  readonly time: Date;
  readonly transport: DnsTransport;
  readonly peer: string;
  readonly session: string;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly durationMs: number;
  /** The note of the fault rule that changed the answer, if one did. */
  readonly fault?: string | undefined;
}

export type DnsServerEvents = { query: [event: QueryEvent] };

const EMPTY: Buffer = Buffer.alloc(0);

/** The outcome of a message that got no answer (a TCP frame too large, or not complete in time). */
const NO_ANSWER: Outcome = {
  message: undefined,
  request: '',
  response: '',
  ok: false,
  rcode: 'NONE',
  question: undefined,
  answers: 0,
  truncated: false,
};

export class DnsServer extends EventEmitter<DnsServerEvents> {
  readonly host: string;
  #options: DnsServerOptions & typeof DNS_DEFAULTS;
  #tcp: TcpServer | undefined;
  #udp: UdpServer | undefined;
  /** The DNS-over-TLS listener (with `tls`). */
  #dot: TcpServer | undefined;
  #closing: Promise<void> | undefined;
  #requestedPort: number;
  #responder: ResponderOptions;
  /** Every datagram is one exchange of the session "dns-udp", with the peer it came from. */
  #udpRecorder: Recorder;

  constructor(options: DnsServerOptions) {
    super();
    const o = withDefaults(DNS_DEFAULTS, options);
    this.#options = o;
    this.host = o.host;
    this.#requestedPort = o.port;
    this.#responder = {
      maxUdpPayload: o.maxUdpPayload,
      update: o.update,
      transfer: o.transfer,
      cache: o.answerCacheEntries === 0 ? undefined : new AnswerCache({ entries: o.answerCacheEntries }),
    };
    this.#udpRecorder = this.#recorder('udp', 'dns-udp', '');
  }

  /** The bound port (UDP and TCP), else the requested one. */
  get port(): number {
    return this.#tcp?.port ?? this.#requestedPort;
  }

  get listening(): boolean {
    return (
      this.#tcp?.state === 'listening' &&
      this.#udp?.state === 'listening' &&
      (this.#options.tls === undefined || this.#dot?.state === 'listening')
    );
  }

  /** The bound DNS-over-TLS port, or undefined without `tls`. */
  get dotPort(): number | undefined {
    return this.#dot?.port;
  }

  /** Open TCP connections (DNS over TLS included). */
  get connections(): number {
    return (this.#tcp?.connections.size ?? 0) + (this.#dot?.connections.size ?? 0);
  }

  /**
   * Binds TCP, then UDP on the same port number. With port 0 a taken UDP twin means another pair
   * is tried. Resolves with the port.
   */
  async listen(): Promise<number> {
    const port = await this.#listenPair();
    if (this.#options.tls)
      try {
        await this.#listenDot(this.#options.tls);
      } catch (err) {
        await this.close({ graceMs: 0 });
        throw err;
      }
    return port;
  }

  async #listenPair(): Promise<number> {
    if (this.#tcp) throw new MinisuiteError('MS_CLOSED', 'dns server already started');
    const attempts = this.#requestedPort === 0 ? this.#options.portAttempts : 1;
    for (let attempt = 1; ; attempt++) {
      const tcp = this.#createTcp(this.#requestedPort);
      const port = await tcp.listen();
      const udp = new UdpServer(this.#udpOptions(port), (datagram, reply) => {
        const out = this.#handle(datagram.data, this.#udpRecorder, datagram.peer, (late) => void reply(late));
        if (out) void reply(out);
      });
      try {
        await udp.listen();
        this.#tcp = tcp;
        this.#udp = udp;
        return port;
      } catch (err) {
        await tcp.close({ graceMs: 0 });
        const inUse = (err as { code?: string }).code === 'MS_ADDRESS_IN_USE';
        if (!inUse || attempt >= attempts) throw err;
      }
    }
  }

  /**
   * Garbage under a flood is dropped from its raw header, before any work (udp-filter.ts), and
   * with the addon already in the kernel by the same rule (udp-bpf.ts).
   */
  #udpOptions(port: number) {
    const o = this.#options;
    const kernelFilter = o.kernelUdpFilter ? DNS_UDP_BPF : undefined;
    return {
      name: 'dns',
      host: this.host,
      port,
      recvBufferSize: o.recvBufferSize,
      accept: plausibleQuery,
      kernelFilter,
    };
  }

  /**
   * UDP datagrams dropped unread as garbage: by the JavaScript filter (udp-filter.ts), plus with
   * the kernel filter those the kernel dropped ({@link udpKernelDropped}).
   */
  get udpDropped(): number {
    return (this.#udp?.dropped ?? 0) + this.udpKernelDropped;
  }

  /**
   * Datagrams the kernel dropped before Node read them (udp-bpf.ts): the filter's, and any a full
   * receive buffer lost, which the kernel counts together. 0 without the kernel filter.
   */
  get udpKernelDropped(): number {
    return this.#udp?.kernelDropped ?? 0;
  }

  /** True when the kernel filters the UDP socket (udp-bpf.ts; needs the optional addon). */
  get udpKernelFiltered(): boolean {
    return this.#udp?.kernelFiltered ?? false;
  }

  /** Stops the listeners; TCP connections finish what they are sending. Idempotent. */
  close(options: { graceMs?: number } = {}): Promise<void> {
    this.#closing ??= Promise.all([
      this.#tcp?.close(options),
      this.#udp?.close(options),
      this.#dot?.close(options),
    ]).then(() => {});
    return this.#closing;
  }

  /**
   * Answers one DNS message that came another way (DNS over HTTPS, RFC 8484), recorded as a
   * 'tls' exchange of `session`. Undefined when there is nothing to send back.
   */
  answer(message: Buffer, peer: string, session: string): Buffer | undefined {
    // A fault's late answer has no way back once the HTTP response is gone: it is dropped.
    return this.#handle(message, this.#recorder('tls', session, peer), undefined, () => {});
  }

  /** RFC 7858 §3.2: DNS over TLS is DNS over TCP (same framing and limits) inside TLS. */
  async #listenDot(material: TlsMaterial): Promise<void> {
    const o = this.#options;
    const maxFrame = o.maxTcpQueryBytes;
    const dot = new TcpServer(
      {
        name: 'dot',
        host: this.host,
        port: o.dotPort,
        maxConnections: o.maxConnections,
        maxConnectionsPerAddress: o.maxConnectionsPerAddress,
        idleTimeoutMs: o.idleTimeoutMs,
      },
      implicitTls(
        { onConnection: (conn) => this.#serveTcp(conn, maxFrame, 'tls') },
        { context: createServerContext(material) },
      ),
    );
    await dot.listen();
    this.#dot = dot;
  }

  #createTcp(port: number): TcpServer {
    const o = this.#options;
    const maxFrame = o.maxTcpQueryBytes;
    return new TcpServer(
      {
        name: 'dns',
        host: this.host,
        port,
        maxConnections: o.maxConnections,
        maxConnectionsPerAddress: o.maxConnectionsPerAddress,
        idleTimeoutMs: o.idleTimeoutMs,
        gate: connectionGate(o.faults, 'dns'),
      },
      // DNS has no words for "full" or "goodbye": a closed connection says it (RFC 7766 §6.2.3).
      { onConnection: (conn) => this.#serveTcp(conn, maxFrame) },
    );
  }

  #serveTcp(conn: TcpConnection, maxFrame: number, transport: 'tcp' | 'tls' = 'tcp'): void {
    const socket = conn.socket;
    const recorder = this.#recorder(transport, conn.id, conn.peer);
    let pending: Buffer = EMPTY;
    const deadline = this.#queryDeadline(conn, recorder);
    socket.on('data', (chunk: Buffer) => {
      const split = splitFrames(pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk, maxFrame);
      pending = split.rest;
      // Each query has its own deadline from its first byte.
      if (split.frames.length > 0) deadline.clear();
      if (pending.length > 0) deadline.start();
      let flowing = true;
      for (const message of split.frames) {
        const out = this.#handle(message, recorder, undefined, (late) => conn.write(frame(late)), conn);
        if (out) flowing = conn.write(frame(out)) && flowing;
      }
      if (split.oversized !== undefined) {
        const exchange = recorder.begin(`(frame of ${split.oversized} bytes)`);
        this.#finish(exchange, recorder, { ...NO_ANSWER, response: `closed: frame larger than ${maxFrame} bytes` });
        conn.close();
        return;
      }
      // Pipelined queries faster than the client reads: stop reading until it catches up.
      if (!flowing && !socket.isPaused()) {
        socket.pause();
        socket.once('drain', () => socket.resume());
      }
    });
  }

  /** The deadline of the query under way on `conn`: when it passes, the connection is closed. */
  #queryDeadline(conn: TcpConnection, recorder: Recorder): Deadline {
    const deadline = new Deadline(this.#options.queryDeadlineMs, () => {
      const exchange = recorder.begin('(incomplete query)');
      this.#finish(exchange, recorder, {
        ...NO_ANSWER,
        response: `closed: query not complete within ${deadline.ms} ms`,
      });
      conn.close();
    });
    conn.once('close', () => deadline.clear());
    return deadline;
  }

  /**
   * Answers one message: returns the answer to send now, or undefined (none, or one a fault
   * delays: it goes to `late` then). `peer` is the datagram's sender (a session's own is in its
   * recorder); `conn` is the TCP connection, for its connection-fault note.
   */
  #handle(
    input: Buffer,
    recorder: Recorder,
    peer: string | undefined,
    late: (answer: Buffer) => void,
    conn?: TcpConnection,
  ): Buffer | undefined {
    // The record's time is the query's arrival, as every other server's is; its line comes with the answer.
    const exchange = recorder.begin('', input.length, peer);
    const transport = recorder.fields.transport;
    const from = exchange.peer ?? recorder.fields.peer;
    let outcome = respond(input, transport, this.#options.zones(), this.#responder, from);
    const hit = this.#fault(outcome, transport, from);
    // DNS over TLS and HTTPS are streams: faults treat them as TCP.
    if (hit) outcome = applyDnsFault(input, outcome, hit.action, transport === 'udp' ? 'udp' : 'tcp');
    exchange.request = outcome.request;
    exchange.fault = hit?.note ?? (conn ? connectionFault(conn) : undefined);
    const delayMs = hit?.action.delayMs;
    if (delayMs) {
      setTimeout(() => {
        this.#finish(exchange, recorder, outcome);
        if (outcome.message) late(outcome.message);
      }, delayMs).unref();
      return undefined;
    }
    this.#finish(exchange, recorder, outcome);
    // A zone transfer is several messages (RFC 5936 §2.2), written in order.
    if (outcome.more && outcome.message) {
      late(outcome.message);
      for (const m of outcome.more) late(m);
      return undefined;
    }
    return outcome.message;
  }

  /** The first fault rule that fires for this query (only queries with a question are described). */
  #fault(outcome: Outcome, transport: DnsTransport, peer: string): FaultHit | undefined {
    const faults = this.#options.faults;
    const q = outcome.question;
    if (!q || !faults?.has('dns')) return undefined;
    const facts = { command: q.type, target: q.name.replace(/\.$/, ''), peer: hostOfPeer(peer) };
    return faults.decide('dns', facts, 'exchange', appliesTo(transport === 'udp' ? 'udp' : 'tcp'));
  }

  /** A recorder of DNS server exchanges on this server's log. */
  #recorder(transport: DnsTransport, session: string, peer: string): Recorder {
    return new Recorder(this.#options.log, { protocol: 'dns', side: 'server', transport, session, peer });
  }

  /** Records the exchange with its outcome and tells the `query` listeners. */
  #finish(exchange: OpenExchange, recorder: Recorder, outcome: Outcome): void {
    const bytesOut = outcome.message?.length ?? 0;
    exchange.end(outcome.response, outcome.ok, bytesOut);
    const fields = recorder.fields;
    this.emit('query', {
      time: new Date(exchange.time),
      transport: fields.transport,
      peer: exchange.peer ?? fields.peer,
      session: fields.session,
      bytesIn: exchange.bytesIn,
      bytesOut: exchange.bytesOut,
      durationMs: exchange.durationMs,
      fault: exchange.fault,
      message: outcome.message,
      request: exchange.request,
      response: outcome.response,
      ok: outcome.ok,
      rcode: outcome.rcode,
      question: outcome.question,
      answers: outcome.answers,
      truncated: outcome.truncated,
    });
  }
}
