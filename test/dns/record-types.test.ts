import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { rdataToText } from '../../protocols/dns/rdata-text.js';
import { codeOf, rdataOf, typeOf } from '../../protocols/dns/records.js';
import { encodeResponse } from '../../protocols/dns/response.js';
import { parseRecords } from '../../protocols/dns/zone-file.js';

const HEAD = '$ORIGIN example.test.\n$TTL 300\n';

/** Parses one record line, and returns its presentation form and its wire RDATA. */
function one(line: string) {
  const [parsed, extra] = parseRecords(`${HEAD}${line}\n`, { file: 't' });
  expect(extra).toBeUndefined();
  const record = (parsed as NonNullable<typeof parsed>).record;
  return { record, type: typeOf(record), text: rdataToText(codeOf(record), rdataOf(record)), wire: rdataOf(record) };
}

/** The record through a whole answer message and back through dns-packet's decoder. */
function viaWire(line: string) {
  const { record } = one(line);
  const message = encodeResponse({
    id: 1,
    queryFlags: 0,
    rcode: 0,
    aa: true,
    answers: [record],
    authorities: [],
    additionals: [],
  }).message;
  return dnsPacket.decode(message).answers?.[0];
}

describe('record types: presentation → wire → presentation (RFC 3597 and the type RFCs)', () => {
  // [zone-file line, the presentation we print back (as NSD/BIND print it)]
  const table: [string, string][] = [
    ['h HINFO "PC Intel" "Linux 6"', '"PC Intel" "Linux 6"'],
    ['h HINFO amd64 linux', '"amd64" "linux"'],
    [
      'd DS 60485 8 2 ( D4B7D520E7BB5F0F67674A0CCEB1E3E0 614B93C4F9E99B8383F6A1E4469DA50A )',
      '60485 8 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A',
    ],
    ['d DS 1 RSASHA256 1 0123456789abcdef0123456789abcdef01234567', '1 8 1 0123456789ABCDEF0123456789ABCDEF01234567'],
    ['n NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp.example.test.', '100 10 "S" "SIP+D2U" "" _sip._udp.example.test.'],
    [
      'n NAPTR 10 0 "u" "E2U+sip" "!^.*$!sip:info@example.test!" .',
      '10 0 "u" "E2U+sip" "!^.*$!sip:info@example.test!" .',
    ],
    [
      's SSHFP 4 2 123456789abcdef67890123456789abcdef67890123456789abcdef123456789',
      '4 2 123456789ABCDEF67890123456789ABCDEF67890123456789ABCDEF123456789',
    ],
    [
      '_443._tcp TLSA 3 1 1 0d6fce3356d9a3ec7e8c3d9a3ce4bd0c1f4d6e0c4c2e4c8e0f1a2b3c4d5e6f70',
      '3 1 1 0D6FCE3356D9A3EC7E8C3D9A3CE4BD0C1F4D6E0C4C2E4C8E0F1A2B3C4D5E6F70',
    ],
    ['t SPF "v=spf1 -all"', '"v=spf1 -all"'],
    ['old DNAME new.example.test.', 'new.example.test.'],
    [
      '@ DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==',
      '257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==',
    ],
    [
      'w RRSIG A 13 3 300 20300101000000 20200101000000 2371 example.test. ( oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6oB9wfuh3DTJXUAfI= )',
      'A 13 3 300 20300101000000 20200101000000 2371 example.test. oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6oB9wfuh3DTJXUAfI=',
    ],
    ['w NSEC x.example.test. A RRSIG NSEC TYPE1234', 'x.example.test. A RRSIG NSEC TYPE1234'],
    ['svc SVCB 0 pool.example.test.', '0 pool.example.test.'],
    [
      'svc HTTPS 1 . port=8443 alpn="h2,h3" ipv6hint=2001:db8::1 ipv4hint=192.0.2.1,192.0.2.2 no-default-alpn mandatory=alpn',
      '1 . mandatory=alpn alpn="h2,h3" no-default-alpn port=8443 ipv4hint=192.0.2.1,192.0.2.2 ipv6hint=2001:db8::1',
    ],
    ['svc SVCB 16 foo.example.test. key65333=ex', '16 foo.example.test. key65333="ex"'],
    ['u TYPE65280 \\# 4 0a000001', '\\# 4 0a000001'],
    ['u TYPE65281 \\# 0', '\\# 0'],
    ['l LOC \\# 3 abcdef', '\\# 3 abcdef'],
  ];

  it.each(table)('%s', (line, text) => {
    expect(one(line).text).toBe(text);
    // And back: the printed form parses to the same bytes.
    const owner = line.split(' ')[0] as string;
    const again = one(`${owner} ${one(line).type} ${text}`);
    expect(again.wire.equals(one(line).wire)).toBe(true);
  });

  it('RFC 3597 §5: \\# for a known type is that type (TYPE1 is A, A \\# works too)', () => {
    expect(one('x TYPE1 \\# 4 0a000001').record).toMatchObject({ type: 'A', data: '10.0.0.1' });
    expect(one('x A \\# 4 c0000201').record).toMatchObject({ type: 'A', data: '192.0.2.1' });
    expect(one('x TYPE15 \\# 8 000a046d61696c00').record).toMatchObject({
      type: 'MX',
      data: { preference: 10, exchange: 'mail' },
    });
    expect(one('x TYPE13 \\# 4 01610162').text).toBe('"a" "b"');
  });

  it('SVCB parameters go on the wire in increasing key order (RFC 9460 §2.2)', () => {
    const { wire } = one('s SVCB 1 . port=53 alpn=dot');
    // priority, root name, then key 1 (alpn) before key 3 (port).
    expect(wire.toString('hex')).toBe(`0001` + `00` + `0001000403646f74` + `000300020035`);
  });

  it('types dns-packet knows decode from our wire form', () => {
    expect(viaWire('h HINFO "PC" "Linux"')).toMatchObject({ type: 'HINFO', data: { cpu: 'PC', os: 'Linux' } });
    expect(viaWire('d DS 60485 8 2 d4b7d520')).toMatchObject({
      type: 'DS',
      data: { keyTag: 60485, algorithm: 8, digestType: 2 },
    });
    expect(viaWire('n NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp.example.test.')).toMatchObject({
      type: 'NAPTR',
      data: {
        order: 100,
        preference: 10,
        flags: 'S',
        services: 'SIP+D2U',
        regexp: '',
        replacement: '_sip._udp.example.test',
      },
    });
    expect(viaWire('old DNAME new.example.test.')).toMatchObject({ type: 'DNAME', data: 'new.example.test' });
    expect(viaWire('w NSEC x.example.test. A RRSIG NSEC')).toMatchObject({
      type: 'NSEC',
      data: { nextDomain: 'x.example.test', rrtypes: ['A', 'RRSIG', 'NSEC'] },
    });
    expect(viaWire('u TYPE65280 \\# 4 0a000001')).toMatchObject({
      type: 'UNKNOWN_65280',
      data: Buffer.from('0a000001', 'hex'),
    });
  });
});

describe('names with escapes (RFC 1035 §5.1, RFC 4343 §2.1)', () => {
  it('keeps \\. and \\DDD inside a label, exactly on the wire', () => {
    const { record } = one('a\\.b\\032c\\255 A 192.0.2.1');
    const message = encodeResponse({
      id: 1,
      queryFlags: 0,
      rcode: 0,
      aa: true,
      answers: [record],
      authorities: [],
      additionals: [],
    }).message;
    // Owner: one label of 6 bytes "a.b c\xff", then example, test.
    const owner = message.subarray(12, 12 + 7);
    expect(owner).toEqual(Buffer.from([6, 0x61, 0x2e, 0x62, 0x20, 0x63, 0xff]));
    expect(message.subarray(19, 19 + 14).toString('latin1')).toBe('\x07example\x04test\x00');
  });

  it('prints escapes back in names inside data', () => {
    expect(one('c CNAME a\\.b\\000.example.test.').text).toBe('a\\.b\\000.example.test.');
    expect(one('c CNAME a\\.b\\000.example.test.').wire).toEqual(
      Buffer.from('04612e6200076578616d706c650474657374' + '00', 'hex'),
    );
  });

  it('an escaped dot makes a different name from the dotted one', () => {
    expect(one('a\\.b A 192.0.2.1').record.name).not.toBe(one('a.b A 192.0.2.1').record.name);
  });
});
