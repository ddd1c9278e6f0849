/**
 * The one line reader of line-based protocols (modelled on smtp-server's `smtp-stream.js`):
 * a `Writable` that hands one line at a time to an async handler and takes the next chunk only
 * after the handler has finished, so a slow handler pushes back on the socket (via `pipe`).
 * @module
 */
import { Writable } from 'node:stream';
import { LineTooLongError } from './errors.js';
import { MAX_LINE_LENGTH } from './limits.js';

export interface LineReaderOptions {
  /** Longest line in bytes, without its terminator; default {@link MAX_LINE_LENGTH}. */
  readonly maxLineLength?: number;
  /**
   * Read the stream as a Telnet NVT (RFC 854), as an FTP control connection is (RFC 959 §4.1.3):
   * a bare CR ends a line too (the LF or NUL right after it, even in a later chunk, is part of that
   * end), and Telnet commands (IAC …) are removed before decoding. Default false.
   *
   * Why the bare CR: a client that sends `ABOR\r\n` as TCP urgent data (Python's ftplib `abort()`)
   * loses the urgent byte, its LF, on Linux; waiting for that LF would never answer the ABOR.
   */
  readonly telnet?: boolean;
}

/**
 * A line (CRLF or bare LF stripped, and in Telnet mode a bare CR; decoded as UTF-8), or the overflow error once per over-long
 * line; the rest of that line is discarded up to its terminator.
 */
export type LineEvent = { readonly line: string; readonly error?: undefined } | { readonly error: LineTooLongError };
export type LineHandler = (event: LineEvent) => void | Promise<void>;

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
/** Telnet "interpret as command" (RFC 854). */
const IAC = 0xff;
/** WILL, WONT, DO, DONT: commands followed by an option byte (RFC 854). */
const WILL = 0xfb;
const DONT = 0xfe;

/** Where the next line ends: the first LF, or in Telnet mode the first CR or LF; -1 for none yet. */
function lineEnd(chunk: Buffer, from: number, telnet: boolean): number {
  const lf = chunk.indexOf(LF, from);
  if (!telnet) return lf;
  const cr = chunk.indexOf(CR, from);
  if (cr === -1) return lf;
  return lf === -1 ? cr : Math.min(cr, lf);
}

/**
 * A line with its Telnet commands removed (RFC 854): `IAC IAC` is a data byte 255, `IAC WILL|WONT|
 * DO|DONT opt` three bytes of negotiation, any other `IAC x` (IP, DM, AYT...) two bytes. The Synch
 * an FTP client sends before ABOR (RFC 959 §4.1.3: IAC IP, IAC DM) thus never reaches the command.
 */
export function stripTelnet(line: Buffer): Buffer {
  if (line.indexOf(IAC) === -1) return line;
  const out = Buffer.allocUnsafe(line.length);
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    const b = line[i] as number;
    if (b !== IAC) {
      out[n++] = b;
      continue;
    }
    const next = line[i + 1];
    if (next === IAC) out[n++] = IAC;
    i += next !== undefined && next >= WILL && next <= DONT ? 2 : 1;
  }
  return out.subarray(0, n);
}

export class LineReader extends Writable {
  readonly maxLineLength: number;
  #handler: LineHandler;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #discarding = false;
  readonly #telnet: boolean;
  /** Telnet mode: the last line ended in a CR at the end of a chunk; an LF or NUL first in the next belongs to it. */
  #afterCr = false;

  constructor(handler: LineHandler, options: LineReaderOptions = {}) {
    super({ decodeStrings: true });
    this.#handler = handler;
    this.maxLineLength = options.maxLineLength ?? MAX_LINE_LENGTH;
    this.#telnet = options.telnet ?? false;
  }

  /** Bytes held for a line not yet terminated (bounded by maxLineLength + 1). */
  get buffered(): number {
    return this.#pendingBytes;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#consume(chunk).then(
      () => callback(),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  }

  async #consume(chunk: Buffer): Promise<void> {
    let start = 0;
    if (this.#afterCr && chunk.length > 0) {
      this.#afterCr = false;
      if (chunk[0] === LF || chunk[0] === NUL) start = 1;
    }
    while (start < chunk.length) {
      const end = lineEnd(chunk, start, this.#telnet);
      if (end === -1) {
        await this.#hold(chunk.subarray(start));
        return;
      }
      const piece = chunk.subarray(start, end);
      start = end + 1;
      if (chunk[end] === CR) {
        // Telnet mode only (lineEnd stops at a CR nowhere else): CR LF and CR NUL are one end of line.
        if (start === chunk.length) this.#afterCr = true;
        else if (chunk[start] === LF || chunk[start] === NUL) start++;
      }
      if (this.#discarding) {
        this.#discarding = false;
        continue;
      }
      let line = this.#pendingBytes > 0 ? Buffer.concat([...this.#pending, piece]) : piece;
      this.#pending = [];
      this.#pendingBytes = 0;
      if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
      if (line.length > this.maxLineLength) {
        await this.#handler({ error: new LineTooLongError(this.maxLineLength) });
        continue;
      }
      if (this.#telnet) line = stripTelnet(line);
      await this.#handler({ line: line.toString('utf8') });
      if (this.destroyed) return;
    }
  }

  async #hold(part: Buffer): Promise<void> {
    if (this.#discarding || part.length === 0) return;
    this.#pending.push(part);
    this.#pendingBytes += part.length;
    // +1: a trailing CR may still belong to the terminator.
    if (this.#pendingBytes > this.maxLineLength + 1) {
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#discarding = true;
      // Report now, not at the terminator: a peer that never sends one must still get an answer,
      // and nothing is buffered without bound.
      await this.#handler({ error: new LineTooLongError(this.maxLineLength) });
    }
  }
}
