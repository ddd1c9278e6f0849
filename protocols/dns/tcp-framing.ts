/**
 * DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766 §8): each message is preceded by its length as
 * two bytes. A pure splitter in the `{ messages, rest }` style: feed it what has arrived (any
 * split, byte by byte included) and keep `rest` for the next call.
 * @module
 */

export interface FrameSplit {
  /** Complete messages, in order. */
  readonly frames: Buffer[];
  /** Bytes of an incomplete frame, to prepend to the next chunk. */
  readonly rest: Buffer;
  /** Set when a frame announces more than `maxFrame` bytes: the stream cannot be trusted further. */
  readonly oversized?: number;
}

const EMPTY: Buffer = Buffer.alloc(0);

/** Splits `buffer` into frames of at most `maxFrame` bytes. */
export function splitFrames(buffer: Buffer, maxFrame: number): FrameSplit {
  const frames: Buffer[] = [];
  let at = 0;
  while (buffer.length - at >= 2) {
    const length = buffer.readUInt16BE(at);
    if (length > maxFrame) return { frames, rest: EMPTY, oversized: length };
    if (buffer.length - at - 2 < length) break;
    frames.push(buffer.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return { frames, rest: at === buffer.length ? EMPTY : buffer.subarray(at) };
}

/** A message with its 2-byte length prefix. */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(message.length + 2);
  out.writeUInt16BE(message.length, 0);
  out.set(message, 2);
  return out;
}
