import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { UdpServer } from '../../shared/udp-server.js';

function ask(port: number, text: string, timeoutMs = 2_000, host = '127.0.0.1'): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const done = (value: string | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(value);
    };
    socket.on('message', (m) => done(m.toString()));
    socket.send(text, port, host);
  });
}

describe('UdpServer', () => {
  it('delivers replies of synchronous handlers and survives one that throws', async () => {
    const server = new UdpServer({ name: 'udp-test' }, (d, reply) => {
      if (d.data.toString() === 'boom') throw new Error('handler bug');
      void reply(Buffer.from(`echo ${d.data.toString()} from ${d.peer.split(':')[0]}`));
    });
    const port = await server.listen();
    expect(await ask(port, 'boom', 300)).toBeUndefined();
    expect(await ask(port, 'hi')).toBe('echo hi from 127.0.0.1');
    await server.close();
  });

  it('answers IPv6 senders and names them [addr]:port', async () => {
    const server = new UdpServer({ name: 'udp-test', host: '::1' }, (d, reply) => {
      void reply(Buffer.from(`from ${d.peer}`));
    });
    let port: number;
    try {
      port = await server.listen();
    } catch (err) {
      // Some containers have no IPv6 loopback at all; then there is nothing to test here.
      if ((err as { code?: string }).code === 'MS_LISTEN_FAILED') return;
      throw err;
    }
    expect(await ask(port, 'x', 2_000, '::1')).toMatch(/^from \[::1\]:\d+$/);
    await server.close();
  });

  it('binds a host given by name and answers many senders in a row', async () => {
    const server = new UdpServer({ name: 'udp-test', host: 'localhost' }, (d, reply) => {
      void reply(Buffer.from(`echo ${d.data.toString()}`));
    });
    const port = await server.listen();
    // A name on a udp4 socket resolves to IPv4.
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(port, `q${i}`)));
    expect(answers).toEqual(Array.from({ length: 20 }, (_, i) => `echo q${i}`));
    await server.close();
  });

  it('names each sender by its own address and port, also when senders alternate', async () => {
    const server = new UdpServer({ name: 'udp-test' }, (d, reply) => {
      void reply(Buffer.from(d.peer));
    });
    const port = await server.listen();
    const sockets = [dgram.createSocket('udp4'), dgram.createSocket('udp4')];
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()))));
    const exchange = (s: dgram.Socket) =>
      new Promise<string>((resolve) => {
        s.once('message', (m) => resolve(m.toString()));
        s.send('x', port, '127.0.0.1');
      });
    const [a, b] = sockets as [dgram.Socket, dgram.Socket];
    const seen = [await exchange(a), await exchange(b), await exchange(a), await exchange(a), await exchange(b)];
    const name = (s: dgram.Socket) => `127.0.0.1:${s.address().port}`;
    expect(seen).toEqual([name(a), name(b), name(a), name(a), name(b)]);
    for (const s of sockets) s.close();
    await server.close();
  });

  it('lets an asynchronous handler finish its reply before closing', async () => {
    const server = new UdpServer({ name: 'udp-test' }, async (d, reply) => {
      await new Promise((r) => setTimeout(r, 200));
      await reply(Buffer.from(`late ${d.data.toString()}`));
    });
    const port = await server.listen();
    const answer = ask(port, 'x');
    await new Promise((r) => setTimeout(r, 50));
    await server.close({ graceMs: 2_000 });
    expect(await answer).toBe('late x');
  });
});
