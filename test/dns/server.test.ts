import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { query } from '../../protocols/dns/client.js';
import type { DnsServer } from '../../protocols/dns/server.js';
import { ExchangeLog } from '../../shared/exchange.js';
import { runTcpConformance } from '../conformance/tcp-server.js';
import { decodeAnswer, encodeQuery, startTestServer, TcpPeer, udpAsk } from './helpers.js';

// DNS has no greeting, no lines and no words for "full" or "goodbye": the conformance suite runs
// with a binary request, and over-limit connections and over-long frames are closed silently.
runTcpConformance({
  name: 'dns',
  async start(limits) {
    const { server } = await startTestServer({
      ...(limits.maxConnections !== undefined ? { maxConnections: limits.maxConnections } : {}),
      ...(limits.maxConnectionsPerAddress !== undefined
        ? { maxConnectionsPerAddress: limits.maxConnectionsPerAddress }
        : {}),
      ...(limits.idleTimeoutMs !== undefined ? { idleTimeoutMs: limits.idleTimeoutMs } : {}),
      ...(limits.maxLineLength !== undefined ? { maxTcpQueryBytes: limits.maxLineLength } : {}),
    });
    return server;
  },
  request: Buffer.concat([Buffer.from([0, 34]), encodeQuery('www.example.test')]),
  // RawClient decodes UTF-8; the ASCII labels of the copied question survive that.
  response: /\u0003www\u0007example\u0004test/,
  maxLineLength: 512,
  longLineCloses: true,
  shutdownReply: /^/,
});

const servers: DnsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 0 })));
});
async function start(options = {}) {
  const started = await startTestServer(options);
  servers.push(started.server);
  return started;
}

describe('dns server: an independent client (Node dns.promises.Resolver, c-ares)', () => {
  it('resolves every record type of the zone', async () => {
    const { port } = await start();
    const resolver = new dns.promises.Resolver({ timeout: 3_000, tries: 2 });
    resolver.setServers([`127.0.0.1:${port}`]);
    expect(await resolver.resolve4('www.example.test')).toEqual(['192.0.2.80']);
    expect(await resolver.resolve6('www.example.test')).toEqual(['2001:db8::80']);
    expect(await resolver.resolveMx('example.test')).toEqual([{ priority: 10, exchange: 'mail.example.test' }]);
    expect(await resolver.resolveNs('example.test')).toEqual(['ns.example.test']);
    expect(await resolver.resolveCname('alias.example.test')).toEqual(['www.example.test']);
    expect(await resolver.resolve4('alias.example.test')).toEqual(['192.0.2.80']);
    expect(await resolver.resolveSrv('_http._tcp.example.test')).toEqual([
      { name: 'www.example.test', port: 8080, priority: 1, weight: 2 },
    ]);
    expect(await resolver.resolveTxt('txt.example.test')).toEqual([['hello', 'world']]);
    expect(await resolver.resolveCaa('example.test')).toEqual([{ critical: 0, issue: 'ca.example.test' }]);
    expect(await resolver.resolveSoa('example.test')).toMatchObject({
      nsname: 'ns.example.test',
      hostmaster: 'hostmaster.example.test',
      minttl: 120,
    });
    // 8 TXT records of 120 bytes: truncated over UDP, c-ares retries over TCP by itself.
    expect((await resolver.resolveTxt('big.example.test')).length).toBe(8);
  });

  it('reports NXDOMAIN, NODATA and REFUSED the way c-ares names them', async () => {
    const { port } = await start();
    const resolver = new dns.promises.Resolver({ timeout: 3_000, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
    await expect(resolver.resolve4('missing.example.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolver.resolveMx('www.example.test')).rejects.toMatchObject({ code: 'ENODATA' });
    await expect(resolver.resolve4('www.elsewhere.test')).rejects.toMatchObject({ code: 'EREFUSED' });
  });
});

describe('dns server: our client', () => {
  it('queries over UDP and TCP and records the exchange on both sides', async () => {
    const { port, log: serverLog } = await start();
    const log = new ExchangeLog();
    const udp = await query('www.example.test', 'A', { server: `127.0.0.1:${port}`, log });
    expect(udp).toMatchObject({ rcode: 'NOERROR', transport: 'udp', fellBackToTcp: false });
    expect(udp.packet.answers?.[0]).toMatchObject({ type: 'A', data: '192.0.2.80' });
    expect(udp.exchange).toMatchObject({
      protocol: 'dns',
      side: 'client',
      request: 'A www.example.test',
      response: 'NOERROR A 192.0.2.80',
      ok: true,
    });
    const tcp = await query('example.test', 'MX', { server: { host: '127.0.0.1', port }, tcp: true });
    expect(tcp).toMatchObject({ rcode: 'NOERROR', transport: 'tcp' });
    // Minimal responses: no additional data for MX targets (only glue for NS).
    expect(tcp.packet.additionals?.filter((a) => a.type !== 'OPT')).toEqual([]);
    const server = serverLog.toArray();
    expect(server.map((r) => [r.side, r.transport, r.request, r.response])).toEqual([
      ['server', 'udp', 'A www.example.test', 'NOERROR A 192.0.2.80'],
      ['server', 'tcp', 'MX example.test', 'NOERROR MX 10 mail.example.test.'],
    ]);
    expect(server[1]?.session).toMatch(/^dns-\d+$/);
    expect(log.toArray()).toHaveLength(1);
  });

  it('falls back to TCP when the UDP answer is truncated', async () => {
    const { port, log } = await start();
    const answer = await query('big.example.test', 'TXT', { server: `127.0.0.1:${port}`, edns: false });
    expect(answer).toMatchObject({ rcode: 'NOERROR', transport: 'tcp', fellBackToTcp: true });
    expect(answer.packet.answers).toHaveLength(8);
    expect(log.toArray().map((r) => `${r.transport} ${r.response}`)).toEqual([
      'udp NOERROR 0 answers TC',
      `tcp NOERROR TXT "${'0'.repeat(90)}… (+7 more)`,
    ]);
  });

  it('times out with a clear error when nothing answers', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    const port = silent.address().port;
    await expect(
      query('www.example.test', 'A', { server: `127.0.0.1:${port}`, timeoutMs: 100, retries: 1 }),
    ).rejects.toMatchObject({ code: 'MS_TIMEOUT' });
    silent.close();
  });

  it('refuses CR/LF/NUL and over-long names before sending anything', async () => {
    await expect(query('www.example.test\r\nA', 'A')).rejects.toMatchObject({ code: 'MS_CLIENT' });
    await expect(query(`${'a'.repeat(64)}.test`, 'A')).rejects.toMatchObject({ code: 'MS_CLIENT' });
    await expect(query('www.example.test', 'NOPE')).rejects.toMatchObject({ code: 'MS_CLIENT' });
  });
});

describe('dns server: TCP per RFC 7766', () => {
  it('answers pipelined queries sent in one write', async () => {
    const { port } = await start();
    const peer = await TcpPeer.connect(port);
    const names = ['www.example.test', 'mail.example.test', 'ns.example.test', 'missing.example.test'];
    peer.socket.write(
      Buffer.concat(
        names.map((n, i) => {
          const m = encodeQuery(n, 'A', 100 + i);
          return Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m]);
        }),
      ),
    );
    const frames = await peer.waitFrames(4);
    const byId = new Map(frames.map((f) => [decodeAnswer(f).id, decodeAnswer(f)]));
    expect(byId.get(100)?.answers?.[0]).toMatchObject({ data: '192.0.2.80' });
    expect(byId.get(101)?.answers?.[0]).toMatchObject({ data: '192.0.2.25' });
    expect(byId.get(102)?.answers?.[0]).toMatchObject({ data: '192.0.2.53' });
    expect(byId.get(103)?.rcode).toBe('NXDOMAIN');
    peer.socket.destroy();
  });

  it('answers a query written one byte at a time', async () => {
    const { port } = await start();
    const peer = await TcpPeer.connect(port);
    const m = encodeQuery('www.example.test', 'AAAA', 77);
    const framed = Buffer.concat([Buffer.from([0, m.length]), m]);
    for (const byte of framed) {
      peer.socket.write(Buffer.from([byte]));
      await new Promise((r) => setTimeout(r, 2));
    }
    const [answer] = await peer.waitFrames(1);
    expect(decodeAnswer(answer as Buffer)).toMatchObject({ id: 77, answers: [{ data: '2001:db8::80' }] });
    peer.socket.destroy();
  });

  it('closes a connection announcing an oversized frame and keeps serving others', async () => {
    const { port, log } = await start();
    const peer = await TcpPeer.connect(port);
    peer.socket.write(Buffer.from([0xff, 0xff, 1, 2, 3]));
    expect(await peer.closedWithin(3_000)).toBe(true);
    expect(log.toArray().at(-1)?.response).toMatch(/closed: frame larger than 4096 bytes/);
    const next = await TcpPeer.connect(port);
    next.send(encodeQuery('www.example.test'));
    const [answer] = await next.waitFrames(1);
    expect(decodeAnswer(answer as Buffer).rcode).toBe('NOERROR');
    next.socket.destroy();
  });

  it('answers garbage frames with FORMERR and keeps the connection', async () => {
    const { port } = await start();
    const peer = await TcpPeer.connect(port);
    peer.send(Buffer.from([0x12, 0x34, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9]));
    peer.send(Buffer.from([]));
    peer.send(encodeQuery('www.example.test', 'A', 5));
    const frames = await peer.waitFrames(2);
    expect(decodeAnswer(frames[0] as Buffer)).toMatchObject({ id: 0x1234, rcode: 'FORMERR' });
    expect(decodeAnswer(frames[1] as Buffer)).toMatchObject({ id: 5, rcode: 'NOERROR' });
    peer.socket.destroy();
  });
});

describe('dns server: hostile input', () => {
  it('survives random and mutated packets, then answers a good query', async () => {
    const { port, log } = await start();
    const socket = dgram.createSocket('udp4');
    const good = encodeQuery('www.example.test', 'A', 1);
    // Bounded: 1,500 datagrams of random bytes and of valid queries with random bytes flipped.
    for (let i = 0; i < 1_500; i++) {
      let packet: Buffer;
      if (i % 2 === 0) packet = randomBytes(Math.floor(Math.random() * 80));
      else {
        packet = Buffer.from(good);
        for (let k = 0; k < 3; k++) packet[Math.floor(Math.random() * packet.length)] = Math.floor(Math.random() * 256);
      }
      socket.send(packet, port, '127.0.0.1');
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    // The same over TCP, where a bad frame must not stall the stream.
    const peer = await TcpPeer.connect(port);
    for (let i = 0; i < 200; i++) peer.send(randomBytes(1 + Math.floor(Math.random() * 60)));
    peer.send(encodeQuery('mail.example.test', 'A', 9));
    const frames = await peer.waitFrames(1, 10_000);
    await expect
      .poll(() => frames.some((f) => f.length >= 2 && f.readUInt16BE(0) === 9), { timeout: 10_000 })
      .toBe(true);
    peer.socket.destroy();
    socket.close();
    const answer = await udpAsk(port, good);
    expect(answer && decodeAnswer(answer)).toMatchObject({
      id: 1,
      rcode: 'NOERROR',
      answers: [{ data: '192.0.2.80' }],
    });
    expect(log.toArray().some((r) => r.response.startsWith('FORMERR'))).toBe(true);
  });
});

describe('dns server: listening', () => {
  it('binds UDP and TCP on the same port', async () => {
    const { port } = await start();
    const answer = await udpAsk(port, encodeQuery('www.example.test'));
    expect(answer).toBeDefined();
    const peer = await TcpPeer.connect(port);
    peer.socket.destroy();
  });

  it('fails clearly when the UDP twin of a given port is taken, leaving TCP free', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((r) => taken.bind(0, '127.0.0.1', () => r()));
    const port = taken.address().port;
    await expect(startTestServer({ port })).rejects.toMatchObject({
      code: 'MS_ADDRESS_IN_USE',
      message: `dns: port ${port} on 127.0.0.1 is already in use`,
    });
    await expect(
      new Promise((resolve, reject) => {
        const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s.destroy()));
        s.on('error', reject);
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
    taken.close();
  });

  it('close is idempotent and stops UDP too', async () => {
    const { server, port } = await start();
    await Promise.all([server.close(), server.close()]);
    expect(await udpAsk(port, encodeQuery('www.example.test'), 300)).toBeUndefined();
  });
});
