import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { applyToxics, type Toxics } from '../../../shared/faults/index.js';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A server that applies `toxics` to each accepted socket, then writes `payload` and ends. */
async function serve(toxics: Toxics, payload: Buffer | string[]): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    applyToxics(socket, toxics);
    if (Array.isArray(payload)) {
      for (const part of payload) socket.write(part);
      socket.end();
    } else socket.end(payload);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

interface Received {
  data: Buffer;
  chunks: number;
  error: string | undefined;
  /** ms from just before connecting to each chunk. */
  times: number[];
}

function receive(port: number): Promise<Received> {
  return new Promise((resolve) => {
    // Taken before connecting, so it is earlier than anything the server does for this connection.
    const t0 = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    const times: number[] = [];
    let error: string | undefined;
    socket.on('data', (d) => {
      parts.push(d);
      times.push(performance.now() - t0);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code));
    socket.on('close', () => resolve({ data: Buffer.concat(parts), chunks: parts.length, error, times }));
  });
}

const big = Buffer.alloc(300_000, 'x');
for (let i = 0; i < big.length; i += 997) big[i] = i % 251;

describe('applyToxics', () => {
  it('delays every byte by at least the latency and keeps them all, in order', async () => {
    const port = await serve({ latencyMs: 150 }, ['hello ', 'world']);
    const got = await receive(port);
    expect(got.data.toString()).toBe('hello world');
    expect(got.error).toBeUndefined();
    expect(got.times[0]).toBeGreaterThanOrEqual(145);
  });

  it('passes a large write through with backpressure and ends after the last byte', async () => {
    const port = await serve({ latencyMs: 1, sliceBytes: 4096 }, big);
    const got = await receive(port);
    expect(got.data.equals(big)).toBe(true);
  });

  it('slices writes into pieces no larger than the slice size', async () => {
    const port = await serve({ sliceBytes: 3 }, ['abcdefghij']);
    const got = await receive(port);
    expect(got.data.toString()).toBe('abcdefghij');
    // Each slice is written on its own loop turn; the client may still read two at once.
    expect(got.chunks).toBeGreaterThanOrEqual(2);
  });

  it('closes after exactly N bytes (FIN: the client sees a clean end)', async () => {
    const port = await serve({ closeAfterBytes: 1000 }, big);
    const got = await receive(port);
    expect(got.data.length).toBe(1000);
    expect(got.data.equals(big.subarray(0, 1000))).toBe(true);
    expect(got.error).toBeUndefined();
  });

  it('resets after N bytes with reset (RST: the client sees ECONNRESET)', async () => {
    const port = await serve({ closeAfterBytes: 10, reset: true }, big);
    const got = await receive(port);
    expect(got.data.length).toBeLessThanOrEqual(10);
    expect(got.error).toBe('ECONNRESET');
  });

  it('limits bandwidth: the last byte comes no earlier than size / rate', async () => {
    const port = await serve({ bandwidthBps: 2000 }, Buffer.alloc(600, 'y'));
    const got = await receive(port);
    expect(got.data.length).toBe(600);
    // 600 B at 2000 B/s: 300 ms, less the first step that goes at once (50 ms worth).
    expect(got.times.at(-1)).toBeGreaterThanOrEqual(240);
  });

  it('stops adding latency once removed, and keeps order across the change', async () => {
    const server = net.createServer((socket) => {
      const handle = applyToxics(socket, { latencyMs: 100 });
      socket.write('a');
      handle.remove();
      socket.end('b');
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const got = await receive((server.address() as net.AddressInfo).port);
    expect(got.data.toString()).toBe('ab');
  });
});
