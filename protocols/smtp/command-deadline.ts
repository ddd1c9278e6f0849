/**
 * The command line deadline (issue #17): a command line must be complete within
 * `commandDeadlineMs` of its first byte, or the session is told `421` and closed. The idle timer
 * alone is reset by every byte, so a client sending one byte a minute of a line it never ends
 * would hold its session (and slot) forever.
 *
 * It watches the bytes on the socket beside smtp-server's parser, which it does not change: a chunk
 * that ends inside a line starts the clock, one with a line end stops it. Message content (after
 * `354`) has no such deadline, nor has a client waiting for our reply.
 * @module
 */
import type net from 'node:net';
import { Deadline } from '../../shared/deadline.js';
import type { CaptureConnection } from './connection.js';

const LF = 0x0a;

/**
 * Puts the deadline on `session`. Returns what to call with the socket that carries the session
 * from now on (after STARTTLS), which is watched instead of the previous one.
 */
export function watchCommandLines(session: CaptureConnection, ms: number): (socket: net.Socket) => void {
  let current: net.Socket | undefined;
  const inData = () => session._parser !== false && session._parser._dataMode;
  const deadline = new Deadline(ms, () => {
    if (session._closing || session._closed || inData()) return;
    // A reply we owe (the line just ended was being answered): not the client's delay.
    if (session.tcp.busy) return deadline.start();
    session.send(421, `${session.name} Command line not completed within ${ms} ms, closing connection`);
  });
  session.tcp.once('close', () => deadline.clear());
  const watch = (socket: net.Socket) => {
    current = socket;
    if (ms <= 0) return;
    socket.on('data', (chunk: Buffer) => {
      if (socket !== current) return;
      if (inData()) return deadline.clear();
      if (chunk.includes(LF)) deadline.clear();
      if (chunk.length > 0 && chunk[chunk.length - 1] !== LF) deadline.start();
    });
  };
  return watch;
}
