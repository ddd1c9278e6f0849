import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { type TcpConnection, TcpServer } from '../../shared/tcp-server.js';

describe('TcpServer goodbye', () => {
  it('says goodbye once to a connection whose exchange ends during the grace period', async () => {
    let goodbyes = 0;
    let busy: TcpConnection | undefined;
    let onConnected: () => void = () => {};
    const connected = new Promise<void>((resolve) => {
      onConnected = resolve;
    });
    const server = new TcpServer(
      { name: 'once', port: 0 },
      {
        onConnection: (conn) => {
          conn.beginExchange();
          busy = conn;
          onConnected();
        },
        onShutdown: () => {
          goodbyes++;
        },
      },
    );
    const port = await server.listen();
    // The client never ends its side: the connection stays open after the goodbye's end().
    const client = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    client.on('error', () => {});
    await connected;
    const closed = server.close({ graceMs: 200 });
    busy?.endExchange(); // 'idle': the goodbye goes out; later the grace timer ends what is left
    await closed;
    client.destroy();
    expect(goodbyes).toBe(1);
  });
});
