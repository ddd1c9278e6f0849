/**
 * A tiny line protocol on the shared core, used to test the core itself without any real
 * protocol: "220 ready" greeting, "ECHO x" → "250 x", "SLOW ms" answers after ms (an in-flight
 * exchange), over-long line → "500 Line too long".
 * @module
 */
import { LineReader } from '../../shared/line-reader.js';
import { TcpServer, type TcpServerOptions } from '../../shared/tcp-server.js';

export function createEchoServer(options: Partial<TcpServerOptions> & { maxLineLength?: number } = {}): TcpServer {
  return new TcpServer(
    { name: 'echo', ...options },
    {
      onConnection(conn) {
        conn.write('220 ready\r\n');
        const reader = new LineReader(
          async (event) => {
            if (event.error) {
              conn.write('500 Line too long\r\n');
              return;
            }
            const [verb, arg = ''] = event.line.split(' ', 2);
            if (verb === 'ECHO') conn.write(`250 ${arg}\r\n`);
            else if (verb === 'SLOW') {
              conn.beginExchange();
              await new Promise((r) => setTimeout(r, Number(arg)));
              conn.write('250 slow done\r\n');
              conn.endExchange();
            } else conn.write('500 Unknown\r\n');
          },
          options.maxLineLength !== undefined ? { maxLineLength: options.maxLineLength } : {},
        );
        conn.socket.pipe(reader);
      },
      onRejected(socket) {
        socket.write('421 Too many connections\r\n');
      },
      onShutdown(conn) {
        conn.write('421 Shutting down\r\n');
      },
    },
  );
}
