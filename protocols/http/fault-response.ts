/**
 * Applies an HTTP fault to one exchange, in the order a client meets it: after `delayMs`, no
 * response at all (`drop`: the connection stays silent until the idle timeout closes it), a
 * reset before the headers (`reset`), a response of the fault's own (`status`, `headers`,
 * `body`), or the real one from the route. Either response can be cut after `closeAfterBytes`
 * bytes of body (a close, or a reset with `reset`; 0 cuts right after the headers) or dripped
 * (`latencyMs`, `bandwidthBps`, `sliceBytes` on this response's bytes).
 * @module
 */
import type { ServerResponse } from 'node:http';
import type { FaultAction } from '../../shared/faults/rule.js';
import { applyToxics, hasToxics } from '../../shared/faults/toxic-socket.js';
import type { Exchange } from './request-context.js';

type Write = ServerResponse['write'];
type End = ServerResponse['end'];
type Callback = (err?: Error | null) => void;

/** Chunk of a write/end call as bytes (node accepts strings with an encoding, and Uint8Arrays). */
function bytes(chunk: unknown, encoding: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string')
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.alloc(0);
}

/**
 * Lets `limit` body bytes of `res` through, then closes (or resets) the connection: the client
 * sees a body shorter than announced. The headers go out first even when no body byte is allowed.
 */
function cutBodyAfter(res: ServerResponse, limit: number, reset: boolean): void {
  const socket = res.socket;
  if (!socket) return;
  const realWrite = res.write.bind(res) as (chunk: unknown, cb?: Callback) => boolean;
  const realEnd = res.end.bind(res) as (chunk: unknown, cb?: Callback) => ServerResponse;
  let sent = 0;
  let cut = false;
  const cutNow = () => {
    if (cut) return;
    cut = true;
    if (reset) socket.resetAndDestroy();
    else socket.destroy();
  };
  const take = (chunk: unknown, encoding: unknown): Buffer | undefined => {
    if (cut) return undefined;
    const data = bytes(chunk, encoding);
    const allowed = Math.max(0, limit - sent);
    sent += Math.min(allowed, data.length);
    return data.length > allowed ? data.subarray(0, allowed) : data;
  };
  const flushAndCut = (piece: Buffer) => {
    // Headers (and the allowed bytes) reach the socket first; the cut comes once they are handed over.
    if (!res.headersSent) res.flushHeaders();
    if (piece.length > 0) realWrite(piece, () => cutNow());
    else setImmediate(cutNow);
  };
  res.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
    const piece = take(chunk, encoding);
    if (piece === undefined) return false;
    if (sent >= limit && piece.length < bytes(chunk, encoding).length) {
      flushAndCut(piece);
      return false;
    }
    const callback = typeof encoding === 'function' ? encoding : cb;
    return realWrite(piece, callback as Callback | undefined);
  }) as Write;
  res.end = ((chunk?: unknown, encoding?: unknown, cb?: unknown) => {
    if (cut) return res;
    const given = chunk !== undefined && typeof chunk !== 'function' ? bytes(chunk, encoding) : Buffer.alloc(0);
    const callback = [chunk, encoding, cb].find((x) => typeof x === 'function') as Callback | undefined;
    // A body shorter than the limit ends as usual: there is nothing to cut.
    if (sent + given.length <= limit) return realEnd(given, callback);
    flushAndCut(take(given, undefined) ?? Buffer.alloc(0));
    return res;
  }) as End;
}

/**
 * Runs the fault: `respond` is the route (called unless the fault answers itself). `idleTimeoutMs`
 * bounds a dropped exchange.
 */
export function applyHttpFault(ex: Exchange, action: FaultAction, idleTimeoutMs: number, respond: () => void): void {
  const res = ex.res;
  const socket = res.socket;
  if (!socket) {
    respond();
    return;
  }
  const act = () => {
    if (socket.destroyed) return;
    if (action.drop) {
      ex.faultResponse = '(no response)';
      if (idleTimeoutMs > 0) {
        const timer = setTimeout(() => socket.destroy(), idleTimeoutMs);
        timer.unref();
        socket.once('close', () => clearTimeout(timer));
      }
      return;
    }
    if (action.reset && action.closeAfterBytes === undefined) {
      ex.faultResponse = '(reset)';
      socket.resetAndDestroy();
      return;
    }
    if (hasToxics({ ...action, closeAfterBytes: undefined })) {
      const toxic = applyToxics(socket, { ...action, closeAfterBytes: undefined });
      res.once('close', () => toxic.remove());
    }
    if (action.closeAfterBytes !== undefined) cutBodyAfter(res, action.closeAfterBytes, action.reset === true);
    if (action.status === undefined) return respond();
    res.writeHead(action.status, action.headers ?? {});
    res.end(action.body ?? '');
  };
  if (action.delayMs) setTimeout(act, action.delayMs).unref();
  else act();
}
