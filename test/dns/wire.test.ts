import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../protocols/dns/query.js';
import { respond } from '../../protocols/dns/responder.js';
import { frame, splitFrames } from '../../protocols/dns/tcp-framing.js';
import { zoneFromText } from '../../protocols/dns/zone-file.js';

const opt = (udpPayloadSize = 1232, ednsVersion = 0): dnsPacket.OptAnswer => ({
  type: 'OPT',
  name: '.',
  udpPayloadSize,
  extendedRcode: 0,
  ednsVersion,
  flags: 0,
  flag_do: false,
  options: [],
});

const q = (name: string, type = 'A', extra: Partial<dnsPacket.Packet> = {}) =>
  dnsPacket.encode({
    type: 'query',
    id: 0x1234,
    flags: 0,
    questions: [{ name, type: type as 'A', class: 'IN' }],
    ...extra,
  });

describe('query reader', () => {
  it('reads id, question and EDNS', () => {
    const parsed = parseQuery(q('WwW.Example.test', 'MX', { additionals: [opt(4096)] }));
    expect(parsed).toMatchObject({
      kind: 'query',
      id: 0x1234,
      question: { name: 'www.example.test', display: 'WwW.Example.test', type: 15, class: 1 },
      edns: { udpSize: 4096, version: 0, dnssecOk: false },
    });
  });

  it.each([
    ['empty', Buffer.alloc(0), 'drop'],
    ['one byte', Buffer.from([1]), 'drop'],
    ['a response', Buffer.from(dnsPacket.encode({ type: 'response', id: 1, questions: [] })), 'drop'],
  ])('drops %s', (_l, buf, kind) => {
    expect(parseQuery(buf).kind).toBe(kind);
  });

  const formerr = (buf: Buffer) => {
    const p = parseQuery(buf);
    expect(p.kind).toBe('error');
    return p.kind === 'error' ? p : undefined;
  };

  it('FORMERR with the ID for a short header', () => {
    expect(formerr(Buffer.from([0xab, 0xcd, 0, 0, 0]))).toMatchObject({ id: 0xabcd, rcode: 1 });
  });

  it('FORMERR for QDCOUNT 0 and 2', () => {
    expect(formerr(dnsPacket.encode({ type: 'query', id: 7, questions: [] }))).toMatchObject({ rcode: 1 });
    const two = dnsPacket.encode({
      type: 'query',
      id: 7,
      questions: [
        { name: 'a.test', type: 'A' },
        { name: 'b.test', type: 'A' },
      ],
    });
    expect(formerr(two)).toMatchObject({ rcode: 1, reason: '2 questions' });
  });

  it('FORMERR for a question cut short, a bad label, and records running past the end', () => {
    const good = q('www.example.test');
    for (let cut = 13; cut < good.length; cut++) expect(formerr(good.subarray(0, cut))?.rcode, `cut ${cut}`).toBe(1);
    const bad = Buffer.from(good);
    bad[12] = 0x80; // label type 10: reserved
    expect(formerr(bad)?.rcode).toBe(1);
    const claimsMore = Buffer.from(good);
    claimsMore.writeUInt16BE(3, 10); // ARCOUNT 3, none there
    expect(formerr(claimsMore)?.rcode).toBe(1);
  });

  it('FORMERR for a compression-pointer loop in a record', () => {
    const good = q('www.example.test');
    const looped = Buffer.concat([good, Buffer.from([0xc0, good.length, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0])]);
    looped.writeUInt16BE(1, 10); // ARCOUNT 1: a record whose name points at itself
    expect(formerr(looped)).toMatchObject({ rcode: 1, reason: 'bad compression pointer' });
  });

  it('answers errors found before EDNS with the header alone, as NSD does', () => {
    const withAnswer = Buffer.from(q('a.test', 'A', { answers: [{ name: 'a.test', type: 'A', data: '192.0.2.1' }] }));
    const p = formerr(withAnswer);
    expect(p).toMatchObject({ rcode: 1, reason: 'records in the answer or authority section' });
    expect(p?.question).toBeUndefined();
    expect(p?.edns).toBeUndefined();
    // Two questions: even RD is cleared (NSD's query_process).
    const two = Buffer.from(q('a.test'));
    two.writeUInt16BE(0x0100, 2);
    two.writeUInt16BE(2, 4);
    expect(formerr(two)).toMatchObject({ rcode: 1, flags: 0 });
  });

  it('NOERROR with our OPT for a message of only an OPT (RFC 7873 §5.4), NOTIFY parsed for the responder', () => {
    const onlyOpt = dnsPacket.encode({ type: 'query', id: 9, flags: 0x0100, questions: [], additionals: [opt()] });
    expect(formerr(onlyOpt)).toMatchObject({ rcode: 0, flags: 0x0100, edns: { version: 0 } });
    const notify = Buffer.from(q('example.test', 'SOA'));
    notify.writeUInt16BE(4 << 11, 2);
    expect(parseQuery(notify)).toMatchObject({ kind: 'notify', question: { name: 'example.test' } });
  });

  it('FORMERR for two OPT records (RFC 6891 §6.1.1)', () => {
    expect(formerr(q('a.test', 'A', { additionals: [opt(), opt()] }))).toMatchObject({ rcode: 1 });
  });

  it('NOTIMP for another opcode, BADVERS for EDNS version 1', () => {
    const status = Buffer.from(q('a.test'));
    status.writeUInt16BE(2 << 11, 2);
    expect(formerr(status)).toMatchObject({ rcode: 4 });
    expect(formerr(q('a.test', 'A', { additionals: [opt(1232, 1)] }))).toMatchObject({ rcode: 16 });
  });
});

describe('tcp framing (RFC 7766 §8)', () => {
  const messages = [Buffer.from('first'), Buffer.alloc(0), Buffer.from('a longer third message')];
  const stream = Buffer.concat(messages.map(frame));

  it('splits a stream cut at every byte boundary', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const a = splitFrames(stream.subarray(0, cut), 100);
      const b = splitFrames(Buffer.concat([a.rest, stream.subarray(cut)]), 100);
      expect([...a.frames, ...b.frames].map(String), `cut ${cut}`).toEqual(messages.map(String));
      expect(b.rest.length).toBe(0);
    }
  });

  it('handles input fed one byte at a time', () => {
    let rest: Buffer = Buffer.alloc(0);
    const got: string[] = [];
    for (const byte of stream) {
      const split = splitFrames(Buffer.concat([rest, Buffer.from([byte])]), 100);
      rest = split.rest;
      got.push(...split.frames.map(String));
    }
    expect(got).toEqual(messages.map(String));
  });

  it('reports a frame over the limit instead of waiting for it', () => {
    const split = splitFrames(Buffer.concat([frame(Buffer.from('ok')), Buffer.from([0xff, 0xff])]), 100);
    expect(split.frames.map(String)).toEqual(['ok']);
    expect(split.oversized).toBe(0xffff);
  });
});

const zone = zoneFromText(`$ORIGIN example.test.
$TTL 60
@ SOA ns hostmaster 1 1 1 1 1
@ NS ns
ns A 192.0.2.1
@ MX 10 mail
mail A 192.0.2.2
big TXT "${'x'.repeat(200)}" 
big TXT "${'y'.repeat(200)}"
big TXT "${'z'.repeat(200)}"
`);
const options = { maxUdpPayload: 1232 };

describe('responder', () => {
  it('copies the question byte for byte, compresses owners, and decodes with dns-packet', () => {
    const query = q('MaIl.Example.TEST', 'A');
    const out = respond(query, 'udp', [zone], options);
    const msg = out.message as Buffer;
    expect(msg.subarray(12, query.length).equals(query.subarray(12))).toBe(true);
    // The owner is a pointer to the question name at offset 12.
    expect(msg.readUInt16BE(query.length)).toBe(0xc00c);
    const decoded = dnsPacket.decode(msg);
    expect(decoded).toMatchObject({ id: 0x1234, flag_qr: true, flag_aa: true, flag_ra: false, rcode: 'NOERROR' });
    expect(decoded.answers).toEqual([
      { name: 'MaIl.Example.TEST', type: 'A', ttl: 60, class: 'IN', flush: false, data: '192.0.2.2' },
    ]);
    expect(out).toMatchObject({ request: 'A MaIl.Example.TEST', response: 'NOERROR A 192.0.2.2', ok: true });
  });

  it('sends OPT back only when the query had one, with our payload size', () => {
    const without = dnsPacket.decode(respond(q('example.test', 'MX'), 'udp', [zone], options).message as Buffer);
    expect(without.additionals?.map((a) => a.type)).toEqual([]);
    const withOpt = dnsPacket.decode(
      respond(q('example.test', 'MX', { additionals: [opt(4096)] }), 'udp', [zone], options).message as Buffer,
    );
    expect(withOpt.additionals?.find((a) => a.type === 'OPT')).toMatchObject({ udpPayloadSize: 1232, ednsVersion: 0 });
  });

  it('truncates over 512 bytes without EDNS and keeps whole RRsets; TCP gets everything', () => {
    const udp = respond(q('big.example.test', 'TXT'), 'udp', [zone], options);
    const msg = udp.message as Buffer;
    expect(msg.length).toBeLessThanOrEqual(512);
    expect(dnsPacket.decode(msg)).toMatchObject({ flag_tc: true, answers: [] });
    expect(udp.response).toBe('NOERROR 0 answers TC');
    const edns = respond(q('big.example.test', 'TXT', { additionals: [opt(1232)] }), 'udp', [zone], options);
    expect(dnsPacket.decode(edns.message as Buffer)).toMatchObject({ flag_tc: false });
    expect(edns.answers).toBe(3);
    const tcp = respond(q('big.example.test', 'TXT'), 'tcp', [zone], options);
    expect(dnsPacket.decode(tcp.message as Buffer).answers).toHaveLength(3);
  });

  it('honours a client payload between 512 and ours', () => {
    const out = respond(q('big.example.test', 'TXT', { additionals: [opt(600)] }), 'udp', [zone], options);
    expect((out.message as Buffer).length).toBeLessThanOrEqual(600);
    expect(out.truncated).toBe(true);
  });

  it('BADVERS is rcode 16: 0 in the header, 1 in the OPT extended bits', () => {
    const out = respond(q('example.test', 'A', { additionals: [opt(1232, 1)] }), 'udp', [zone], options);
    const msg = out.message as Buffer;
    const decoded = dnsPacket.decode(msg);
    expect(msg.readUInt16BE(2) & 0xf).toBe(0);
    expect(decoded.additionals?.[0]).toMatchObject({ type: 'OPT', extendedRcode: 1, ednsVersion: 0 });
    expect(out).toMatchObject({ rcode: 'BADVERS', ok: false });
  });

  it('drops what cannot carry an ID and answers FORMERR for the rest', () => {
    expect(respond(Buffer.from([1]), 'udp', [zone], options).message).toBeUndefined();
    const out = respond(Buffer.from([0xbe, 0xef, 1, 2]), 'udp', [zone], options);
    expect(dnsPacket.decode(out.message as Buffer)).toMatchObject({ id: 0xbeef, rcode: 'FORMERR', flag_qr: true });
  });
});
