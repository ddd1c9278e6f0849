/**
 * Client-side exchange records from basic-ftp's control traffic: its `log()` hook sees every
 * command sent (`> CMD`, password already hidden) and every chunk received (`< ...`). Replies
 * are framed per RFC 959 §4.2 and paired with the command that caused them; preliminary 1xx
 * replies (150) wait for the final one.
 * @module
 */
import type { ExchangeLog, Transport } from '../../shared/exchange.js';
import { elapsedMs } from '../../shared/exchange.js';

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

/** Turns log lines into exchange records on `log`. */
export class ClientRecorder {
  #log: ExchangeLog | undefined;
  #session: string;
  #peer: string;
  #transport: () => Transport;
  #buffer = '';
  #request = '(connect)';
  #t0 = performance.now();
  #time = new Date();
  #bytesOut = 0;

  constructor(log: ExchangeLog | undefined, session: string, peer: string, transport: () => Transport) {
    this.#log = log;
    this.#session = session;
    this.#peer = peer;
    this.#transport = transport;
  }

  /** Receives one basic-ftp log message. */
  onLog(message: string): void {
    if (message.startsWith('> ')) {
      this.#request = maskCommand(message.slice(2));
      this.#t0 = performance.now();
      this.#time = new Date();
      this.#bytesOut = Buffer.byteLength(this.#request) + 2;
    } else if (message.startsWith('< ')) {
      const { replies, rest } = splitReplies(this.#buffer + message.slice(2));
      this.#buffer = rest;
      for (const line of replies) this.#reply(line);
    }
  }

  #reply(line: string): void {
    const code = Number(line.slice(0, 3));
    if (code < 200) return;
    this.#log?.add({
      protocol: 'ftp',
      side: 'client',
      transport: this.#transport(),
      session: this.#session,
      peer: this.#peer,
      request: this.#request,
      response: line,
      ok: code < 400,
      bytesIn: Buffer.byteLength(line) + 2,
      bytesOut: this.#bytesOut,
      durationMs: elapsedMs(this.#t0),
      time: this.#time,
    });
    this.#bytesOut = 0;
  }
}
