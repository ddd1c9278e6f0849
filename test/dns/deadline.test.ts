/**
 * Issue #17: a whole DNS-over-TCP query must arrive within its deadline. A client that keeps the
 * idle timer alive with a byte at a time of a query it never finishes is closed, and another
 * client (127.0.0.2) is served meanwhile.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DnsServer } from '../../protocols/dns/server.js';
import { frame, splitFrames } from '../../protocols/dns/tcp-framing.js';
import { decodeAnswer, encodeQuery, startTestServer, TcpPeer } from './helpers.js';

let server: DnsServer | undefined;
afterEach(async () => {
  await server?.close({ graceMs: 0 });
  server = undefined;
});

/** Opens a TCP connection from `localAddress` and sends one query; resolves with the answer. */
function askFrom(port: number, localAddress: string, id: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => {
      socket.write(frame(encodeQuery('www.example.test', 'A', id)));
    });
    let rest: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      const split = splitFrames(Buffer.concat([rest, chunk]), 65_535);
      rest = split.rest;
      if (split.frames[0]) {
        resolve(Buffer.from(split.frames[0]));
        socket.destroy();
      }
    });
    socket.on('error', reject);
  });
}

describe('dns over tcp: query deadline', () => {
  it('closes a client dribbling a query it never finishes, idle timer or not', async () => {
    // The idle timer is long and every byte resets it; only the deadline can end this client.
    const started = await startTestServer({ queryDeadlineMs: 300, idleTimeoutMs: 60_000 });
    server = started.server;
    const slow = await TcpPeer.connect(started.port);
    // A frame announcing 4000 bytes (allowed), then one byte at a time: it never completes.
    slow.socket.write(Buffer.from([0x0f, 0xa0]));
    const drip = setInterval(() => {
      if (!slow.socket.destroyed) slow.socket.write(Buffer.from([0]));
    }, 20);
    try {
      // A legitimate client from another address is answered while the slow one drips.
      const answer = await askFrom(started.port, '127.0.0.2', 9);
      expect(decodeAnswer(answer)).toMatchObject({ id: 9, rcode: 'NOERROR' });
      await slow.closed;
    } finally {
      clearInterval(drip);
    }
    expect(slow.frames).toHaveLength(0);
    const closing = started.log.toArray().find((r) => r.request === '(incomplete query)');
    expect(closing?.response).toBe('closed: query not complete within 300 ms');
  });

  it('gives every pipelined query its own deadline, from its first byte', async () => {
    const started = await startTestServer({ queryDeadlineMs: 60_000 });
    server = started.server;
    const peer = await TcpPeer.connect(started.port);
    const a = frame(encodeQuery('www.example.test', 'A', 1));
    const b = frame(encodeQuery('mail.example.test', 'A', 2));
    // The first query whole and half of the second, then the rest.
    peer.socket.write(Buffer.concat([a, b.subarray(0, 5)]));
    await peer.waitFrames(1);
    peer.socket.write(b.subarray(5));
    const frames = await peer.waitFrames(2);
    expect(frames.map((f) => decodeAnswer(f).id)).toEqual([1, 2]);
    expect(peer.socket.destroyed).toBe(false);
    peer.socket.destroy();
  });
});
