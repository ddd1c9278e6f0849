import { describe, expect, it } from 'vitest';
import { parseRecords, ZoneFileError, zoneFromText } from '../../protocols/dns/zone-file.js';

const HEAD = '$ORIGIN example.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 120\n';

describe('zone file: what it accepts', () => {
  it('reads every form of RFC 1035 §5 the issue names', () => {
    const text = [
      '; a comment line',
      '$ORIGIN example.test.',
      '$TTL 1h',
      '@   IN  SOA ns.example.test. hostmaster ( 2024010101 ; serial',
      '            3600 600 ; refresh retry',
      '            86400 120 )',
      '    IN  NS  ns',
      '    600 IN MX 10 mail',
      '    IN 700 A 192.0.2.1          ; class then TTL',
      'ns      A     192.0.2.2',
      'www.example.test.  AAAA 2001:db8::1',
      'txt   TXT "hello world" "second \\"quoted\\" \\065\\066" unquoted',
      'alias CNAME www',
      '_sip._tcp SRV 0 5 5060 sip.other.test.',
      '1.2   PTR host.example.test.',
      '@     CAA 0 issue "ca.test"',
      '$ORIGIN sub.example.test.',
      'deep  A 192.0.2.3',
      '',
    ].join('\n');
    const records = parseRecords(text, { file: 'ex.zone' });
    const byName = (name: string, type: string) =>
      records.filter((p) => p.record.name === name && p.record.type === type);
    expect(byName('example.test', 'SOA')[0]).toMatchObject({
      line: 4,
      record: {
        ttl: 3600,
        data: {
          mname: 'ns.example.test',
          rname: 'hostmaster.example.test',
          serial: 2024010101,
          refresh: 3600,
          retry: 600,
          expire: 86400,
          minimum: 120,
        },
      },
    });
    expect(byName('example.test', 'NS')[0]?.record).toMatchObject({ ttl: 3600, data: 'ns.example.test' });
    expect(byName('example.test', 'MX')[0]?.record).toMatchObject({
      ttl: 600,
      data: { preference: 10, exchange: 'mail.example.test' },
    });
    expect(byName('example.test', 'A')[0]?.record).toMatchObject({ ttl: 700, data: '192.0.2.1' });
    expect(byName('www.example.test', 'AAAA')[0]?.record.data).toBe('2001:db8::1');
    const txt = byName('txt.example.test', 'TXT')[0]?.record.data as Buffer[];
    expect(txt.map((b) => b.toString())).toEqual(['hello world', 'second "quoted" AB', 'unquoted']);
    expect(byName('alias.example.test', 'CNAME')[0]?.record.data).toBe('www.example.test');
    expect(byName('_sip._tcp.example.test', 'SRV')[0]?.record.data).toEqual({
      priority: 0,
      weight: 5,
      port: 5060,
      target: 'sip.other.test',
    });
    expect(byName('1.2.example.test', 'PTR')[0]?.record.data).toBe('host.example.test');
    expect(byName('example.test', 'CAA')[0]?.record.data).toEqual({ flags: 0, tag: 'issue', value: 'ca.test' });
    expect(byName('deep.sub.example.test', 'A')[0]).toMatchObject({ line: 18 });
  });

  it('lowercases names, keeps the last explicit TTL without $TTL, and takes @ and absolute names', () => {
    const records = parseRecords('$ORIGIN Example.TEST.\nWWW 42 A 192.0.2.1\nmail A 192.0.2.2\n@ A 192.0.2.3\n');
    expect(records.map((p) => [p.record.name, p.record.ttl])).toEqual([
      ['www.example.test', 42],
      ['mail.example.test', 42],
      ['example.test', 42],
    ]);
  });

  it('builds a zone whose apex is the SOA owner', () => {
    const zone = zoneFromText(`${HEAD}www A 192.0.2.1\n`, { file: 'z' });
    expect(zone.origin).toBe('example.test');
    expect(zone.soa.data.minimum).toBe(120);
    expect(zone.node('www.example.test')?.get(1)?.[0]?.data).toBe('192.0.2.1');
  });

  it('drops duplicate records of an RRset (RFC 2181 §5)', () => {
    const zone = zoneFromText(`${HEAD}www A 192.0.2.1\nwww A 192.0.2.1\n`);
    expect(zone.node('www.example.test')?.get(1)).toHaveLength(1);
  });
});

describe('zone file: $INCLUDE (RFC 1035 §5.1)', () => {
  const files: Record<string, string> = {
    'a.zone': 'incl A 192.0.2.7\n$ORIGIN deeper.example.test.\nx A 192.0.2.8\n',
    'bad.zone': 'ok A 192.0.2.1\nbad A 300.1.1.1\n',
    'self.zone': '$INCLUDE self.zone\n',
  };
  const readInclude = (name: string) => {
    const text = files[name];
    if (text === undefined) throw new Error('no such file');
    return { file: name, text };
  };
  it('reads the file with the current or the given origin, and gives the origin back after it', () => {
    const text = `${HEAD}$INCLUDE a.zone\n$INCLUDE a.zone sub.example.test. ; comment\nafter A 192.0.2.9\n`;
    const records = parseRecords(text, { file: 'main.zone', readInclude });
    expect(records.map((r) => [r.record.name, r.file, r.line])).toEqual([
      ['example.test', 'main.zone', 3],
      ['incl.example.test', 'a.zone', 1],
      ['x.deeper.example.test', 'a.zone', 3],
      ['incl.sub.example.test', 'a.zone', 1],
      ['x.deeper.example.test', 'a.zone', 3],
      ['after.example.test', 'main.zone', 6],
    ]);
  });
  it('names the included file and its line in errors, and stops a loop', () => {
    expect(() => zoneFromText(`${HEAD}$INCLUDE bad.zone\n`, { file: 'main.zone', readInclude })).toThrow(
      /^bad\.zone:2: '300\.1\.1\.1' is not an IPv4 address$/,
    );
    expect(() => zoneFromText(`${HEAD}$INCLUDE self.zone\n`, { file: 'main.zone', readInclude })).toThrow(
      /^self\.zone:1: \$INCLUDE nested more than 10 deep$/,
    );
    expect(() => zoneFromText(`${HEAD}$INCLUDE gone.zone\n`, { file: 'main.zone', readInclude })).toThrow(
      /^main\.zone:4: cannot read \$INCLUDE file 'gone\.zone': no such file$/,
    );
  });
  it('takes non-ASCII names as their UTF-8 bytes, as NSD does', () => {
    const records = parseRecords(`${HEAD}café A 192.0.2.1\n`, { file: 'z' });
    // Keys hold raw bytes as latin1 characters (names.ts).
    expect(records[1]?.record.name).toBe(`${Buffer.from('café').toString('latin1')}.example.test`);
  });
});

describe('zone file: every error names file and line', () => {
  const long = 'a'.repeat(64);
  const cases: [string, string, RegExp][] = [
    ['unknown directive', `${HEAD}$FOO bar\n`, /^z:4: unknown directive \$FOO$/],
    [
      '$INCLUDE of a missing file',
      `${HEAD}$INCLUDE /nonexistent/other.zone\n`,
      /^z:4: cannot read \$INCLUDE file '\/nonexistent\/other.zone'/,
    ],
    ['$ORIGIN without a name', '$ORIGIN\n', /^z:1: \$ORIGIN needs exactly one name$/],
    ['$TTL not a number', '$TTL soon\n', /^z:1: TTL 'soon' is not a number of seconds$/],
    ['TTL too large', `${HEAD}www 2147483648 A 192.0.2.1\n`, /^z:4: TTL 2147483648 is larger than 2147483647$/],
    ['relative name without origin', 'www 60 A 192.0.2.1\n', /^z:1: relative name 'www' but no \$ORIGIN is set$/],
    ['@ without origin', '@ 60 A 192.0.2.1\n', /^z:1: '@' used but no \$ORIGIN is set$/],
    ['blank owner first', '$ORIGIN example.test.\n  60 A 192.0.2.1\n', /^z:2: no owner name, and no previous record/],
    ['missing type', `${HEAD}www 60 IN\n`, /^z:4: missing record type$/],
    [
      'unknown type',
      `${HEAD}www FOO 1\n`,
      /^z:4: unknown record type 'FOO' \(RFC 3597 form: TYPE123 \\# <length> <hex>\)$/,
    ],
    [
      'RFC 3597 length that does not match',
      `${HEAD}www TYPE65280 \\# 3 0a0000\n`.replace('3 0a0000', '4 0a0000'),
      /^z:4: \\# says 4 bytes but gives 3$/,
    ],
    [
      'data below a DNAME',
      `${HEAD}old DNAME new\nx.old A 192.0.2.1\n`,
      /^z:5: x\.old\.example\.test\. is below the DNAME at old\.example\.test\. \(RFC 6672 §2\.3\)$/,
    ],
    ['meta type as data', `${HEAD}www ANY 1\n`, /^z:4: ANY is a query or meta type, not data$/],
    ['other class', `${HEAD}www CH A 192.0.2.1\n`, /^z:4: class CH is not supported \(only IN\)$/],
    ['no TTL at all', '$ORIGIN example.test.\nwww A 192.0.2.1\n', /^z:2: no TTL: give one on the record or set \$TTL/],
    ['bad IPv4', `${HEAD}www A 192.0.2.300\n`, /^z:4: '192.0.2.300' is not an IPv4 address$/],
    ['IPv4 in AAAA', `${HEAD}www AAAA 192.0.2.1\n`, /^z:4: '192.0.2.1' is not an IPv6 address$/],
    ['A field count', `${HEAD}www A 192.0.2.1 192.0.2.2\n`, /^z:4: A needs 1 field \(an IPv4 address\), got 2$/],
    ['MX preference', `${HEAD}@ MX high mail\n`, /^z:4: MX preference 'high' is not a number 0-65535$/],
    ['MX field count', `${HEAD}@ MX 10\n`, /^z:4: MX needs 2 fields \(preference and exchange\), got 1$/],
    ['SRV port range', `${HEAD}_x._tcp SRV 0 0 70000 www\n`, /^z:4: SRV port '70000' is not a number 0-65535$/],
    ['SOA field count', '$ORIGIN example.test.\n@ 60 SOA ns hostmaster 1 2 3\n', /^z:2: SOA needs 7 fields/],
    ['TXT empty', `${HEAD}t TXT\n`, /^z:4: TXT needs at least one string$/],
    ['TXT string too long', `${HEAD}t TXT "${'x'.repeat(256)}"\n`, /^z:4: string of 256 bytes is longer than 255$/],
    ['bad escape', `${HEAD}t TXT "\\300"\n`, /^z:4: escape \\300 is not a byte/],
    ['CAA tag', `${HEAD}@ CAA 0 "is sue" "x"\n`, /^z:4: CAA tag 'is sue' must be 1-15 letters and digits$/],
    ['quoted name', `${HEAD}www CNAME "other"\n`, /^z:4: a name cannot be quoted \("other"\)$/],
    ['label too long', `${HEAD}${long} A 192.0.2.1\n`, /^z:4: label 'a+…' is 64 characters long \(limit 63\)$/],
    [
      'name too long',
      `${HEAD}${`${'a'.repeat(60)}.`.repeat(4)}x A 192.0.2.1\n`,
      /^z:4: name '.*' is longer than 255 bytes$/,
    ],
    ['empty label', `${HEAD}a..b A 192.0.2.1\n`, /^z:4: empty label in name 'a..b'$/],
    ['escape that is not a byte', `${HEAD}a\\256b A 192.0.2.1\n`, /^z:4: escape \\256 in 'a\\256b' is not a byte/],
    ['relative $ORIGIN (NSD refuses it)', `${HEAD}$ORIGIN sub\n`, /^z:4: \$ORIGIN 'sub' must be an absolute name/],
    [
      '$INCLUDE with a relative origin',
      `${HEAD}$INCLUDE x.zone sub\n`,
      /^z:4: \$INCLUDE origin 'sub' must be an absolute name/,
    ],
    [
      'A in RFC 3597 form of 3 bytes',
      `${HEAD}x A \\# 3 c00002\n`,
      /^z:4: \\# data of 3 bytes is not a valid A \(4 bytes\)$/,
    ],
    [
      'SVCB mandatory key missing',
      `${HEAD}s SVCB 1 . mandatory=port alpn=h2\n`,
      /^z:4: SVCB mandatory lists port, which the record does not have$/,
    ],
    ['LOC latitude out of range', `${HEAD}l LOC 91 0 0 N 0 E 0\n`, /^z:4: LOC latitude '91 0 0' is out of range$/],
    ['EUI48 of 5 bytes', `${HEAD}e EUI48 00-00-5e-00-53\n`, /^z:4: '00-00-5e-00-53' is not 6 hex pairs joined by '-'$/],
    ['unclosed quote', `${HEAD}t TXT "open\n`, /^z:4: quoted string not closed on its line$/],
    ['unclosed parenthesis', `${HEAD}t TXT ( "a"\n"b"\n`, /^z:4: '\(' is never closed$/],
    ['stray parenthesis', `${HEAD}t TXT "a" )\n`, /^z:4: '\)' without a matching '\('$/],
    ['no SOA', '$ORIGIN example.test.\n$TTL 60\nwww A 192.0.2.1\n', /^z:3: the zone has no SOA record$/],
    ['second SOA', `${HEAD}@ SOA ns hostmaster 2 1 1 1 1\n`, /^z:4: a second SOA record \(the first is on line 3\)$/],
    ['record outside the zone', `${HEAD}www.other.test. A 192.0.2.1\n`, /^z:4: www\.other\.test\. is outside the zone/],
    [
      'CNAME beside data',
      `${HEAD}www A 192.0.2.1\nwww CNAME other\n`,
      /^z:5: CNAME at www\.example\.test\., which has other data/,
    ],
    [
      'data beside CNAME',
      `${HEAD}www CNAME other\nwww A 192.0.2.1\n`,
      /^z:5: A at www\.example\.test\., which has a CNAME/,
    ],
    ['two CNAMEs', `${HEAD}www CNAME a\nwww CNAME b\n`, /^z:5: a second CNAME at www\.example\.test\./],
  ];
  it.each(cases)('%s', (_label, text, message) => {
    let caught: unknown;
    try {
      zoneFromText(text, { file: 'z' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ZoneFileError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as ZoneFileError).code).toBe('MS_CONFIG');
  });
});
