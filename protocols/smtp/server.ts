/**
 * The capturing SMTP server: the shared TcpServer accepts (connection limit with 421, graceful
 * close saying 421), smtp-server speaks SMTP on each socket, and every accepted message is stored
 * durably in the MailStore before the 250. Nothing is ever relayed.
 * @module
 */
import crypto from 'node:crypto';
import type net from 'node:net';
import os from 'node:os';
import {
  SMTPServer,
  type SMTPServerAuthentication,
  type SMTPServerAuthenticationResponse,
  type SMTPServerDataStream,
  type SMTPServerOptions,
  type SMTPServerSession,
} from 'smtp-server';
import { isPeerReset } from '../../shared/errors.js';
import type { ExchangeLog } from '../../shared/exchange.js';
import { connectionGate } from '../../shared/faults/connection-gate.js';
import type { FaultEngine } from '../../shared/faults/engine.js';
import { withDefaults } from '../../shared/options.js';
import { type TcpProtocolHandler, TcpServer } from '../../shared/tcp-server.js';
import { createServerContext } from '../../shared/tls.js';
import { implicitTls, listenWithTls } from '../../shared/tls-listener.js';
import { watchCommandLines } from './command-deadline.js';
import { CaptureConnection } from './connection.js';
import { type OfferedExtensions, unsupportedParameter, unsupportedReply } from './esmtp-params.js';
import type { MailDraft, MailStore } from './mail-store.js';
import { SMTP_DEFAULTS, type SmtpAccount, type SmtpServerOptions } from './options.js';

export type { SmtpAccount, SmtpServerOptions } from './options.js';

/** Longest timer Node accepts: what "no idle timeout" becomes. */
const NO_TIMEOUT_MS = 2 ** 31 - 1;

/** Reply codes of the failures this server decides itself. */
function replyError(responseCode: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}

/** The 555 for a MAIL/RCPT parameter the server does not implement (RFC 5321 §4.1.1.11), or null. */
function parameterError(
  command: 'MAIL' | 'RCPT',
  args: Readonly<Record<string, unknown>> | false | undefined,
  offered: OfferedExtensions,
): (Error & { responseCode: number }) | null {
  const key = unsupportedParameter(command, args, offered);
  return key === undefined ? null : replyError(555, unsupportedReply(key));
}

/** True when `given` equals `expected`, in time that does not depend on where they differ. */
function safeEqual(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

export class SmtpServer {
  readonly store: MailStore;
  readonly name: string;
  readonly maxMessageBytes: number;
  #tcp: TcpServer;
  /** The implicit-TLS listener (with `tls`). */
  #tls: TcpServer | undefined;
  #smtp: SMTPServer;
  #log: ExchangeLog | undefined;
  #faults: FaultEngine | undefined;
  #users: readonly SmtpAccount[];
  #sessions = new Map<string, CaptureConnection>();
  /** Per session: hands the command line deadline the socket after STARTTLS. */
  #watchers = new Map<string, (socket: net.Socket) => void>();

  constructor(given: SmtpServerOptions) {
    const options = withDefaults(SMTP_DEFAULTS, given);
    this.store = options.store;
    this.#log = options.log;
    this.#faults = options.faults;
    this.#users = options.users;
    this.name = options.name ?? os.hostname();
    this.maxMessageBytes = options.maxMessageBytes;
    const idleTimeoutMs = options.idleTimeoutMs;
    const withAuth = this.#users.length > 0;
    const smtpOptions: SMTPServerOptions = {
      name: this.name,
      banner: 'minisuite (capture only, nothing is relayed)',
      logger: false,
      // No reverse lookup per connection: it costs a DNS query and up to 1.5 s per greeting.
      disableReverseLookup: true,
      size: this.maxMessageBytes,
      hideENHANCEDSTATUSCODES: false,
      hideDSN: true,
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: !withAuth,
      disabledCommands: [...(withAuth ? [] : ['AUTH']), ...(options.tls ? [] : ['STARTTLS'])],
      ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
      maxCommandLength: options.maxLineLength,
      maxRecipients: options.maxRecipients,
      // The library's own idle timeout knows when the client waits for us (it then does not fire).
      socketTimeout: idleTimeoutMs > 0 ? idleTimeoutMs : NO_TIMEOUT_MS,
      onAuth: (auth, session, callback) => this.#onAuth(auth, session, callback),
      onMailFrom: (address, _session, callback) => callback(parameterError('MAIL', address.args, { auth: withAuth })),
      onRcptTo: (address, _session, callback) => callback(parameterError('RCPT', address.args, { auth: withAuth })),
      onData: (stream, session, callback) => this.#onData(stream, session, callback),
      onSecure: (socket, session, callback) => {
        // The session now runs on the TLS socket; the TcpConnection must watch that one.
        this.#sessions.get(session.id)?.tcp.replaceSocket(socket as net.Socket);
        this.#watchers.get(session.id)?.(socket as net.Socket);
        callback();
      },
    };
    this.#smtp = new SMTPServer(smtpOptions);
    this.#smtp.on('error', () => {
      // Session errors (peer resets, failed TLS handshakes) end that session only.
    });
    const tcpOptions = {
      host: options.host,
      maxConnections: options.maxConnections,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress,
      // smtp-server keeps the idle timeout (above); two timers on one socket would fight.
      idleTimeoutMs: 0,
      gate: connectionGate(options.faults, 'smtp'),
    };
    const handler: TcpProtocolHandler = {
      onConnection: (tcp) => {
        const session = new CaptureConnection(this.#smtp, { tcp, log: this.#log, faults: this.#faults });
        this.#sessions.set(tcp.id, session);
        const watch = watchCommandLines(session, options.commandDeadlineMs);
        this.#watchers.set(tcp.id, watch);
        tcp.once('close', () => {
          this.#sessions.delete(tcp.id);
          this.#watchers.delete(tcp.id);
        });
        this.#smtp.connections.add(session);
        session.on('error', (err: Error) => {
          if (!isPeerReset(err)) tcp.close(err);
        });
        session.init();
        watch(tcp.socket);
      },
      onRejected: (socket, reason) => {
        const who = reason === 'address' ? ' from your address' : '';
        socket.write(`421 ${this.name} Too many connections${who}, try again later\r\n`);
      },
      onEvicted: (tcp) => {
        // RFC 5321 §3.8: 421 before closing the transmission channel.
        tcp.write(`421 ${this.name} Idle session closed to make room for another client\r\n`);
      },
      onShutdown: (tcp) => {
        this.#sessions.get(tcp.id)?.shutdown();
      },
    };
    this.#tcp = new TcpServer({ ...tcpOptions, name: 'smtp', port: options.port }, handler);
    if (options.tls) {
      // Until the handshake is done the handshake timeout guards the socket; the library's idle
      // timeout starts with the session. A TLS client of a full server cannot be told "421".
      const { onRejected: _plainOnly, ...secureHandler } = handler;
      this.#tls = new TcpServer(
        { ...tcpOptions, name: 'smtps', port: options.smtpsPort ?? 0 },
        implicitTls(secureHandler, { context: createServerContext(options.tls) }),
      );
    }
  }

  get host(): string {
    return this.#tcp.host;
  }

  /** The bound port after `listen()`. */
  get port(): number {
    return this.#tcp.port;
  }

  /** The bound implicit-TLS port, or undefined without `tls`. */
  get smtpsPort(): number | undefined {
    return this.#tls?.port;
  }

  /** Sessions open now (both listeners). */
  get connections(): number {
    return this.#tcp.connections.size + (this.#tls?.connections.size ?? 0);
  }

  get listening(): boolean {
    return this.#tcp.state === 'listening';
  }

  /** Prepares the store and starts accepting; resolves with the bound port. */
  async listen(): Promise<number> {
    await this.store.init();
    return listenWithTls(this.#tcp, this.#tls);
  }

  /** Stops accepting, lets messages in flight finish (up to `graceMs`), says 421 to the rest. Idempotent. */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    await Promise.all([this.#tcp.close(options), this.#tls?.close(options)]);
  }

  #onAuth(
    auth: SMTPServerAuthentication,
    _session: SMTPServerSession,
    callback: (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void,
  ): void {
    const username = auth.username ?? '';
    const password = auth.password ?? '';
    // Compare every account in full, so the time taken says nothing about which part was wrong.
    let user: string | undefined;
    for (const account of this.#users) {
      if (safeEqual(username, account.name) && safeEqual(password, account.pass)) user = account.name;
    }
    if (user === undefined) callback(replyError(535, 'Authentication credentials invalid'));
    else callback(null, { user });
  }

  #onData(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (err?: Error | null, message?: string) => void,
  ): void {
    // The message streams into the store as it arrives (bounded memory per session, no large
    // write on the main thread); a message over the limit or cut off is abandoned.
    let draft: MailDraft | undefined = this.store.begin({
      mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      rcptTo: session.envelope.rcptTo.map((r) => r.address),
    });
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      if (!draft) return;
      size += chunk.length;
      // Over the limit nothing more is kept; the rest is only read to the end of the message.
      if (stream.sizeExceeded || size > this.maxMessageBytes) {
        draft.abandon();
        draft = undefined;
        return;
      }
      const wait = draft.write(chunk);
      if (wait) {
        // A chunk is on its way to the log: read no further until it is written.
        stream.pause();
        void wait.then(() => stream.resume());
      }
    });
    stream.once('end', () => {
      if (!draft || stream.sizeExceeded || size > this.maxMessageBytes) {
        draft?.abandon();
        callback(replyError(552, `Message exceeds fixed maximum message size ${this.maxMessageBytes}`));
        return;
      }
      // A fault here answers instead of storing: the client is told the message was not taken.
      const connection = this.#sessions.get(session.id);
      if (connection?.faultAtEndOfData((code, text) => callback(replyError(code, text)))) {
        draft.abandon();
        return;
      }
      // RFC 5321 §4.1.1.4: the 250 means the message is ours; here it means it is on disk.
      draft.commit().then(
        (id) => callback(null, `Stored ${id}`),
        () => callback(replyError(451, 'Requested action aborted: local error in processing (message not stored)')),
      );
    });
    stream.once('error', () => {
      // The client went away mid-message: nothing is stored and nobody is left to answer.
      draft?.abandon();
    });
  }
}
