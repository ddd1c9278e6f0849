import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { UdpServer } from '../../shared/udp-server.js';

function ask(port: number, text: string, timeoutMs = 2_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const done = (value: string | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(value);
    };
    socket.on('message', (m) => done(m.toString()));
    socket.send(text, port, '127.0.0.1');
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
