/**
 * TCP toxics on one socket, in the direction server → client (toxiproxy's downstream): added
 * latency, a bandwidth limit, writes sliced into small pieces, and a close (FIN) or reset (RST)
 * after N bytes. The socket stays the same object: the protocol, its byte counters, its timeouts
 * and its close path see nothing but slower (or fewer) bytes.
 *
 * How: the socket's own `_write` is wrapped on the instance. Writes go into an ordered queue and
 * are handed to the real `_write` when due; the writer is told "written" while the queue holds
 * less than {@link TOXIC_QUEUE_BYTES}, so backpressure still reaches it (a slow client still
 * fills the socket, and a server's write-buffer limits still hold). `end()` waits for the queue
 * (the FIN comes after the last delayed byte). Bytes the TLS layer writes under an upgraded socket
 * bypass this (apply toxics before STARTTLS only on plain sockets; see the README).
 * @module
 */
import type net from 'node:net';

/** Queued bytes above which the writer waits (backpressure through the toxic). */
export const TOXIC_QUEUE_BYTES = 64 * 1024;
/** With a bandwidth limit and no slice size, pieces are what the limit allows in this long. */
const BANDWIDTH_STEP_MS = 50;

export interface Toxics {
  /** Each write reaches the wire this much later (order kept; throughput not reduced). */
  readonly latencyMs?: number | undefined;
  /** Bytes per second at most. */
  readonly bandwidthBps?: number | undefined;
  /** Writes are cut into pieces of this size, each written on its own turn of the event loop. */
  readonly sliceBytes?: number | undefined;
  /** After this many bytes the connection is closed (FIN), or reset (RST) with `reset`. */
  readonly closeAfterBytes?: number | undefined;
  /** With `closeAfterBytes`: reset instead of close. */
  readonly reset?: boolean | undefined;
}

export interface ToxicHandle {
  /** Bytes let through so far. */
  readonly sent: number;
  /** True once `closeAfterBytes` cut the connection. */
  readonly cut: boolean;
  /**
   * Stops adding toxics to new writes; bytes already queued still go out as the toxics say, and
   * writes made meanwhile follow them in order. Idempotent.
   */
  remove(): void;
}

type Callback = (err?: Error | null) => void;
type WriteFn = (chunk: Buffer, encoding: BufferEncoding | 'buffer', callback: Callback) => void;
type FinalFn = (callback: Callback) => void;
/** The Writable internals the wrapper replaces on the instance (documented in node's stream implementers' API). */
interface Internals {
  _write: WriteFn;
  _writev?: unknown;
  _final: FinalFn;
}

interface Pending {
  data: Buffer;
  due: number;
}

/** True when `toxics` would change anything. */
export function hasToxics(toxics: Toxics): boolean {
  return (
    (toxics.latencyMs ?? 0) > 0 ||
    toxics.bandwidthBps !== undefined ||
    toxics.sliceBytes !== undefined ||
    toxics.closeAfterBytes !== undefined
  );
}

/** Wraps `socket`'s writes with `toxics`; returns a handle to stop them. */
export function applyToxics(socket: net.Socket, toxics: Toxics): ToxicHandle {
  const internals = socket as unknown as Internals;
  const realWrite = internals._write;
  const realFinal = internals._final;
  let active: Toxics = toxics;
  let removed = false;
  const queue: Pending[] = [];
  let queued = 0;
  let sent = 0;
  let busy = false;
  let cut = false;
  let nextSendAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let waiting: Callback[] = [];
  let finalCallback: Callback | undefined;

  const release = () => {
    if (queued > TOXIC_QUEUE_BYTES) return;
    const ready = waiting;
    waiting = [];
    for (const cb of ready) cb();
  };

  const finish = () => {
    const cb = finalCallback;
    if (cb && queue.length === 0 && !busy) {
      finalCallback = undefined;
      realFinal.call(socket, cb);
    }
  };

  const pieceSize = (length: number): number => {
    let size = length;
    if (active.sliceBytes !== undefined) size = Math.min(size, active.sliceBytes);
    if (active.bandwidthBps !== undefined)
      size = Math.min(size, Math.max(1, Math.floor((active.bandwidthBps * BANDWIDTH_STEP_MS) / 1000)));
    if (active.closeAfterBytes !== undefined) size = Math.min(size, active.closeAfterBytes - sent);
    return size;
  };

  const pump = () => {
    if (busy || timer || cut || socket.destroyed) return;
    const head = queue[0];
    if (!head) {
      if (removed) active = {};
      return finish();
    }
    const now = Date.now();
    const wait = Math.max(head.due - now, nextSendAt - now);
    if (wait > 0) {
      timer = setTimeout(() => {
        timer = undefined;
        pump();
      }, wait);
      return;
    }
    const size = pieceSize(head.data.length);
    if (size <= 0) return cutNow();
    const piece = head.data.subarray(0, size);
    busy = true;
    realWrite.call(socket, piece, 'buffer', (err) => {
      busy = false;
      sent += piece.length;
      queued -= piece.length;
      if (piece.length === head.data.length) queue.shift();
      else head.data = head.data.subarray(piece.length);
      if (err) {
        socket.destroy(err);
        return;
      }
      if (active.bandwidthBps !== undefined) nextSendAt = Date.now() + (piece.length * 1000) / active.bandwidthBps;
      release();
      if (active.closeAfterBytes !== undefined && sent >= active.closeAfterBytes) return cutNow();
      // A separate turn per slice, so each goes out as its own segment.
      if (active.sliceBytes !== undefined && queue.length > 0) setImmediate(pump);
      else pump();
    });
  };

  const cutNow = () => {
    cut = true;
    queue.length = 0;
    queued = 0;
    if (active.reset) socket.resetAndDestroy();
    else socket.destroy();
  };

  internals._write = (chunk, encoding, callback) => {
    if (cut) return callback();
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as unknown as string, encoding as BufferEncoding);
    if (queue.length === 0 && !busy && !timer && !hasToxics(active))
      return realWrite.call(socket, data, 'buffer', callback);
    queue.push({ data, due: Date.now() + (removed ? 0 : (active.latencyMs ?? 0)) });
    queued += data.length;
    if (queued <= TOXIC_QUEUE_BYTES) callback();
    else waiting.push(callback);
    pump();
  };
  // Without it the Writable would hand over corked writes in one `_writev` call, past the queue.
  internals._writev = undefined;
  internals._final = (callback) => {
    finalCallback = callback;
    finish();
  };
  socket.once('close', () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  });
  if (toxics.closeAfterBytes === 0) setImmediate(() => !socket.destroyed && cutNow());

  return {
    get sent() {
      return sent;
    },
    get cut() {
      return cut;
    },
    remove() {
      removed = true;
      if (queue.length === 0 && !busy) active = {};
    },
  };
}

/**
 * The other direction (client → server): lets `limit` bytes be read from `socket`, then destroys
 * it with `error` (an upload cut after N bytes). Works on the socket's `push`, so it neither
 * starts nor stops the flow of data, whoever reads it.
 */
export function cutReadsAfter(socket: net.Socket, limit: number, error: () => Error): void {
  const realPush = socket.push.bind(socket);
  let read = 0;
  socket.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk === null || socket.destroyed) return realPush(chunk, encoding);
    const data = chunk as Buffer;
    if (read + data.length < limit) {
      read += data.length;
      return realPush(data, encoding);
    }
    const allowed = limit - read;
    read = limit;
    if (allowed > 0) realPush(data.subarray(0, allowed));
    socket.destroy(error());
    return false;
  };
  if (limit === 0) setImmediate(() => !socket.destroyed && socket.destroy(error()));
}
