import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { AnswerCache } from '../../protocols/dns/answer-cache.js';
import { builtinZone } from '../../protocols/dns/builtin-zone.js';
import { type Outcome, respond } from '../../protocols/dns/responder.js';
import { zoneFromText } from '../../protocols/dns/zone-file.js';
import { encodeQuery, startTestServer, udpAsk } from './helpers.js';

const ZONE = `$ORIGIN example.test.
$TTL 60
@ SOA ns hostmaster 1 1 1 1 1
@ NS ns
ns A 192.0.2.1
www A 192.0.2.80
big TXT "${'x'.repeat(200)}"
big TXT "${'y'.repeat(200)}"
big TXT "${'z'.repeat(200)}"
`;

function setup(entries?: number) {
  const zone = zoneFromText(ZONE);
  const cache = new AnswerCache<Outcome>(entries === undefined ? {} : { entries });
  const zones = [zone];
  const ask = (name: string, type = 'A', id = 1, transport: 'udp' | 'tcp' = 'udp') =>
    respond(encodeQuery(name, type, id), transport, zones, { maxUdpPayload: 1232, cache });
  return { zone, zones, cache, ask };
}

const dataOf = (out: Outcome) =>
  dnsPacket.decode(out.message as Buffer).answers?.map((a) => ('data' in a ? a.data : 0));

describe('answer cache', () => {
  it('answers a repeated query from the cache with the new ID and otherwise the same bytes', () => {
    const { cache, ask } = setup();
    const first = ask('www.example.test', 'A', 0x1111);
    expect(cache.size).toBe(1);
    const second = ask('www.example.test', 'A', 0xbeef);
    expect(second.message?.readUInt16BE(0)).toBe(0xbeef);
    expect(second.message?.subarray(2)).toEqual(first.message?.subarray(2));
    expect(second).toMatchObject({ request: 'A www.example.test', response: 'NOERROR A 192.0.2.80', ok: true });
    expect(dnsPacket.decode(second.message as Buffer)).toMatchObject({ id: 0xbeef, flag_aa: true });
  });

  it('hands out a fresh buffer every time (a caller may keep or change it)', () => {
    const { ask } = setup();
    const first = ask('www.example.test');
    (first.message as Buffer).fill(0);
    const second = ask('www.example.test');
    const third = ask('www.example.test');
    expect(second.message).not.toBe(third.message);
    expect(dataOf(second)).toEqual(['192.0.2.80']);
  });

  it('keeps the case of each question (different bytes, different entries)', () => {
    const { cache, ask } = setup();
    ask('www.example.test');
    const upper = ask('WWW.Example.Test');
    expect(cache.size).toBe(2);
    expect(dnsPacket.decode(upper.message as Buffer).questions?.[0]?.name).toBe('WWW.Example.Test');
  });

  it('is dropped when a record is added or removed', () => {
    const { zone, ask } = setup();
    expect(dataOf(ask('www.example.test'))).toEqual(['192.0.2.80']);
    zone.add({ name: 'www.example.test', ttl: 60, type: 'A', data: '192.0.2.81' });
    expect(dataOf(ask('www.example.test'))).toEqual(['192.0.2.80', '192.0.2.81']);
    expect(zone.remove({ name: 'www.example.test', type: 1 })).toBe(2);
    expect(ask('www.example.test').rcode).toBe('NXDOMAIN');
    zone.add({ name: 'www.example.test', ttl: 60, type: 'A', data: '192.0.2.82' });
    expect(dataOf(ask('www.example.test'))).toEqual(['192.0.2.82']);
  });

  it('is not dropped by changes that change nothing', () => {
    const { zone, cache, ask } = setup();
    ask('www.example.test');
    const version = zone.version;
    expect(zone.add({ name: 'www.example.test', ttl: 60, type: 'A', data: '192.0.2.80' })).toBe(false);
    expect(zone.remove({ name: 'nothing.example.test' })).toBe(0);
    expect(zone.version).toBe(version);
    ask('www.example.test');
    expect(cache.size).toBe(1);
  });

  it('is dropped when the zone list is another one', () => {
    const { cache, ask } = setup();
    ask('www.example.test');
    const other = [zoneFromText(ZONE.replace('192.0.2.80', '192.0.2.99'))];
    const out = respond(encodeQuery('www.example.test'), 'udp', other, { maxUdpPayload: 1232, cache });
    expect(dataOf(out)).toEqual(['192.0.2.99']);
  });

  it('keeps its answers when the same zones come in a new array each time', () => {
    const { zone, cache } = setup();
    const ask = () => respond(encodeQuery('www.example.test'), 'udp', [zone], { maxUdpPayload: 1232, cache });
    ask();
    // Hits share the stored outcome's question object; a recomputed answer has a new one.
    expect(ask().question).toBe(ask().question);
    expect(cache.size).toBe(1);
    zone.add({ name: 'www.example.test', ttl: 60, type: 'A', data: '192.0.2.81' });
    expect(dataOf(ask())).toEqual(['192.0.2.80', '192.0.2.81']);
  });

  it('keeps UDP and TCP answers apart (truncation differs)', () => {
    const { ask } = setup();
    const udp = ask('big.example.test', 'TXT', 1, 'udp');
    const tcp = ask('big.example.test', 'TXT', 1, 'tcp');
    expect(udp.truncated).toBe(true);
    expect(tcp).toMatchObject({ truncated: false, answers: 3 });
    expect(ask('big.example.test', 'TXT', 2, 'udp').truncated).toBe(true);
  });

  it('never keeps answers with data read at query time (built-in SRV ports)', () => {
    let port = 8080;
    const zones = [builtinZone({ http: () => port, ftp: () => 21, smtp: () => 25 })];
    const cache = new AnswerCache<Outcome>();
    const srvPort = () => {
      const out = respond(encodeQuery('_http._tcp.suite.test', 'SRV'), 'udp', zones, { maxUdpPayload: 1232, cache });
      const answer = dnsPacket.decode(out.message as Buffer).answers?.[0];
      return answer?.type === 'SRV' ? answer.data.port : undefined;
    };
    expect(srvPort()).toBe(8080);
    port = 9090;
    expect(srvPort()).toBe(9090);
    expect(cache.size).toBe(0);
  });

  it('does not keep errors, and stays within its size', () => {
    const { cache, ask } = setup(2);
    respond(Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'udp', [], { maxUdpPayload: 1232, cache });
    expect(cache.size).toBe(0);
    for (const name of ['a', 'b', 'c', 'd']) ask(`${name}.example.test`);
    expect(cache.size).toBe(2);
  });

  it('serves records added to a running server at once', async () => {
    const { server, port, zones } = await startTestServer();
    try {
      const ask = async () => dnsPacket.decode((await udpAsk(port, encodeQuery('new.example.test'))) as Buffer);
      expect(await ask()).toMatchObject({ rcode: 'NXDOMAIN' });
      expect(await ask()).toMatchObject({ rcode: 'NXDOMAIN' });
      zones[0]?.add({ name: 'new.example.test', ttl: 60, type: 'A', data: '192.0.2.7' });
      expect((await ask()).answers).toMatchObject([{ data: '192.0.2.7' }]);
    } finally {
      await server.close({ graceMs: 0 });
    }
  });
});
