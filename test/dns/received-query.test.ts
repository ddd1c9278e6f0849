import { afterEach, describe, expect, it } from 'vitest';
import { type ReceivedQuery, readResponseLine, receivedQuery } from '../../protocols/dns/received-query.js';
import type { DnsServer, QueryEvent } from '../../protocols/dns/server.js';
import { zoneFromText } from '../../protocols/dns/zone-file.js';
import { encodeQuery, startTestServer, TcpPeer, TEST_ZONE, udpAsk } from './helpers.js';

const servers: DnsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 0 })));
});

const ZONE = `${TEST_ZONE}
comma    TXT "a, b" "c,d"
multi    A   10.0.0.1
multi    A   10.0.0.2
multi    A   10.0.0.3
`;

/** What the server knew of the query when it answered: the oracle of what the record tells. */
function fromEvent(e: QueryEvent): ReceivedQuery {
  return {
    name: e.question?.name,
    type: e.question?.type,
    transport: e.transport,
    peer: e.peer,
    rcode: e.rcode,
    answers: e.answers,
    truncated: e.truncated,
    time: e.time,
  };
}

describe('received queries, read back from the exchange records', () => {
  it('tell what the server answered, for every kind of message', async () => {
    const zones = [zoneFromText(ZONE, { file: 'test.zone' })];
    const { server, port, log } = await startTestServer({
      zones: () => zones,
      transfer: { allowTransfer: ['127.0.0.1'], keys: [] },
    });
    servers.push(server);
    const events: QueryEvent[] = [];
    server.on('query', (e) => events.push(e));

    const udp: [string, string][] = [
      ['www.example.test', 'A'],
      ['WWW.Example.test', 'AAAA'],
      ['multi.example.test', 'A'],
      ['comma.example.test', 'TXT'],
      ['txt.example.test', 'TXT'],
      ['big.example.test', 'TXT'], // too large for 512 bytes: TC
      ['nowhere.example.test', 'A'],
      ['example.test', 'MX'],
      ['www.elsewhere.test', 'A'], // not ours: REFUSED
    ];
    for (const [name, type] of udp) expect(await udpAsk(port, encodeQuery(name, type))).toBeDefined();
    const noQuestion = encodeQuery('www.example.test');
    noQuestion.writeUInt16BE(0, 4);
    expect(await udpAsk(port, noQuestion.subarray(0, 12))).toBeDefined();
    // A response is never answered: over UDP it is dropped unread (udp-filter.ts), over TCP it
    // is dropped with a record.
    const response = encodeQuery('www.example.test');
    response[2] = 0x80;
    expect(await udpAsk(port, response, 200)).toBeUndefined();
    const tcp = await TcpPeer.connect(port);
    tcp.send(response);
    tcp.send(encodeQuery('example.test', 'AXFR'));
    await tcp.waitFrames(1);
    tcp.socket.end();

    await expect.poll(() => events.length).toBe(udp.length + 3);
    const records = log.toArray();
    expect(records.map(receivedQuery)).toEqual(events.map(fromEvent));
    // The oracle is not trivially empty: each kind stood in it.
    expect(events.map((e) => [e.rcode, e.answers, e.truncated])).toEqual([
      ['NOERROR', 1, false],
      ['NOERROR', 1, false],
      ['NOERROR', 3, false],
      ['NOERROR', 1, false],
      ['NOERROR', 1, false],
      ['NOERROR', expect.any(Number), true],
      ['NXDOMAIN', 0, false],
      ['NOERROR', 1, false],
      ['REFUSED', 0, false],
      ['FORMERR', 0, false],
      ['NONE', 0, false],
      ['NOERROR', expect.any(Number), false],
    ]);
    expect(events.at(-1)?.answers).toBeGreaterThan(10);
  });

  it('reads the lines of answers cut short, faults and updates', () => {
    expect(readResponseLine('NOERROR A 10.0.0.1, A 10.0.0.2 (+5 more)')).toEqual({
      rcode: 'NOERROR',
      answers: 7,
      truncated: false,
    });
    expect(readResponseLine('NOERROR TXT "x, y", TXT "z" TC')).toEqual({
      rcode: 'NOERROR',
      answers: 2,
      truncated: true,
    });
    expect(readResponseLine('NOERROR TC=1')).toEqual({ rcode: 'NOERROR', answers: 0, truncated: true });
    expect(readResponseLine('SERVFAIL (wrong ID)')).toEqual({ rcode: 'SERVFAIL', answers: 0, truncated: false });
    expect(readResponseLine('NOERROR referral to child.example.test')).toMatchObject({ answers: 0 });
    expect(readResponseLine('NOERROR nothing changed, serial 4')).toMatchObject({ answers: 0 });
    expect(readResponseLine('NOTAUTH: no key')).toMatchObject({ rcode: 'NOTAUTH', answers: 0 });
    expect(readResponseLine('RCODE23')).toMatchObject({ rcode: 'RCODE23' });
    expect(readResponseLine('(no answer)')).toEqual({ rcode: 'NONE', answers: 0, truncated: false });
  });
});
