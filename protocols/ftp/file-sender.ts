/**
 * Sends a file (from an offset) over a data connection for RETR: a read loop over a small pool
 * of large buffers that are reused, instead of a ReadStream that allocates a fresh buffer per
 * chunk. Profiles of a 256 MiB RETR showed those allocations (and the garbage collection of
 * them, ~17% of the server's CPU) as the main cost after the two copies themselves.
 *
 * Backpressure: a buffer goes back into the pool only when the socket's write callback ran (the
 * bytes were handed to the kernel, or to TLS), and the next read waits for a free buffer, so at
 * most `poolSize × chunkBytes` are ever queued on the socket. While one buffer is being written,
 * the next is read on the thread pool.
 * @module
 */
import fs from 'node:fs';
import type { Writable } from 'node:stream';

/** Size of each read and write: large chunks keep per-chunk costs (calls, callbacks) small. */
export const SEND_CHUNK_BYTES = 1024 * 1024;
/** Buffers per transfer: one written while the next is read, one spare. */
export const SEND_POOL_SIZE = 3;

export interface SendFileOptions {
  /** First byte to send (REST, RFC 3659 §5); default 0. */
  readonly offset?: number;
  /** Default {@link SEND_CHUNK_BYTES}. */
  readonly chunkBytes?: number;
  /** Default {@link SEND_POOL_SIZE}. */
  readonly poolSize?: number;
  /** Called with each chunk's size once the socket took it (exchange byte counts). */
  readonly onSent?: (bytes: number) => void;
}

function read(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buffer, 0, buffer.length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead)));
  });
}

function close(fd: number): Promise<void> {
  return new Promise((resolve) => fs.close(fd, () => resolve()));
}

function open(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.open(file, 'r', (err, fd) => (err ? reject(err) : resolve(fd)));
  });
}

/**
 * Writes `file` from `offset` to its end into `socket`, then ends the socket and resolves once
 * every byte was flushed to it. Rejects when the socket fails or is destroyed (ABOR, reset), or
 * when the file cannot be read; the socket is left to the caller then.
 */
export async function sendFile(file: string, socket: Writable, options: SendFileOptions = {}): Promise<void> {
  const chunkBytes = options.chunkBytes ?? SEND_CHUNK_BYTES;
  const fd = await open(file);
  const poolSize = options.poolSize ?? SEND_POOL_SIZE;
  // Allocated when first needed: a file of one chunk needs two (its bytes, then the EOF read).
  const free: Buffer[] = [];
  let allocated = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const onGone = (err?: Error) => {
    failure ??= err ?? Object.assign(new Error('data connection closed'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
    wake?.();
  };
  const onError = (err: Error) => onGone(err);
  const onClose = () => onGone();
  socket.on('error', onError);
  socket.on('close', onClose);
  try {
    if (socket.destroyed) onGone();
    let position = options.offset ?? 0;
    for (;;) {
      if (free.length === 0 && allocated < poolSize) {
        free.push(Buffer.allocUnsafeSlow(chunkBytes));
        allocated++;
      }
      while (free.length === 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
      if (failure) throw failure;
      const buffer = free.pop() as Buffer;
      const n = await read(fd, buffer, position);
      if (failure) throw failure;
      if (n === 0) break;
      position += n;
      socket.write(n === buffer.length ? buffer : buffer.subarray(0, n), (err) => {
        if (err) return onGone(err);
        options.onSent?.(n);
        free.push(buffer);
        wake?.();
      });
    }
    await new Promise<void>((resolve, reject) => {
      // Write callbacks still to come wake this too: only a failure ends the wait early.
      wake = () => failure && reject(failure);
      socket.end(() => (failure ? reject(failure) : resolve()));
    });
  } finally {
    socket.off('error', onError);
    socket.off('close', onClose);
    await close(fd);
  }
}
