/**
 * One SMTP session: smtp-server's connection, fed a socket the shared TcpServer accepted, with
 * three changes made through its declared (typed) methods:
 * - the greeting goes out at once (`init()` without the library's fixed 100 ms early-talker wait,
 *   which would cap a client that opens a connection per message at ~10 messages a second);
 * - over-long command lines are answered 500 and the session lives on (command-guard.ts);
 * - every command and its final reply become one exchange record (through the shared Recorder,
 *   reply texts formatted once per distinct reply), and the TcpConnection is told
 *   when an exchange is in flight (graceful close waits for it) and when the session ends.
 * @module
 */

import type { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import type { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import type { ExchangeLog } from '../../shared/exchange.js';
import { connectionFault } from '../../shared/faults/connection-gate.js';
import type { FaultEngine, FaultHit } from '../../shared/faults/engine.js';
import { splitReply } from '../../shared/faults/rule.js';
import { type OpenExchange, Recorder } from '../../shared/recorder.js';
import type { TcpConnection } from '../../shared/tcp-server.js';
import { GuardedSmtpStream, OVERLONG_SENTINEL } from './command-guard.js';
import { formatReply, maskCommand, ReplyTexts, replyOk } from './exchange-text.js';
import { CONNECT, commandAddress, END_OF_DATA } from './faults.js';

/** What a session needs besides the smtp-server instance. */
export interface SessionContext {
  readonly tcp: TcpConnection;
  readonly log: ExchangeLog | undefined;
  /** Fault rules to consult per command; default none. */
  readonly faults?: FaultEngine | undefined;
}

/** Label of a reply that answers no command (greeting, idle timeout, shutdown). */
type Unsolicited = '(connect)' | '(idle timeout)' | '(shutdown)' | '(server)';

export class CaptureConnection extends SMTPConnection {
  readonly tcp: TcpConnection;
  #recorder: Recorder;
  #faults: FaultEngine | undefined;
  /** A fault reply the library is about to send for us (end of data): our code and text, no enhanced code added. */
  #forced: { code: number; text: string } | undefined;
  /** The exchange in progress: replies come before the next command is read, so one at most. */
  #open: OpenExchange | undefined;
  /** The command verb of {@link #open}, upper case. */
  #verb = '';
  #unsolicited: Unsolicited = '(connect)';

  constructor(server: SMTPServer, context: SessionContext) {
    super(server, context.tcp.socket, { id: context.tcp.id });
    this.tcp = context.tcp;
    this.#faults = context.faults;
    const socket = context.tcp.socket;
    const encrypted = 'encrypted' in socket;
    this.#recorder = new Recorder(context.log, {
      protocol: 'smtp',
      side: 'server',
      transport: encrypted ? 'tls' : 'tcp',
      session: context.tcp.id,
      peer: context.tcp.peer,
    });
    if (encrypted) {
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
          this.#open = undefined;
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
    const open = this.#open;
    if (continuation && open) {
      // A line of an AUTH exchange: a secret, never logged.
      open.bytesIn += command.length + 2;
      open.request = maskCommand(open.request, true);
    } else {
      const line = command.toString('utf8');
      this.#begin(maskCommand(line), command.length + 2);
      // Not while the session cannot answer yet (or a TLS handshake runs on the socket).
      const hit = this._ready && !this._upgrading ? this.#commandFault(line) : undefined;
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

  /** The first fault rule that fires for the command `line` (the open exchange's), if any. */
  #commandFault(line: string): FaultHit | undefined {
    // No rule, no work: the address is read only when a rule may look at it.
    if (!this.#faults?.has('smtp')) return undefined;
    const verb = this.#verb;
    return this.#fault(verb, commandAddress(verb, line));
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
    if (this.#open) this.#open.fault = hit.note;
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
    const open = this.#open;
    if (open) {
      this.#open = undefined;
      this.#end(open, open.fault !== undefined ? '(closed by fault)' : '(connection closed)', false, 0);
      this.tcp.endExchange();
    }
    this.tcp.close();
  }

  #begin(request: string, bytesIn: number): void {
    // A stray exchange (no reply at all) is closed here rather than leaked.
    if (this.#open) {
      this.#end(this.#open, '(no reply)', false, 0);
      this.tcp.endExchange();
    }
    const space = request.indexOf(' ');
    this.#verb = (space < 0 ? request : request.slice(0, space)).toUpperCase();
    this.#open = this.#recorder.begin(request, bytesIn);
    this.tcp.beginExchange();
  }

  #reply(code: number, data: string | string[] | null | undefined, context: string | false | undefined): void {
    const enhanced = this._getEnhancedStatusCode(code, context);
    // Per line on the wire: the code and a space or dash, the enhanced code and a space, CR LF.
    const perLine = 6 + (enhanced ? enhanced.length + 1 : 0);
    let line: string;
    let bytesOut: number;
    if (Array.isArray(data)) {
      line = formatReply(code, data);
      bytesOut = data.reduce((n, l) => n + perLine + Buffer.byteLength(l), 0);
    } else {
      const known = REPLIES.get(code, data ?? '');
      line = known.line;
      bytesOut = perLine + known.bytes;
    }
    const open = this.#open;
    if (!open) {
      this.#end(this.#recorder.begin(this.#unsolicited), line, replyOk(code), bytesOut);
      this.#unsolicited = '(server)';
      return;
    }
    open.bytesOut += bytesOut;
    // 334 (AUTH challenge) and 354 (send the message) are steps of one exchange, not its end.
    if (code === 334 || code === 354) return;
    if (this.#verb === 'DATA' && this._parser) open.bytesIn += this._parser.dataBytes;
    this.#open = undefined;
    this.#end(open, line, replyOk(code), 0);
    this.tcp.endExchange();
  }

  /** Records `open` with its reply (the session's transport and connection fault as they are now). */
  #end(open: OpenExchange, response: string, ok: boolean, bytesOut: number): void {
    if (this.secure) this.#recorder.transport = 'tls';
    if (open.fault === undefined) open.fault = connectionFault(this.tcp);
    open.end(response, ok, bytesOut);
  }
}

/** The reply texts of every session (they are the same few across sessions). */
const REPLIES = new ReplyTexts();
