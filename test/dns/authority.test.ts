import { describe, expect, it } from 'vitest';
import { answerQuestion } from '../../protocols/dns/authority.js';
import { TYPE_CODES, type ZoneRecord } from '../../protocols/dns/records.js';
import { zoneFromText } from '../../protocols/dns/zone-file.js';

const ZONE = `$ORIGIN example.test.
$TTL 300
@        SOA ns hostmaster 1 3600 600 86400 120
@        NS  ns
@        MX  10 mail
ns       A   192.0.2.53
mail     A   192.0.2.25
mail     AAAA 2001:db8::25
www      A   192.0.2.80
alias    CNAME www
chain1   CNAME chain2
chain2   CNAME www
outside  CNAME www.elsewhere.test.
dangling CNAME missing
loop1    CNAME loop2
loop2    CNAME loop1
a.b.c    A   192.0.2.1
*.wild   A   192.0.2.99
*.wild   TXT "wild"
real.wild A  192.0.2.100
x.y.wild A   192.0.2.101
*.cname  CNAME www
_svc._tcp SRV 0 0 8080 www
child    NS  ns.child
child    NS  ns.elsewhere.test.
ns.child A   192.0.2.54
`;
const OTHER = '$ORIGIN other.test.\n$TTL 60\n@ SOA ns hostmaster 1 1 1 1 30\n';
const zones = [zoneFromText(ZONE, { file: 'example' }), zoneFromText(OTHER, { file: 'other' })];

const ask = (name: string, type = 'A', klass = 1) =>
  answerQuestion(zones, { name, type: TYPE_CODES[type] as number, class: klass });
const rows = (records: readonly ZoneRecord[]) =>
  records.map((r) => `${r.name} ${r.ttl} ${r.type} ${typeof r.data === 'string' ? r.data : JSON.stringify(r.data)}`);

describe('authority (RFC 1034 §4.3.2, 2308, 4592)', () => {
  it('answers in-zone data authoritatively, RA never offered', () => {
    const a = ask('www.example.test');
    expect(a).toMatchObject({ rcode: 0, aa: true, referral: false });
    expect(rows(a.answers)).toEqual(['www.example.test 300 A 192.0.2.80']);
    expect(a.authorities).toEqual([]);
  });

  it('NXDOMAIN carries the SOA with TTL min(SOA TTL, MINIMUM)', () => {
    const a = ask('nothing.example.test');
    expect(a).toMatchObject({ rcode: 3, aa: true, answers: [] });
    expect(a.authorities).toHaveLength(1);
    expect(a.authorities[0]).toMatchObject({ type: 'SOA', name: 'example.test', ttl: 120 });
    const other = ask('x.other.test');
    expect(other.authorities[0]?.ttl).toBe(30);
  });

  it('NODATA: NOERROR, no answers, SOA in authority, for a name with other types', () => {
    const a = ask('www.example.test', 'AAAA');
    expect(a).toMatchObject({ rcode: 0, aa: true, answers: [] });
    expect(a.authorities[0]?.type).toBe('SOA');
  });

  it('NODATA also for empty non-terminals', () => {
    for (const name of ['b.c.example.test', 'c.example.test', 'y.wild.example.test']) {
      const a = ask(name);
      expect(a, name).toMatchObject({ rcode: 0, aa: true, answers: [] });
      expect(a.authorities[0]?.type, name).toBe('SOA');
    }
  });

  it('follows CNAME chains inside the zone', () => {
    expect(rows(ask('alias.example.test').answers)).toEqual([
      'alias.example.test 300 CNAME www.example.test',
      'www.example.test 300 A 192.0.2.80',
    ]);
    expect(rows(ask('chain1.example.test').answers)).toEqual([
      'chain1.example.test 300 CNAME chain2.example.test',
      'chain2.example.test 300 CNAME www.example.test',
      'www.example.test 300 A 192.0.2.80',
    ]);
  });

  it('answers a CNAME query with the CNAME itself', () => {
    expect(rows(ask('alias.example.test', 'CNAME').answers)).toEqual(['alias.example.test 300 CNAME www.example.test']);
  });

  it('returns an out-of-zone target as the bare CNAME', () => {
    const a = ask('outside.example.test');
    expect(a).toMatchObject({ rcode: 0, aa: true, authorities: [] });
    expect(rows(a.answers)).toEqual(['outside.example.test 300 CNAME www.elsewhere.test']);
  });

  it('a chain ending in a missing name is NXDOMAIN with the CNAME kept (RFC 6604)', () => {
    const a = ask('dangling.example.test');
    expect(a.rcode).toBe(3);
    expect(rows(a.answers)).toEqual(['dangling.example.test 300 CNAME missing.example.test']);
    expect(a.authorities[0]?.type).toBe('SOA');
  });

  it('a CNAME loop ends without hanging', () => {
    const a = ask('loop1.example.test');
    expect(a.rcode).toBe(0);
    expect(a.answers.map((r) => r.type)).toEqual(['CNAME', 'CNAME']);
  });

  it('synthesizes wildcard answers with the query name as owner (RFC 4592)', () => {
    expect(rows(ask('anything.wild.example.test').answers)).toEqual(['anything.wild.example.test 300 A 192.0.2.99']);
    expect(rows(ask('a.b.deeper.wild.example.test').answers)).toEqual([
      'a.b.deeper.wild.example.test 300 A 192.0.2.99',
    ]);
    expect(rows(ask('any.wild.example.test', 'TXT').answers)).toEqual([
      'any.wild.example.test 300 TXT [{"type":"Buffer","data":[119,105,108,100]}]',
    ]);
  });

  it('wildcard NODATA when the wildcard lacks the type', () => {
    const a = ask('anything.wild.example.test', 'MX');
    expect(a).toMatchObject({ rcode: 0, answers: [] });
    expect(a.authorities[0]?.type).toBe('SOA');
  });

  it('a wildcard does not cover existing names or empty non-terminals', () => {
    expect(rows(ask('real.wild.example.test').answers)).toEqual(['real.wild.example.test 300 A 192.0.2.100']);
    expect(ask('real.wild.example.test', 'TXT')).toMatchObject({ rcode: 0, answers: [] });
    expect(ask('y.wild.example.test')).toMatchObject({ rcode: 0, answers: [] });
    // Below an existing name the closest encloser is that name, which has no wildcard child.
    expect(ask('q.real.wild.example.test').rcode).toBe(3);
  });

  it('a wildcard CNAME is followed', () => {
    expect(rows(ask('foo.cname.example.test').answers)).toEqual([
      'foo.cname.example.test 300 CNAME www.example.test',
      'www.example.test 300 A 192.0.2.80',
    ]);
  });

  it('refers below a zone cut: AA clear, NS in authority, glue in additional', () => {
    for (const name of ['child.example.test', 'host.child.example.test', 'ns.child.example.test']) {
      const a = ask(name);
      expect(a, name).toMatchObject({ rcode: 0, aa: false, referral: true, answers: [] });
      expect(rows(a.authorities).sort()).toEqual([
        'child.example.test 300 NS ns.child.example.test',
        'child.example.test 300 NS ns.elsewhere.test',
      ]);
      expect(rows(a.additionals)).toEqual(['ns.child.example.test 300 A 192.0.2.54']);
    }
  });

  it('minimal responses: A/AAAA in additional only for NS (glue), not for MX or SRV targets', () => {
    expect(rows(ask('example.test', 'MX').additionals)).toEqual([]);
    expect(rows(ask('example.test', 'NS').additionals)).toEqual(['ns.example.test 300 A 192.0.2.53']);
    expect(rows(ask('_svc._tcp.example.test', 'SRV').additionals)).toEqual([]);
  });

  it('ANY returns one RRset, A or AAAA first (RFC 8482 §4.1)', () => {
    const types = ask('mail.example.test', 'ANY').answers.map((r) => r.type);
    expect(types).toEqual(['A']);
  });

  it('REFUSED outside every zone, for other classes and for zone transfers', () => {
    expect(ask('www.elsewhere.test')).toMatchObject({ rcode: 5, aa: false, answers: [] });
    expect(ask('test')).toMatchObject({ rcode: 5 });
    expect(ask('www.example.test', 'A', 3)).toMatchObject({ rcode: 5 });
    expect(ask('example.test', 'AXFR')).toMatchObject({ rcode: 5 });
  });

  it('picks the most specific zone', () => {
    const withChild = [
      ...zones,
      zoneFromText('$ORIGIN child.example.test.\n$TTL 5\n@ SOA ns h 1 1 1 1 1\nhost A 192.0.2.7\n'),
    ];
    const a = answerQuestion(withChild, { name: 'host.child.example.test', type: 1, class: 1 });
    expect(a).toMatchObject({ aa: true, referral: false });
    expect(rows(a.answers)).toEqual(['host.child.example.test 5 A 192.0.2.7']);
  });
});
