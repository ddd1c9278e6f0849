/**
 * Issue #17, DNS under a UDP flood, in the kernel: the socket filter of udp-bpf.ts keeps exactly
 * the datagrams the JavaScript filter keeps (checked against the real kernel, IPv4 and IPv6), and
 * with it the garbage of a flood never reaches JavaScript while a client on 127.0.0.2 is answered.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { once } from 'node:events';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { DnsServer } from '../../protocols/dns/server.js';
import { DNS_UDP_BPF } from '../../protocols/dns/udp-bpf.js';
import { MAX_SECTION_RECORDS, plausibleQuery } from '../../protocols/dns/udp-filter.js';
import { attachSocketFilter, socketFilterAvailable } from '../../shared/socket-filter.js';
import { UdpServer } from '../../shared/udp-server.js';
import { decodeAnswer, encodeQuery, startTestServer } from './helpers.js';

let server: DnsServer | undefined;
afterEach(async () => {
  await server?.close({ graceMs: 0 });
  server = undefined;
});

/** A header with the given flags byte and counts, then `tail` bytes. */
function header(flags: number, counts: readonly number[], tail = 0): Buffer {
  const b = Buffer.alloc(12 + tail, 0x61);
  b.writeUInt16BE(0x1234, 0);
  b[2] = flags;
  b[3] = 0;
  for (const [i, c] of counts.entries()) b.writeUInt16BE(c, 4 + 2 * i);
  return b;
}

/** Every boundary of the rule: lengths 0-13, QR, and each count 0-2, 64, 65, 257 and 65535. */
function edgeCases(): Buffer[] {
  const out: Buffer[] = [];
  for (let n = 0; n <= 13; n++) out.push(n >= 12 ? header(0x01, [1, 0, 0, 0], n - 12) : Buffer.alloc(n, 0));
  for (const flags of [0x00, 0x7f, 0x80, 0xff]) out.push(header(flags, [1, 0, 0, 1]));
  for (let section = 0; section < 4; section++)
    for (const n of [0, 1, 2, MAX_SECTION_RECORDS, MAX_SECTION_RECORDS + 1, 0x100 + 1, 0xffff]) {
      const counts = [1, 0, 0, 0];
      counts[section] = n;
      out.push(header(0, counts, 3));
    }
  return out;
}

/** Random datagrams, mostly near the rule: small counts and a clear or set QR bit. */
const datagrams = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 80 }).map((a) => Buffer.from(a)),
  fc
    .tuple(
      fc.integer({ min: 0, max: 255 }),
      fc.array(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 60, max: 70 }), fc.nat(0xffff)), {
        minLength: 4,
        maxLength: 4,
      }),
      fc.nat(40),
    )
    .map(([flags, counts, tail]) => header(flags, counts, tail)),
);

/**
 * Sends each datagram in order from one socket to a socket with the DNS filter attached, then a
 * marker query; resolves with what arrived before the marker (datagrams from one socket keep their order).
 */
async function throughKernel(family: 'udp4' | 'udp6', sent: readonly Buffer[]): Promise<Buffer[]> {
  const host = family === 'udp4' ? '127.0.0.1' : '::1';
  const receiver = dgram.createSocket(family);
  const sender = dgram.createSocket(family);
  try {
    await new Promise<void>((r) => receiver.bind(0, host, () => r()));
    expect(attachSocketFilter(receiver, DNS_UDP_BPF)).toBe(true);
    const marker = encodeQuery('marker.test', 'A', 0xbeef);
    const got: Buffer[] = [];
    const done = new Promise<void>((resolve) =>
      receiver.on('message', (m) => (m.equals(marker) ? resolve() : got.push(m))),
    );
    const port = receiver.address().port;
    for (const d of [...sent, marker]) await new Promise<void>((r) => sender.send(d, port, host, () => r()));
    await done;
    return got;
  } finally {
    receiver.close();
    sender.close();
  }
}

async function hasIpv6Loopback(): Promise<boolean> {
  const s = dgram.createSocket('udp6');
  try {
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, '::1', () => resolve());
    });
    return true;
  } catch {
    return false;
  } finally {
    s.close();
  }
}

describe('the kernel DNS filter (udp-bpf.ts)', () => {
  it('needs the addon, which npm install builds on Linux', () => {
    expect(socketFilterAvailable()).toBe(true);
  });

  it('keeps exactly what plausibleQuery keeps, at every boundary and for random datagrams (IPv4)', async () => {
    const sent = [...edgeCases(), ...fc.sample(datagrams, { numRuns: 400, seed: 17 })];
    const kept = sent.filter((d) => plausibleQuery(d));
    // Both sides of the rule are exercised.
    expect(kept.length).toBeGreaterThan(30);
    expect(sent.length - kept.length).toBeGreaterThan(100);
    expect(await throughKernel('udp4', sent)).toEqual(kept);
  });

  it('keeps exactly what plausibleQuery keeps on an IPv6 socket', async () => {
    // Some containers have no IPv6 loopback at all; then there is nothing to test here.
    if (!(await hasIpv6Loopback())) return;
    const sent = [...edgeCases(), ...fc.sample(datagrams, { numRuns: 200, seed: 6 })];
    expect(await throughKernel('udp6', sent)).toEqual(sent.filter((d) => plausibleQuery(d)));
  });
});

/** Random garbage the JavaScript filter would drop too. */
function garbage(count: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; out.length < count; i++) {
    const b = randomBytes(i % 90);
    if (!plausibleQuery(b)) out.push(b);
  }
  return out;
}

describe('a UDP server with the kernel DNS filter under a garbage flood', () => {
  it('never calls accept for the garbage and answers a client on 127.0.0.2', async () => {
    const asked: Buffer[] = [];
    const udp = new UdpServer(
      {
        name: 'dns',
        kernelFilter: DNS_UDP_BPF,
        accept: (d) => {
          asked.push(d);
          return plausibleQuery(d);
        },
      },
      (d, reply) => void reply(d.data),
    );
    const port = await udp.listen();
    expect(udp.kernelFiltered).toBe(true);
    const flood = dgram.createSocket('udp4');
    await new Promise<void>((r) => flood.bind(0, '127.0.0.1', () => r()));
    const junk = garbage(2_000);
    for (const g of junk) await new Promise<void>((r) => flood.send(g, port, '127.0.0.1', () => r()));
    flood.close();
    const good = dgram.createSocket('udp4');
    await new Promise<void>((r) => good.bind(0, '127.0.0.2', () => r()));
    const queries = Array.from({ length: 5 }, (_, i) => encodeQuery('www.example.test', 'A', 100 + i));
    const echoed: Buffer[] = [];
    for (const q of queries) {
      const answer = once(good, 'message');
      good.send(q, port, '127.0.0.1');
      echoed.push(((await answer) as [Buffer])[0]);
    }
    good.close();
    expect(echoed).toEqual(queries);
    expect(asked).toEqual(queries);
    expect(udp.dropped).toBe(0);
    // Every garbage datagram the loopback delivered was dropped, and counted, by the kernel.
    expect(udp.kernelDropped).toBeGreaterThanOrEqual(1_000);
    expect(udp.kernelDropped).toBeLessThanOrEqual(junk.length);
    await udp.close();
    expect(udp.kernelDropped).toBeGreaterThanOrEqual(1_000);
  });
});

describe('the DNS server with and without the kernel filter', () => {
  for (const kernelUdpFilter of [true, false])
    it(`answers the same under a flood (kernelUdpFilter: ${kernelUdpFilter})`, async () => {
      const started = await startTestServer({ kernelUdpFilter });
      server = started.server;
      expect(server.udpKernelFiltered).toBe(kernelUdpFilter);
      const flood = dgram.createSocket('udp4');
      await new Promise<void>((r) => flood.bind(0, '127.0.0.1', () => r()));
      for (const g of garbage(1_500))
        await new Promise<void>((r) => flood.send(g, started.port, '127.0.0.1', () => r()));
      flood.close();
      // A malformed but plausible request (a header only, no question) still gets its FORMERR.
      const headerOnly = encodeQuery('x.test', 'A', 9).subarray(0, 12);
      headerOnly.writeUInt16BE(0, 4);
      const good = dgram.createSocket('udp4');
      await new Promise<void>((r) => good.bind(0, '127.0.0.2', () => r()));
      const ask = async (m: Buffer) => {
        const answer = once(good, 'message');
        good.send(m, started.port, '127.0.0.1');
        return decodeAnswer(((await answer) as [Buffer])[0]);
      };
      expect(await ask(encodeQuery('www.example.test', 'A', 77))).toMatchObject({ id: 77, rcode: 'NOERROR' });
      expect(await ask(headerOnly)).toMatchObject({ id: 9, rcode: 'FORMERR' });
      good.close();
      // Dropped unread either way (the count /metrics shows); only the kernel's never reached Node.
      await expect.poll(() => started.server.udpDropped).toBeGreaterThanOrEqual(1_000);
      if (kernelUdpFilter) expect(started.server.udpKernelDropped).toBe(started.server.udpDropped);
      else expect(started.server.udpKernelDropped).toBe(0);
      expect(started.log.toArray().map((r) => r.peer)).toEqual([
        expect.stringMatching(/^127\.0\.0\.2:/),
        expect.stringMatching(/^127\.0\.0\.2:/),
      ]);
    });
});
