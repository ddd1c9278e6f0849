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
import { connectionFault } from '../../shared/faults/connection-gate.js';
import type { FaultEngine, FaultHit } from '../../shared/faults/engine.js';
import { splitReply } from '../../shared/faults/rule.js';
import type { TcpConnection } from '../../shared/tcp-server.js';
import { GuardedSmtpStream, OVERLONG_SENTINEL } from './command-guard.js';
import { formatReply, maskCommand, replyOk } from './exchange-text.js';
import { CONNECT, commandAddress, END_OF_DATA } from './faults.js';

/** What a session needs besides the smtp-server instance. */
export interface SessionContext {
  readonly tcp: TcpConnection;
  readonly log: ExchangeLog | undefined;
  /** Fault rules to consult per command; default none. */
  readonly faults?: FaultEngine | undefined;
}

interface Pending {
  request: string;
  verb: string;
  time: Date;
  t0: number;
  bytesIn: number;
  bytesOut: number;
  /** The note of the fault rule that changed this exchange. */
  fault?: string;
}

/** Label of a reply that answers no command (greeting, idle timeout, shutdown). */
type Unsolicited = '(connect)' | '(idle timeout)' | '(shutdown)' | '(server)';

export class CaptureConnection extends SMTPConnection {
  readonly tcp: TcpConnection;
  #log: ExchangeLog | undefined;
  #faults: FaultEngine | undefined;
  /** A fault reply the library is about to send for us (end of data): our code and text, no enhanced code added. */
  #forced: { code: number; text: string } | undefined;
  #pending: Pending | undefined;
  #unsolicited: Unsolicited = '(connect)';

  constructor(server: SMTPServer, context: SessionContext) {
    super(server, context.tcp.socket, { id: context.tcp.id });
    this.tcp = context.tcp;
    this.#log = context.log;
    this.#faults = context.faults;
    const socket = context.tcp.socket;
    if ('encrypted' in socket) {
      // Implicit TLS (RFC 8314 §3.3): secure from the first byte, so no STARTTLS is offered and
      // AUTH is allowed at once, as after a STARTTLS.
      this.session.secure = this.secure = true;
      this.tlsOptions = socket.getCipher();
    }
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
    this._setListeners(() => {
      const hit = this.#fault(CONNECT, undefined);
      if (!hit) return this.connectionReady();
      // The greeting is an exchange of its own here, so the fault's record has a request.
      this.#begin('(connect)', 0);
      this.#takeOver(
        hit,
        (code, text) => this.send(code, text, false),
        () => {
          this.#pending = undefined;
          this.tcp.endExchange();
          this.connectionReady();
        },
      );
    });
  }

  /**
   * The reply to the message after its final dot: a fault there answers instead of storing it.
   * Returns false when no rule fired (the caller stores the message and answers).
   */
  faultAtEndOfData(answer: (code: number, text: string) => void): boolean {
    const hit = this.#fault(END_OF_DATA, undefined);
    if (!hit) return false;
    this.#takeOver(
      hit,
      (code, text) => {
        this.#forced = { code, text };
        answer(code, text);
      },
      () => false,
    );
    return true;
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
      const line = command.toString('utf8');
      this.#begin(maskCommand(line), command.length + 2);
      // Not while the session cannot answer yet (or a TLS handshake runs on the socket).
      const verb = this.#pending?.verb ?? '';
      const hit = this._ready && !this._upgrading ? this.#fault(verb, commandAddress(verb, line)) : undefined;
      if (hit) {
        this.#takeOver(
          hit,
          (code, text) => {
            this.send(code, text, false);
            setImmediate(() => callback?.());
          },
          () => super._onCommand(command, callback),
        );
        return;
      }
    }
    super._onCommand(command, callback);
  }

  override send(code: number, data?: string | string[] | null, context?: string | false): void {
    const forced = this.#forced;
    if (forced && forced.code === code) {
      this.#forced = undefined;
      super.send(code, forced.text, false);
      this.#reply(code, forced.text, false);
      return;
    }
    super.send(code, data, context);
    this.#reply(code, data, context);
  }

  /** The first fault rule that fires for this command, if any. */
  #fault(command: string, target: string | undefined): FaultHit | undefined {
    const faults = this.#faults;
    if (!faults?.has('smtp')) return undefined;
    const user = typeof this.session.user === 'string' ? this.session.user : undefined;
    return faults.decide('smtp', { command, target, peer: this.tcp.remoteAddress, user });
  }

  /**
   * Applies a fault instead of the command: after `delayMs`, a reset, a reply (421 closes, as
   * RFC 5321 §3.8 says; `close` closes after any reply), a close without a reply, or, with a
   * delay alone, the command itself (`proceed`).
   */
  #takeOver(hit: FaultHit, reply: (code: number, text: string) => void, proceed: () => void): void {
    const action = hit.action;
    if (this.#pending) this.#pending.fault = hit.note;
    const act = () => {
      if (this._closed || this._closing) return;
      if (action.reset) {
        this.tcp.socket.resetAndDestroy();
        this.close();
      } else if (action.reply !== undefined) {
        const { code, text } = splitReply(action.reply);
        reply(code, text);
        if (action.close && code !== 421) this.close();
      } else if (action.close) this.close();
      else proceed();
    };
    if (action.delayMs) setTimeout(act, action.delayMs).unref();
    else act();
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
      this.#record(pending, pending.fault !== undefined ? '(closed by fault)' : '(connection closed)', false);
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
      fault: pending.fault ?? connectionFault(this.tcp),
    });
  }
}
