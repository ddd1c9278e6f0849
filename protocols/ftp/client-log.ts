/**
 * Client-side exchange records from basic-ftp's control traffic: its `log()` hook sees every
 * command sent (`> CMD`, password already hidden) and every chunk received (`< ...`). Replies
 * are framed per RFC 959 §4.2 and paired with the command that caused them; preliminary 1xx
 * replies (150) wait for the final one. The final reply of a transfer (RETR, STOR, LIST...)
 * waits until the transfer's data bytes are known, so its record counts them, as the server's
 * record of the same exchange does.
 * @module
 */
import type { ExchangeLog, Transport } from '../../shared/exchange.js';
import { type OpenExchange, Recorder } from '../../shared/recorder.js';

/** Splits received text into complete replies (each its final line) and the unfinished rest (pure). */
export function splitReplies(text: string): { replies: string[]; rest: string } {
  const replies: string[] = [];
  let pendingCode: string | undefined;
  let consumed = 0;
  let pos = 0;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    if (nl === -1) break;
    const line = text.slice(pos, nl).replace(/\r$/, '');
    pos = nl + 1;
    const m = /^(\d{3})([ -])/.exec(line);
    if (pendingCode === undefined) {
      if (!m) {
        consumed = pos;
        continue;
      }
      if (m[2] === '-') pendingCode = m[1];
      else {
        replies.push(line);
        consumed = pos;
      }
    } else if (m && m[1] === pendingCode && m[2] === ' ') {
      replies.push(line);
      pendingCode = undefined;
      consumed = pos;
    }
  }
  return { replies, rest: text.slice(consumed) };
}

/** Masks what must never be logged: `PASS ****` (basic-ftp already writes `PASS ###`). */
export function maskCommand(command: string): string {
  return /^PASS\b/i.test(command) ? 'PASS ****' : command;
}

/** Commands whose reply ends a transfer on the data connection (RFC 959 §4.1.3). */
const TRANSFER_VERBS = new Set(['RETR', 'STOR', 'STOU', 'APPE', 'LIST', 'NLST', 'MLSD']);

interface Reply {
  readonly exchange: OpenExchange;
  readonly code: number;
  readonly line: string;
}

/** Turns basic-ftp's log lines into exchange records through one {@link Recorder}. */
export class FtpClientLog {
  #recorder: Recorder;
  #transport: () => Transport;
  #buffer = '';
  #current: OpenExchange;
  /** Set between {@link beginTransfer} and {@link endTransfer}. */
  #transferring = false;
  /** A transfer's final reply, waiting for its data bytes. */
  #held: Reply | undefined;

  constructor(log: ExchangeLog | undefined, session: string, peer: string, transport: () => Transport) {
    this.#transport = transport;
    this.#recorder = new Recorder(log, { protocol: 'ftp', side: 'client', transport: transport(), session, peer });
    this.#current = this.#recorder.begin('(connect)');
  }

  /** Receives one basic-ftp log message. */
  onLog(message: string): void {
    if (message.startsWith('> ')) {
      const request = maskCommand(message.slice(2));
      this.#current = this.#recorder.begin(request);
      this.#current.bytesOut = Buffer.byteLength(request) + 2;
    } else if (message.startsWith('< ')) {
      const { replies, rest } = splitReplies(this.#buffer + message.slice(2));
      this.#buffer = rest;
      for (const line of replies) this.#reply(line);
    }
  }

  /** A transfer starts: its final reply is recorded by {@link endTransfer}. */
  beginTransfer(): void {
    this.#transferring = true;
  }

  /**
   * The transfer is over (done or failed): records its final reply, if one came, with the bytes
   * that crossed the data connection added to those of the control reply.
   */
  endTransfer(dataBytes: number, direction: 'in' | 'out'): void {
    this.#transferring = false;
    const held = this.#held;
    this.#held = undefined;
    if (held) this.#add(held, direction === 'in' ? dataBytes : 0, direction === 'out' ? dataBytes : 0);
  }

  #reply(line: string): void {
    const code = Number(line.slice(0, 3));
    if (code < 200) return;
    // A second final reply to one command (an unsolicited 421) is an exchange of its own.
    if (this.#current.ended) this.#current = this.#recorder.begin(this.#current.request);
    const reply: Reply = { exchange: this.#current, code, line };
    const verb = /^\S+/.exec(reply.exchange.request)?.[0]?.toUpperCase() ?? '';
    if (this.#transferring && TRANSFER_VERBS.has(verb)) this.#held = reply;
    else this.#add(reply, 0, 0);
  }

  #add(reply: Reply, dataIn: number, dataOut: number): void {
    this.#recorder.transport = this.#transport();
    reply.exchange.bytesIn += Buffer.byteLength(reply.line) + 2 + dataIn;
    reply.exchange.end(reply.line, reply.code < 400, dataOut);
  }
}
