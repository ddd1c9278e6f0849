/**
 * One SMTP session: smtp-server's connection, fed a socket the shared TcpServer accepted, with
 * three changes made through its declared (typed) methods:
 * - the greeting goes out at once (`init()` without the library's fixed 100 ms early-talker wait,
 *   which would cap a client that opens a connection per message at ~10 messages a second);
 * - over-long command lines are answered 500 and the session lives on (command-guard.ts);
 * - every command and its final reply become one exchange record, and the TcpConnection is told
 *   when an exchange is in flight (graceful close waits for it) and when the session ends.
 * @module
 */

import type { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import type { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import type { ExchangeLog } from '../../shared/exchange.js';
import { elapsedMs } from '../../shared/exchange.js';
import type { TcpConnection } from '../../shared/tcp-server.js';
import { GuardedSmtpStream, OVERLONG_SENTINEL } from './command-guard.js';
import { formatReply, maskCommand, replyOk } from './exchange-text.js';

/** What a session needs besides the smtp-server instance. */
export interface SessionContext {
  readonly tcp: TcpConnection;
  readonly log: ExchangeLog | undefined;
}

interface Pending {
  request: string;
  verb: string;
  time: Date;
  t0: number;
  bytesIn: number;
  bytesOut: number;
}

/** Label of a reply that answers no command (greeting, idle timeout, shutdown). */
type Unsolicited = '(connect)' | '(idle timeout)' | '(shutdown)' | '(server)';

export class CaptureConnection extends SMTPConnection {
  readonly tcp: TcpConnection;
  #log: ExchangeLog | undefined;
  #pending: Pending | undefined;
  #unsolicited: Unsolicited = '(connect)';

  constructor(server: SMTPServer, context: SessionContext) {
    super(server, context.tcp.socket, { id: context.tcp.id });
    this.tcp = context.tcp;
    this.#log = context.log;
  }

  /**
   * The command line limit. Read from the server options, not a field: the library's constructor
   * builds the parser before this subclass's fields exist.
   */
  get maxLineLength(): number {
    return this._server.options.maxCommandLength ?? 512;
  }

  /**
   * Starts the session without the library's 100 ms wait: the connection limit is the TcpServer's
   * and there is no reverse lookup (`disableReverseLookup`), so the greeting can go out now.
   */
  override init(): void {
    this._setListeners(() => this.connectionReady());
  }

  /** Tells the client the server is going away (421, RFC 5321 §3.8) and closes. */
  shutdown(): void {
    this.#unsolicited = '(shutdown)';
    this.send(421, `${this.name} Service shutting down, try again later`);
  }

  override _createParser(): SMTPStream {
    const parser = new GuardedSmtpStream(this.maxLineLength);
    parser.oncommand = (command: Buffer, callback?: () => void) => this._onCommand(command, callback);
    parser.on('error', (err: Error) => {
      this.send(421, `Error: ${err.message}`);
    });
    return parser;
  }

  override _onCommand(command: Buffer, callback?: () => void): void {
    const continuation = this._nextHandler !== false;
    if (command.equals(OVERLONG_SENTINEL)) {
      // An AUTH exchange in progress is abandoned with it.
      this._nextHandler = false;
      this.#begin(`(line over ${this.maxLineLength} bytes)`, command.length);
      this.send(500, `Error: line too long (limit ${this.maxLineLength} bytes)`);
      setImmediate(() => callback?.());
      return;
    }
    if (continuation && this.#pending) {
      // A line of an AUTH exchange: a secret, never logged.
      this.#pending.bytesIn += command.length + 2;
      this.#pending.request = maskCommand(this.#pending.request, true);
    } else {
      this.#begin(maskCommand(command.toString('utf8')), command.length + 2);
    }
    super._onCommand(command, callback);
  }

  override send(code: number, data?: string | string[] | null, context?: string | false): void {
    super.send(code, data, context);
    this.#reply(code, data, context);
  }

  override _onTimeout(): void {
    this.#unsolicited = '(idle timeout)';
    super._onTimeout();
  }

  override _onClose(): void {
    const wasClosed = this._closed;
    super._onClose();
    if (wasClosed) return;
    const pending = this.#pending;
    if (pending) {
      this.#pending = undefined;
      this.#record(pending, '(connection closed)', false);
      this.tcp.endExchange();
    }
    this.tcp.close();
  }

  #begin(request: string, bytesIn: number): void {
    // Replies come before the next command is read, so at most one command is open; a stray one
    // (no reply at all) is closed here rather than leaked.
    if (this.#pending) {
      this.#record(this.#pending, '(no reply)', false);
      this.tcp.endExchange();
    }
    const verb = (request.split(' ', 1)[0] ?? '').toUpperCase();
    this.#pending = { request, verb, time: new Date(), t0: performance.now(), bytesIn, bytesOut: 0 };
    this.tcp.beginExchange();
  }

  #reply(code: number, data: string | string[] | null | undefined, context: string | false | undefined): void {
    const lines = Array.isArray(data) ? data : [data ?? ''];
    const enhanced = this._getEnhancedStatusCode(code, context);
    const prefix = 4 + (enhanced ? enhanced.length + 1 : 0);
    const bytesOut = lines.reduce((n, l) => n + prefix + Buffer.byteLength(l) + 2, 0);
    const pending = this.#pending;
    if (!pending) {
      const time = new Date();
      this.#record(
        { request: this.#unsolicited, verb: '', time, t0: performance.now(), bytesIn: 0, bytesOut },
        formatReply(code, lines),
        replyOk(code),
      );
      this.#unsolicited = '(server)';
      return;
    }
    pending.bytesOut += bytesOut;
    // 334 (AUTH challenge) and 354 (send the message) are steps of one exchange, not its end.
    if (code === 334 || code === 354) return;
    if (pending.verb === 'DATA' && this._parser) pending.bytesIn += this._parser.dataBytes;
    this.#pending = undefined;
    this.#record(pending, formatReply(code, lines), replyOk(code));
    this.tcp.endExchange();
  }

  #record(pending: Pending, response: string, ok: boolean): void {
    this.#log?.add({
      protocol: 'smtp',
      side: 'server',
      transport: this.secure ? 'tls' : 'tcp',
      session: this.tcp.id,
      peer: this.tcp.peer,
      time: pending.time,
      request: pending.request,
      response,
      ok,
      bytesIn: pending.bytesIn,
      bytesOut: pending.bytesOut,
      durationMs: elapsedMs(pending.t0),
    });
  }
}
