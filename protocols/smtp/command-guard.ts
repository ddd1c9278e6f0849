/**
 * Over-long command lines answered with 500 instead of 421.
 *
 * smtp-server's command parser treats a line over `maxCommandLength` as a stream error: it
 * answers `421` and closes the session. RFC 5321 §4.5.3.1.4 and §4.2.4 only ask for a 500-class
 * reply, and a test tool should live on, so a guard scans the input of command mode first and
 * replaces every over-long line with {@link OVERLONG_SENTINEL}, which the connection answers with
 * `500` in order with the other replies. The scan stops at a `DATA` line: what follows it is
 * message content, which is the parser's business (it has no line limit there).
 * @module
 */
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';

/** The line put in place of an over-long one; it cannot be a real command (NUL bytes). */
export const OVERLONG_SENTINEL = Buffer.from('\u0000\u0000LINE-TOO-LONG', 'latin1');

const SENTINEL_LINE = Buffer.concat([OVERLONG_SENTINEL, Buffer.from('\r\n')]);
const LF = 0x0a;
const CR = 0x0d;
const DATA_LINE = /^DATA[ \t]*\r?$/i;

export interface GuardInput {
  /** The start of the current line the parser already holds (its unfinished remainder), latin1. */
  readonly carried: string;
  /** True while the rest of an over-long line is being skipped up to its LF. */
  readonly discarding: boolean;
}

export interface GuardResult {
  /** What the parser gets instead of the chunk. */
  readonly out: Buffer;
  /** The line the parser holds turned out over-long: its remainder must be dropped. */
  readonly dropCarried: boolean;
  /** Skipping continues into the next chunk. */
  readonly discarding: boolean;
}

/**
 * Scans one chunk of command-mode input. Lines longer than `maxLength` bytes (without CR LF) become
 * {@link OVERLONG_SENTINEL} lines; an over-long line still unterminated at the end of the chunk is
 * reported at once (a peer that never sends LF still gets its answer) and skipped up to its LF.
 */
export function guardCommandChunk(chunk: Buffer, input: GuardInput, maxLength: number): GuardResult {
  const parts: Buffer[] = [];
  let discarding = input.discarding;
  let carried = input.carried;
  let dropCarried = false;
  let start = 0;
  let pending = 0; // start of the bytes not yet copied to `parts`
  while (start < chunk.length) {
    const nl = chunk.indexOf(LF, start);
    if (discarding) {
      // Drop everything up to and including the LF that ends the over-long line.
      if (nl === -1) return { out: concat(parts), dropCarried, discarding: true };
      discarding = false;
      start = nl + 1;
      pending = start;
      continue;
    }
    if (nl === -1) {
      // Unterminated tail: +1 because a trailing CR may still belong to the terminator.
      if (carried.length + (chunk.length - start) > maxLength + 1) {
        parts.push(chunk.subarray(pending, start), SENTINEL_LINE);
        if (carried.length > 0) dropCarried = true;
        return { out: concat(parts), dropCarried, discarding: true };
      }
      break;
    }
    // The line without its LF and its CR (the CR may be the last byte the parser holds).
    let length = carried.length + (nl - start);
    const lastByte = nl > start ? chunk[nl - 1] : carried.charCodeAt(carried.length - 1);
    if (length > 0 && lastByte === CR) length--;
    if (length > maxLength) {
      parts.push(chunk.subarray(pending, start), SENTINEL_LINE);
      if (carried.length > 0) dropCarried = true;
      pending = nl + 1;
    } else if (DATA_LINE.test(carried + chunk.subarray(start, nl).toString('latin1'))) {
      // Message content follows; the parser takes it from here.
      break;
    }
    carried = '';
    start = nl + 1;
  }
  parts.push(chunk.subarray(pending));
  return { out: concat(parts), dropCarried, discarding: false };
}

function concat(parts: Buffer[]): Buffer {
  const nonEmpty = parts.filter((p) => p.length > 0);
  return nonEmpty.length === 1 && nonEmpty[0] ? nonEmpty[0] : Buffer.concat(nonEmpty);
}

/** smtp-server's parser with {@link guardCommandChunk} in front of command mode. */
export class GuardedSmtpStream extends SMTPStream {
  readonly maxLineLength: number;
  #discarding = false;

  constructor(maxLineLength: number) {
    // The parser's own limit sits above ours (room for CR and a byte of slack) so it never fires first.
    super({ maxCommandLength: maxLineLength + 8 });
    this.maxLineLength = maxLineLength;
  }

  override _write(chunk: Buffer, encoding: BufferEncoding | 'buffer', next: (err?: Error | null) => void): void {
    if (this._dataMode || this.isClosed || !chunk || chunk.length === 0) {
      super._write(chunk, encoding, next);
      return;
    }
    // `_remainder` is a latin1 ('binary') string: one character per byte.
    const result = guardCommandChunk(
      chunk,
      { carried: this._remainder, discarding: this.#discarding },
      this.maxLineLength,
    );
    this.#discarding = result.discarding;
    if (result.dropCarried) this._remainder = '';
    if (result.out.length === 0) {
      next();
      return;
    }
    super._write(result.out, encoding, next);
  }
}
