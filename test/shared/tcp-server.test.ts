import { describe, expect, it } from 'vitest';
import { runTcpConformance } from '../conformance/tcp-server.js';
import { createEchoServer } from '../helpers/echo-protocol.js';
import { RawClient } from '../helpers/raw-client.js';

runTcpConformance({
  name: 'echo (shared core)',
  async start(limits) {
    const server = createEchoServer({ port: 0, ...limits });
    await server.listen();
    return server;
  },
  greeting: /^220 /,
  request: 'ECHO hi\r\n',
  response: /250 hi\r\n/,
  maxLineLength: 64,
  longLineReply: /500 Line too long/,
  longLineCloses: false,
  fullReply: /^421 Too many/,
  shutdownReply: /421 Shutting down/,
});

describe('TcpServer', () => {
  it('lets an in-flight exchange finish before saying goodbye', async () => {
    const server = createEchoServer();
    const port = await server.listen();
    const client = await RawClient.connect(port);
    await client.waitFor(/^220 /);
    client.send('SLOW 300\r\n');
    await new Promise((r) => setTimeout(r, 50));
    await server.close({ graceMs: 3_000 });
    expect(client.text).toMatch(/250 slow done\r\n421 Shutting down\r\n$/);
    expect(await client.closedWithin(2_000)).toBe(true);
  });

  it('destroys an exchange that overruns the grace period', async () => {
    const server = createEchoServer();
    const port = await server.listen();
    const client = await RawClient.connect(port);
    await client.waitFor(/^220 /);
    // An exchange far longer than any test timeout: close() can only resolve by destroying it.
    client.send('SLOW 600000\r\n');
    await new Promise((r) => setTimeout(r, 50));
    await server.close({ graceMs: 200 });
    await client.closed;
    expect(client.text).not.toMatch(/slow done/);
  });

  it('reports a port in use as one clear error', async () => {
    const a = createEchoServer();
    const port = await a.listen();
    const b = createEchoServer({ port });
    await expect(b.listen()).rejects.toMatchObject({
      code: 'MS_ADDRESS_IN_USE',
      message: `echo: port ${port} on 127.0.0.1 is already in use`,
    });
    await a.close();
  });

  it('sets noDelay and ids connections by protocol name', async () => {
    const server = createEchoServer();
    const port = await server.listen();
    const client = await RawClient.connect(port);
    await client.waitFor(/^220 /);
    const [conn] = [...server.connections];
    expect(conn?.id).toMatch(/^echo-\d+$/);
    expect(conn?.peer).toBe(`127.0.0.1:${client.socket.localPort}`);
    client.destroy();
    await server.close({ graceMs: 0 });
  });

  it('at the global limit refuses a newcomer when no connection is idle, and never closes a busy one', async () => {
    const server = createEchoServer({ maxConnections: 2 });
    const port = await server.listen();
    const busy = await Promise.all([RawClient.connect(port), RawClient.connect(port)]);
    for (const c of busy) {
      await c.waitFor(/^220 /);
      c.send('SLOW 3000\r\n');
    }
    // Both are busy once the server has read their SLOW; ask until it has.
    while (![...server.connections].every((c) => c.busy)) await new Promise((r) => setImmediate(r));
    const third = await RawClient.connect(port, '127.0.0.1', '127.0.0.2');
    await third.waitFor(/^421 Too many/);
    expect(await third.closedWithin(3_000)).toBe(true);
    await Promise.all(busy.map((c) => c.waitFor(/250 slow done/, 10_000)));
    await server.close({ graceMs: 0 });
  });

  it('counts streams apart, per address and in all', async () => {
    const server = createEchoServer({ maxStreams: 3, maxStreamsPerAddress: 2 });
    const port = await server.listen();
    const from = ['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.2', '127.0.0.3'];
    const clients: RawClient[] = [];
    // One at a time, so the server's table lists them in this order.
    for (const a of from) {
      const c = await RawClient.connect(port, '127.0.0.1', a);
      await c.waitFor(/^220 /);
      clients.push(c);
    }
    const conns = [...server.connections];
    expect(conns.map((c) => c.remoteAddress)).toEqual(from);
    expect(conns.map((c) => c.beginStream())).toEqual([true, true, false, true, false]);
    expect(server.streams).toBe(3);
    conns[0]?.endStream();
    expect(conns[4]?.beginStream()).toBe(true);
    clients[1]?.destroy();
    await new Promise<void>((r) => conns[1]?.once('close', () => r()));
    expect(server.streams).toBe(2);
    for (const c of clients) c.destroy();
    await server.close({ graceMs: 0 });
  });
});
