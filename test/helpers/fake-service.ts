/**
 * A Service on the echo test protocol, to test the run mechanism (runner, CLI, startSuite)
 * independently of the real protocols. It records one exchange per ECHO line.
 * @module
 */

import type { Protocol } from '../../shared/exchange.js';
import { LineReader } from '../../shared/line-reader.js';
import type { Service, ServiceContext } from '../../shared/service.js';
import { TcpServer } from '../../shared/tcp-server.js';
import type { ServiceFactory } from '../../suite/registry.js';

export class FakeService implements Service {
  readonly protocol: Protocol;
  readonly server: TcpServer;
  closed = 0;
  #failStart: boolean;

  constructor(protocol: Protocol, ctx: ServiceContext, port: number, failStart = false) {
    this.protocol = protocol;
    this.#failStart = failStart;
    this.server = new TcpServer(
      { name: protocol, host: ctx.host, port },
      {
        onConnection(conn) {
          const reader = new LineReader((e) => {
            if (e.error) return;
            const t0 = performance.now();
            conn.write(`250 ${e.line}\r\n`);
            ctx.log.add({
              protocol,
              side: 'server',
              transport: 'tcp',
              session: conn.id,
              peer: conn.peer,
              request: e.line,
              response: `250 ${e.line}`,
              ok: true,
              bytesIn: e.line.length,
              bytesOut: e.line.length,
              durationMs: performance.now() - t0,
            });
          });
          conn.socket.pipe(reader);
        },
      },
    );
  }
  get port(): number {
    return this.server.port;
  }
  async start(): Promise<void> {
    if (this.#failStart) throw new Error(`${this.protocol}: refusing to start (test)`);
    await this.server.listen();
  }
  urls(): string[] {
    return [`tcp://127.0.0.1:${this.port}`];
  }
  openConnections(): number {
    return this.server.connections.size;
  }
  healthy(): boolean {
    return this.server.state === 'listening';
  }
  async close(options?: { graceMs?: number }): Promise<void> {
    this.closed++;
    await this.server.close(options);
  }
}

/** Factories for every protocol; those named in `failing` throw at start. */
export function fakeFactories(failing: Protocol[] = [], made: FakeService[] = []): Record<Protocol, ServiceFactory> {
  const make =
    (p: Protocol): ServiceFactory =>
    (ctx, config) => {
      const s = new FakeService(p, ctx, config[p].port, failing.includes(p));
      made.push(s);
      return s;
    };
  return { http: make('http'), ftp: make('ftp'), smtp: make('smtp'), dns: make('dns') };
}
