/**
 * Issue #17, DNS under a UDP flood: garbage is dropped from its raw header before any work, while
 * everything a real client sends (malformed-but-plausible included) still reaches the responder.
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import type { DnsServer } from '../../protocols/dns/server.js';
import { dropReason } from '../../protocols/dns/udp-filter.js';
import { decodeAnswer, encodeQuery, startTestServer } from './helpers.js';

let server: DnsServer | undefined;
afterEach(async () => {
  await server?.close({ graceMs: 0 });
  server = undefined;
});

describe('udp filter', () => {
  it('lets through what clients send, plausible garbage included', () => {
    const edns = dnsPacket.encode({
      type: 'query',
      id: 1,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name: 'www.example.test', type: 'A', class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as unknown as dnsPacket.Answer],
    });
    const headerOnly = encodeQuery('x.test').subarray(0, 12);
    headerOnly.writeUInt16BE(0, 4);
    const status = encodeQuery('x.test');
    status[2] = 2 << 3;
    const cutQuestion = encodeQuery('www.example.test').subarray(0, 16);
    for (const m of [encodeQuery('www.example.test'), edns, headerOnly, status, cutQuestion])
      expect(dropReason(m)).toBeUndefined();
  });

  it('drops short datagrams, responses, many questions and absurd counts', () => {
    expect(dropReason(Buffer.alloc(11))).toBe('shorter than a header');
    const response = encodeQuery('x.test');
    response[2] = (response[2] as number) | 0x80;
    expect(dropReason(response)).toBe('a response');
    // Two questions get NSD's FORMERR (test/interop/dns-nsd.test.ts); a hundred are garbage.
    const two = encodeQuery('x.test');
    two.writeUInt16BE(2, 4);
    expect(dropReason(two)).toBeUndefined();
    const hundred = encodeQuery('x.test');
    hundred.writeUInt16BE(100, 4);
    expect(dropReason(hundred)).toBe('100 questions');
    const counts = encodeQuery('x.test');
    counts.writeUInt16BE(5000, 10);
    expect(dropReason(counts)).toBe('implausible record counts');
  });

  it('drops nearly all random bytes', () => {
    let passed = 0;
    for (let i = 0; i < 2_000; i++) if (dropReason(randomBytes(12 + (i % 60))) === undefined) passed++;
    // Random headers claim at most 64 records in every section with odds of (65 in 65,536)⁴.
    expect(passed).toBeLessThan(10);
  });
});

describe('dns server under a garbage flood', () => {
  it('drops the garbage unrecorded and answers a client on 127.0.0.2', async () => {
    const started = await startTestServer();
    server = started.server;
    const flood = dgram.createSocket('udp4');
    await new Promise<void>((r) => flood.bind(0, '127.0.0.1', () => r()));
    const garbage = Array.from({ length: 50 }, (_, i) => {
      const b = randomBytes(12 + i);
      b[2] = (b[2] as number) | 0x80; // a response: always dropped
      return b;
    });
    for (let i = 0; i < 2_000; i++) flood.send(garbage[i % garbage.length] as Buffer, started.port, '127.0.0.1');
    const good = dgram.createSocket('udp4');
    await new Promise<void>((r) => good.bind(0, '127.0.0.2', () => r()));
    const answer = await new Promise<Buffer>((resolve) => {
      good.on('message', (m) => resolve(m));
      good.send(encodeQuery('www.example.test', 'A', 77), started.port, '127.0.0.1');
    });
    good.close();
    expect(decodeAnswer(answer)).toMatchObject({ id: 77, rcode: 'NOERROR' });
    // Loopback may lose a few under load; most arrive and are counted, none is recorded.
    await expect.poll(() => started.server.udpDropped).toBeGreaterThanOrEqual(1_000);
    flood.close();
    expect(started.log.toArray().map((r) => r.peer)).toEqual([expect.stringMatching(/^127\.0\.0\.2:/)]);
  });
});
