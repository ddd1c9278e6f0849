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
});
