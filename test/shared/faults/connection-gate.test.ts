import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectionFault, connectionGate, FaultEngine } from '../../../shared/faults/index.js';
import type { TcpServer } from '../../../shared/tcp-server.js';
import { createEchoServer } from '../../helpers/echo-protocol.js';
import { RawClient } from '../../helpers/raw-client.js';
import { TEST_PROTOCOLS } from './helpers.js';

const servers: TcpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 0 })));
});

async function start(rule: Record<string, unknown>, options: { idleTimeoutMs?: number } = {}) {
  const engine = new FaultEngine({ protocols: TEST_PROTOCOLS });
  const added = engine.add({ protocol: 'path', scope: 'connection', ...rule });
  const server = createEchoServer({ gate: connectionGate(engine, 'path'), ...options });
  servers.push(server);
  const port = await server.listen();
  return { engine, server, port, id: added.id };
}

describe('connection gate', () => {
  it('accepts and says nothing (drop): no greeting, the connection counts, the idle timeout ends it', async () => {
    const { port, server, engine, id } = await start({ action: { drop: true }, times: 1 }, { idleTimeoutMs: 300 });
    const silent = await RawClient.connect(port);
    silent.send('ECHO hi\r\n');
    const served = await RawClient.connect(port);
    await served.waitFor(/^220 ready/);
    expect(server.connections.size).toBe(2);
    expect(silent.text).toBe('');
    expect(await silent.closedWithin(5_000)).toBe(true);
    expect(silent.text).toBe('');
    expect(engine.get(id)?.hits).toBe(1);
    served.socket.destroy();
  });

  it('resets at accept (reset): the client sees ECONNRESET and no greeting', async () => {
    const { port } = await start({ action: { reset: true } });
    const socket = net.connect(port, '127.0.0.1');
    const code = await new Promise<string | undefined>((resolve) => {
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code));
      socket.on('close', () => resolve(undefined));
    });
    expect(code).toBe('ECONNRESET');
  });

  it('wraps the socket in toxics and notes the rule for the connection', async () => {
    const { port, server } = await start({ action: { latencyMs: 120, closeAfterBytes: 14 } });
    const t0 = performance.now();
    const client = await RawClient.connect(port);
    await client.waitFor(/^220 ready\r\n/);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(115);
    const [conn] = [...server.connections];
    expect(conn && connectionFault(conn)).toBe('f1: latency 120 ms, close after 14 B');
    client.send('ECHO abcdef\r\n');
    expect(await client.closedWithin(5_000)).toBe(true);
    expect(client.text).toBe('220 ready\r\n250');
  });

  it('holds the connection for delayMs, then serves it; peers that do not match are served at once', async () => {
    const { port } = await start({ match: { peer: '127.0.0.1' }, action: { delayMs: 150 } });
    const t0 = performance.now();
    const client = await RawClient.connect(port);
    await client.waitFor(/^220 ready/);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
    const other = await start({ match: { peer: '127.0.0.2' }, action: { drop: true } });
    const served = await RawClient.connect(other.port);
    await served.waitFor(/^220 ready/);
    client.socket.destroy();
    served.socket.destroy();
  });
});
