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
}

/**
 * A line (CRLF or bare LF stripped, decoded as UTF-8), or the overflow error once per over-long
 * line; the rest of that line is discarded up to its terminator.
 */
export type LineEvent = { readonly line: string; readonly error?: undefined } | { readonly error: LineTooLongError };
export type LineHandler = (event: LineEvent) => void | Promise<void>;

const LF = 0x0a;
const CR = 0x0d;

export class LineReader extends Writable {
  readonly maxLineLength: number;
  #handler: LineHandler;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #discarding = false;

  constructor(handler: LineHandler, options: LineReaderOptions = {}) {
    super({ decodeStrings: true });
    this.#handler = handler;
    this.maxLineLength = options.maxLineLength ?? MAX_LINE_LENGTH;
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
    while (start < chunk.length) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        await this.#hold(chunk.subarray(start));
        return;
      }
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
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
