/**
 * The one conformance suite every TCP protocol server runs (STYLE.md point 12): lifecycle,
 * idle timeout, line limit, connection limit, graceful close. Each protocol supplies how to start
 * it with given limits and what its replies look like.
 * @module
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from '../helpers/raw-client.js';

export interface ConformanceLimits {
  readonly maxConnections?: number;
  readonly maxConnectionsPerAddress?: number;
  readonly idleTimeoutMs?: number;
  readonly maxLineLength?: number;
}

export interface ConformanceServer {
  readonly port: number;
  close(options?: { graceMs?: number }): Promise<void>;
}

export interface ConformanceTarget {
  readonly name: string;
  /** Starts a fresh server on 127.0.0.1:0 with these limits. */
  start(limits: ConformanceLimits): Promise<ConformanceServer>;
  /** What the server says first (FTP/SMTP 220); undefined when it waits for the client (HTTP). */
  readonly greeting?: RegExp;
  /** One small complete request (bytes for binary protocols such as DNS) and the answer it gets. */
  readonly request: string | Buffer;
  readonly response: RegExp;
  /** The limit used for the line test and what an over-long line is answered with. */
  readonly maxLineLength: number;
  /** Undefined when the protocol has no words for it (DNS: the connection is just closed). */
  readonly longLineReply?: RegExp;
  /** True when the server closes the connection after an over-long line (421); false when it lives on (500). */
  readonly longLineCloses: boolean;
  /** What a connection over the limit is told before it is closed; undefined when it is closed silently (DNS). */
  readonly fullReply?: RegExp;
  /** What an idle connection is told at server close; undefined when it is closed silently (HTTP keep-alive). */
  readonly shutdownReply?: RegExp;
}

/** Matches text in which `pattern` (its leading `^` dropped) occurs twice: a second answer arrived. */
function twice(pattern: RegExp): RegExp {
  const one = pattern.source.replace(/^\^/, '');
  return new RegExp(`${one}[\\s\\S]*${one}`);
}

export function runTcpConformance(target: ConformanceTarget): void {
  describe(`${target.name}: TCP server conformance`, () => {
    const servers: ConformanceServer[] = [];
    const clients: RawClient[] = [];
    const start = async (limits: ConformanceLimits) => {
      const server = await target.start(limits);
      servers.push(server);
      return server;
    };
    /** Connects (from `from`, e.g. 127.0.0.2 as another client) and waits for the greeting. */
    const connect = async (port: number, from?: string) => {
      const client = await RawClient.connect(port, '127.0.0.1', from);
      clients.push(client);
      if (target.greeting) await client.waitFor(target.greeting);
      return client;
    };
    afterEach(async () => {
      for (const c of clients.splice(0)) c.destroy();
      await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 0 })));
    });

    it('listens on a free port, answers, and closes idempotently', async () => {
      const server = await start({});
      expect(server.port).toBeGreaterThan(0);
      const client = await connect(server.port);
      client.send(target.request);
      await client.waitFor(target.response);
      const first = server.close({ graceMs: 500 });
      const second = server.close({ graceMs: 500 });
      await Promise.all([first, second]);
      expect(await client.closedWithin(2_000)).toBe(true);
      await expect(RawClient.connect(server.port)).rejects.toThrow(/ECONNREFUSED/);
    });

    it('closes a connection that stays idle', async () => {
      const server = await start({ idleTimeoutMs: 200 });
      const client = await connect(server.port);
      expect(await client.closedWithin(3_000)).toBe(true);
      // The server itself lives on.
      const next = await connect(server.port);
      next.send(target.request);
      await next.waitFor(target.response);
    });

    it('answers an over-long line and is not harmed by it', async () => {
      const server = await start({ maxLineLength: target.maxLineLength });
      const client = await connect(server.port);
      client.send(`${'A'.repeat(target.maxLineLength * 4)}\r\n`);
      if (target.longLineReply) await client.waitFor(target.longLineReply);
      if (target.longLineCloses) expect(await client.closedWithin(3_000)).toBe(true);
      const next = await connect(server.port);
      next.send(target.request);
      await next.waitFor(target.response);
    });

    /** A connection that has had one exchange (so the server has surely admitted it, in this order). */
    const served = async (port: number, from?: string) => {
      const client = await connect(port, from);
      client.send(target.request);
      await client.waitFor(target.response);
      return client;
    };

    it('turns away an address over its share in protocol words, while another address is served', async () => {
      const server = await start({ maxConnectionsPerAddress: 2 });
      const a = await served(server.port);
      await served(server.port);
      const third = await RawClient.connect(server.port);
      clients.push(third);
      if (target.fullReply) await third.waitFor(target.fullReply);
      expect(await third.closedWithin(3_000)).toBe(true);
      // Another client (127.0.0.2) is admitted, and the admitted connections still work.
      await served(server.port, '127.0.0.2');
      a.send(target.request);
      await a.waitFor(twice(target.response));
    });

    it('at the global limit closes the idle connection quiet for longest to make room', async () => {
      const server = await start({ maxConnections: 2 });
      const oldest = await served(server.port);
      const newer = await served(server.port);
      const newcomer = await served(server.port, '127.0.0.2');
      expect(await oldest.closedWithin(3_000)).toBe(true);
      newer.send(target.request);
      await newer.waitFor(twice(target.response));
      expect(newcomer.socket.destroyed).toBe(false);
    });

    it('keeps serving another client while two addresses hold 400 idle connections (default limits)', async () => {
      const server = await start({});
      const flood: Promise<RawClient>[] = [];
      for (let i = 0; i < 400; i++)
        flood.push(RawClient.connect(server.port, '127.0.0.1', i % 2 ? '127.0.0.3' : undefined));
      const hostile = await Promise.all(flood);
      clients.push(...hostile);
      // Past the per-address share and the global limit: the legitimate client is still served.
      const legit = await served(server.port, '127.0.0.2');
      expect(legit.socket.destroyed).toBe(false);
      const refusedOrClosed = await Promise.all(hostile.map((c) => c.closedWithin(5_000)));
      // 400 > 256 slots: some of the flood had to go (refused, or closed when idle to make room).
      expect(refusedOrClosed.filter(Boolean).length).toBeGreaterThanOrEqual(400 - 256);
    });

    it('says goodbye to idle connections on close and resolves promptly', async () => {
      const server = await start({});
      const client = await connect(server.port);
      client.send(target.request);
      await client.waitFor(target.response);
      const before = client.text.length;
      const t0 = Date.now();
      await server.close({ graceMs: 3_000 });
      expect(Date.now() - t0).toBeLessThan(2_500);
      expect(await client.closedWithin(2_000)).toBe(true);
      if (target.shutdownReply) expect(client.text.slice(before)).toMatch(target.shutdownReply);
    });
  });
}
