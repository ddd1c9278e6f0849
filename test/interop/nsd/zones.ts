/**
 * The zones of the NSD differential test: one of the kind people write (delegations with and
 * without DS, glue, DNSSEC-era types, DNAME, escaped names, a long CNAME chain, wildcards) and
 * a child zone served pre-signed (DNSKEY, RRSIG over every RRset, an NSEC chain), so DO
 * queries get the RFC 4035 §3.1 answers. Signatures are random bytes: servers do not check
 * them.
 * @module
 */

export const PARENT = 'example.test';
export const SIGNED = 'signed.example.test';

const CHAIN = 20;

/** The parent zone's text and the owner names worth asking about (relative to the apex, '@' for it). */
export function parentZone(): { text: string; owners: string[] } {
  const lines = [
    `$ORIGIN ${PARENT}.`,
    '$TTL 3600',
    '@ 3600 SOA ns1 hostmaster 2024010101 7200 3600 1209600 300',
    '@ NS ns1',
    '@ NS ns2.elsewhere.test.',
    '@ MX 10 mail',
    '@ MX 20 mail.elsewhere.test.',
    '@ TXT "v=spf1 mx -all" "second string"',
    '@ SPF "v=spf1 mx -all"',
    '@ A 192.0.2.1',
    '@ AAAA 2001:db8::1',
    '@ CAA 0 issue "ca.example.net"',
    '@ HINFO "Generic PC" "Linux"',
    '@ DNSKEY 256 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==',
    'ns1 A 192.0.2.53',
    'ns1 AAAA 2001:db8::53',
    'mail A 192.0.2.25',
    'www A 192.0.2.80',
    'www A 192.0.2.81',
    'www AAAA 2001:db8::80',
    'www 300 TXT "web"',
    'Mixed A 192.0.2.90',
    '_sip._udp SRV 10 60 5060 sip',
    'sip A 192.0.2.60',
    '@ NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp',
    'naptr NAPTR 10 0 "u" "E2U+sip" "!^.*$!sip:info@example.test!" .',
    'host SSHFP 4 2 123456789abcdef67890123456789abcdef67890123456789abcdef123456789',
    'host A 192.0.2.70',
    '_443._tcp.www TLSA 3 1 1 0d6fce3356d9a3ec7e8c3d9a3ce4bd0c1f4d6e0c4c2e4c8e0f1a2b3c4d5e6f70',
    'svc SVCB 1 . alpn=h2,h3 port=8443 ipv4hint=192.0.2.80 ipv6hint=2001:db8::80',
    'svc HTTPS 1 . alpn=h2 no-default-alpn',
    'alias-mode HTTPS 0 www',
    'opaque TYPE65280 \\# 4 0a000001',
    'opaque TYPE65281 \\# 0',
    'loc LOC \\# 16 00121613899a6c4c70ab6c8c00989680',
    // RFC 1035 §5.1 escapes inside labels.
    'a\\.b A 192.0.2.101',
    'sp\\032ace TXT "space in a label"',
    'bin\\255\\000 A 192.0.2.102',
    'semi\\;colon A 192.0.2.103',
    'esc CNAME a\\.b',
    // Empty non-terminals (RFC 4592 §2.2.2).
    'x.y.ent A 192.0.2.110',
    // A CNAME chain of CHAIN links, a loop, ends out of zone and at a missing name (RFC 6604).
    ...Array.from({ length: CHAIN }, (_, i) => `c${i + 1} CNAME ${i + 1 === CHAIN ? 'www' : `c${i + 2}`}`),
    'loop1 CNAME loop2',
    'loop2 CNAME loop3',
    'loop3 CNAME loop1',
    'self CNAME self',
    'out CNAME www.elsewhere.test.',
    'dangling CNAME nothing-here',
    'tosigned CNAME www.signed',
    // Wildcards (RFC 4592): data, a CNAME, an explicit name beside them, one below a name.
    '*.wild A 192.0.2.120',
    '*.wild TXT "wildcard"',
    '*.wild MX 10 mail',
    'explicit.wild A 192.0.2.121',
    '*.wc CNAME www',
    'deep.*.w2 A 192.0.2.122',
    '*.wdel NS ns.wdel-target.test.',
    // Delegations: in-domain glue (A and AAAA), out-of-zone NS, DS at the cut.
    'child NS ns1.child',
    'child NS ns2.child',
    'child NS ns.elsewhere.test.',
    'child DS 60485 13 2 d4b7d520e7bb5f0f67674a0cceb1e3e0614b93c4f9e99b8383f6a1e4469da50a',
    'ns1.child A 192.0.2.201',
    'ns1.child AAAA 2001:db8::201',
    'ns2.child A 192.0.2.202',
    'nods NS ns.nods',
    'ns.nods A 192.0.2.210',
    'sibling NS ns1.child',
    'sibling NS ns1',
    'tochild CNAME host.child',
    'deeper CNAME a.b.c.child',
    // A delegation whose NS RRset leaves no room for glue without EDNS (TC, RFC 9471).
    ...Array.from({ length: 12 }, (_, i) => `big NS ${'n'.repeat(30)}${i}.big`),
    ...Array.from({ length: 12 }, (_, i) => `${'n'.repeat(30)}${i}.big A 192.0.2.${i + 1}`),
    'signed NS ns.signed',
    'signed DS 2371 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    'ns.signed A 192.0.2.220',
    // DNAME (RFC 6672): a plain one, a chain, one out of zone, a DNAME+CNAME mix, one at an occluded name.
    'old DNAME new',
    'new A 192.0.2.130',
    'www.new A 192.0.2.131',
    'alias.new CNAME www.old',
    'd1 DNAME d2',
    'd2 DNAME new',
    'ext DNAME example.net.',
    'dloop DNAME x.dloop',
    'occ DNAME new',
    // Big RRsets for truncation.
    ...Array.from({ length: 10 }, (_, i) => `bigtxt TXT "${String(i).repeat(100)}"`),
    ...Array.from({ length: 40 }, (_, i) => `many A 198.51.100.${i + 1}`),
  ];
  const owners = [
    '@',
    'ns1',
    'mail',
    'www',
    'WWW',
    'mixed',
    '_sip._udp',
    'sip',
    'naptr',
    'host',
    '_443._tcp.www',
    'svc',
    'alias-mode',
    'opaque',
    'loc',
    'a\\.b',
    'a.b',
    'sp\\032ace',
    'bin\\255\\000',
    'semi\\;colon',
    'esc',
    'ent',
    'y.ent',
    'x.y.ent',
    'z.y.ent',
    'c1',
    `c${CHAIN / 2}`,
    `c${CHAIN}`,
    'loop1',
    'self',
    'out',
    'dangling',
    'tosigned',
    'anything.wild',
    'a.b.wild',
    'explicit.wild',
    'sub.explicit.wild',
    'wild',
    '*.wild',
    'x.wc',
    'x.w2',
    'deep.x.w2',
    '*.w2',
    'x.wdel',
    'child',
    'ns1.child',
    'host.child',
    'a.b.child',
    'nods',
    'x.nods',
    'sibling',
    'tochild',
    'deeper',
    'big',
    'x.big',
    'signed',
    'old',
    'www.old',
    'a.b.old',
    'alias.old',
    'new',
    'www.d1',
    'x.ext',
    'x.dloop',
    'occ',
    'hidden.occ',
    'bigtxt',
    'many',
    'nonexistent',
    'deep.nonexistent',
  ];
  return { text: `${lines.join('\n')}\n`, owners };
}

/** Canonical order of names under one apex (RFC 4034 §6.1), for names of plain labels. */
function canonicalSort(names: string[]): string[] {
  const key = (n: string) => n.toLowerCase().split('.').reverse();
  return [...names].sort((x, y) => {
    const a = key(x);
    const b = key(y);
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i] !== b[i]) return Buffer.compare(Buffer.from(a[i] as string), Buffer.from(b[i] as string));
    }
    return a.length - b.length;
  });
}

/** A deterministic pseudo-random base64 signature (the bytes are never checked). */
function signature(seed: number): string {
  const out = Buffer.alloc(64);
  let x = seed * 2654435761;
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out.toString('base64');
}

/** The pre-signed child zone: every RRset has its RRSIG, every name its NSEC. */
export function signedZone(): { text: string; owners: string[] } {
  const rel: [string, number | undefined, string, string][] = [
    ['@', 3600, 'SOA', 'ns hostmaster 7 7200 3600 1209600 300'],
    ['@', undefined, 'NS', 'ns'],
    [
      '@',
      undefined,
      'DNSKEY',
      '257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==',
    ],
    ['@', undefined, 'MX', '10 mail'],
    ['ns', undefined, 'A', '192.0.2.220'],
    ['mail', undefined, 'A', '192.0.2.221'],
    ['www', undefined, 'A', '192.0.2.222'],
    ['www', undefined, 'AAAA', '2001:db8::222'],
    ['alias', undefined, 'CNAME', 'www'],
    ['*.wild', undefined, 'A', '192.0.2.223'],
    ['x.ent', undefined, 'TXT', '"below an empty non-terminal"'],
    ['sub', undefined, 'NS', 'ns.sub'],
    ['ns.sub', undefined, 'A', '192.0.2.224'],
    ['secure', undefined, 'NS', 'ns.sub'],
    ['secure', undefined, 'DS', '1234 13 2 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'],
  ];
  const abs = (n: string) => (n === '@' ? SIGNED : `${n}.${SIGNED}`);
  const byOwner = new Map<string, Set<string>>();
  for (const [owner, , type] of rel) {
    const set = byOwner.get(abs(owner)) ?? new Set<string>();
    set.add(type);
    byOwner.set(abs(owner), set);
  }
  // Glue below a cut is not authoritative: no NSEC, no RRSIG (RFC 4035 §2.3).
  const isGlue = (name: string) => name === `ns.sub.${SIGNED}`;
  const authoritative = canonicalSort([...byOwner.keys()].filter((n) => !isGlue(n)));
  const lines = [`$ORIGIN ${SIGNED}.`, '$TTL 3600'];
  for (const [owner, ttl, type, data] of rel) lines.push(`${owner} ${ttl ?? ''} ${type} ${data}`.replace(/ {2}/, ' '));
  let seed = 1;
  const labels = (name: string) => name.split('.').filter((l) => l !== '*').length;
  for (let i = 0; i < authoritative.length; i++) {
    const name = authoritative[i] as string;
    const next = authoritative[(i + 1) % authoritative.length] as string;
    const types = byOwner.get(name) as Set<string>;
    const delegation = types.has('NS') && name !== SIGNED;
    // At a cut only NSEC and DS are signed (RFC 4035 §2.2).
    const signedTypes = [...types].filter((t) => !delegation || t === 'DS');
    const bitmap = [...types, 'RRSIG', 'NSEC'];
    lines.push(`${name}. 300 NSEC ${next}. ${bitmap.join(' ')}`);
    for (const t of [...signedTypes, 'NSEC']) {
      const ttl = t === 'NSEC' ? 300 : t === 'SOA' ? 3600 : 3600;
      lines.push(
        `${name}. ${ttl} RRSIG ${t} 13 ${labels(name)} ${ttl} 20300101000000 20240101000000 2371 ${SIGNED}. ${signature(seed++)}`,
      );
    }
  }
  const owners = [
    '@',
    'ns',
    'mail',
    'www',
    'alias',
    'x.wild',
    'wild',
    'ent',
    'x.ent',
    'sub',
    'a.sub',
    'secure',
    'nothing',
    'a.nothing',
    'zzz',
  ];
  return { text: `${lines.join('\n')}\n`, owners };
}

export const FORMS = 'forms.test';
/** The file the forms zone `$INCLUDE`s, beside it. */
export const FORMS_INCLUDE = 'forms-include.zone';

/**
 * A zone written the other ways master files allow: `$INCLUDE` with and without an origin,
 * TTL units, class and TTL in either order, parentheses and comments, escapes, and the types
 * with presentation forms of their own that NSD reads (LOC, RP, URI, CERT, NSEC3...).
 */
export function formsZone(): { text: string; include: string; owners: string[] } {
  const text = `$ORIGIN ${FORMS}.
$TTL 1h
@ IN SOA ns1.${FORMS}. host\\.master.${FORMS}. ( 2024 ; serial
   2h 1H 1w 5m )
  IN NS ns1
@ NS ns2.${FORMS}.
ns1 A 192.0.2.1
ns2 30 IN A 192.0.2.2
ns3 IN 40 A 192.0.2.3
$INCLUDE ${FORMS_INCLUDE}
$INCLUDE ${FORMS_INCLUDE} sub.${FORMS}.
after-include A 192.0.2.4
txt TXT "a" "b" "" "with \\"quote\\"" unquoted \\065\\066
txt2 TXT "one;two" ( "three"
    "four" ) ; comment
caa CAA 128 iodef "mailto:sec@${FORMS}"
caa CAA 0 issuewild ";"
srv._tcp SRV 0 0 0 .
loc LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m
loc2 LOC 42 21 54 S 71 06 18 W -24m 30m
loc3 LOC 0 N 0 E 0
hinfo HINFO PC Linux
rp RP admin.${FORMS}. txt.${FORMS}.
afsdb AFSDB 1 afs.${FORMS}.
kx KX 10 kx
rt RT 5 relay
minfo MINFO admin errors
mb MB mail
x25 X25 311061700956
isdn ISDN "150862028003217" "004"
px PX 10 net2.it. PRMD-net2.ADMD-p400.C-it.
uri URI 10 1 "https://${FORMS}/"
eui48 EUI48 00-00-5e-00-53-2a
eui64 EUI64 00-00-5e-ef-10-00-00-2a
nid NID 10 0014:4fff:ff20:ee64
l32 L32 10 10.1.2.0
l64 L64 10 2001:0DB8:1140:1000
lp LP 10 l64
n3p NSEC3PARAM 1 0 10 aabbccdd
n3p2 NSEC3PARAM 1 1 0 -
n3 NSEC3 1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr A RRSIG
opk OPENPGPKEY AQID
dhcid DHCID AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=
cert CERT PGP 0 0 AQID
cert2 CERT 1 12345 RSASHA256 AQIDBA==
ipsec IPSECKEY 10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==
ipsec2 IPSECKEY 10 0 2 . AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==
ipsec3 IPSECKEY 10 3 2 gw.${FORMS}. AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==
ipsec4 IPSECKEY 10 2 2 2001:db8::1:2 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==
csync CSYNC 66 3 A NS AAAA
zonemd ZONEMD 2024 1 1 ( 0123456789abcdef0123456789abcdef0123456789abcdef
  0123456789abcdef0123456789abcdef0123456789abcdef )
svc2 SVCB 2 svc.${FORMS}. mandatory=alpn alpn=h2 port=443 key65000=abc
svc3 HTTPS 1 . ech=AQID ipv6hint=2001:db8::1,2001:db8::2
UPPER A 192.0.2.9
MiXeD.Sub A 192.0.2.10
esc\\\\slash A 192.0.2.15
tab\\009 A 192.0.2.16
café A 192.0.2.18
ttl 1d2h A 192.0.2.17
    AAAA 2001:db8::17
`;
  const include = `incl A 192.0.2.44
incl2 300 TXT "included"
`;
  const owners = [
    '@',
    'ns3',
    'incl',
    'incl2',
    'incl.sub',
    'incl2.sub',
    'after-include',
    'txt',
    'txt2',
    'caa',
    'srv._tcp',
    'loc',
    'loc2',
    'loc3',
    'hinfo',
    'rp',
    'afsdb',
    'kx',
    'rt',
    'minfo',
    'mb',
    'x25',
    'isdn',
    'px',
    'uri',
    'eui48',
    'eui64',
    'nid',
    'l32',
    'l64',
    'lp',
    'n3p',
    'n3p2',
    'n3',
    'opk',
    'dhcid',
    'cert',
    'cert2',
    'ipsec',
    'ipsec2',
    'ipsec3',
    'ipsec4',
    'csync',
    'zonemd',
    'svc2',
    'svc3',
    'upper',
    'mixed.sub',
    'esc\\\\slash',
    'tab\\009',
    'caf\\195\\169',
    'ttl',
  ];
  return { text, include, owners };
}

export const EDGE = 'edge.test';
const LONG_LABEL = 'a'.repeat(63);

/**
 * Answer rules the parent zone does not reach: a wildcard at the apex, wildcards below a cut
 * and owning NS, a CNAME to a wildcard's CNAME, DNAMEs whose substitution overflows 255 bytes
 * (YXDOMAIN, RFC 6672 §2.2) or points back into the zone, DS at a cut, CNAMEs to a cut and into
 * another of our zones, names written in upper case, and a name of 255 bytes.
 */
export function edgeZone(): { text: string; owners: string[]; long: string[] } {
  const text = `$ORIGIN ${EDGE}.
$TTL 300
@ SOA NS1.Edge.Test. Host.Edge.Test. 1 3600 600 86400 120
@ NS NS1.Edge.TEST.
@ NS ns.elsewhere.test.
NS1 A 192.0.2.1
@ MX 10 Mail.Edge.Test.
Mail A 192.0.2.2
cn CNAME Target.Edge.Test.
Target A 192.0.2.3
* TXT "apex wildcard"
*.sub MX 10 mail
sub NS ns1
sub.sub A 192.0.2.4
wnsx NS ns1
*.wns NS ns1.wns
ns1.wns A 192.0.2.5
tw CNAME x.wcn
*.wcn CNAME Target
dl DNAME ${LONG_LABEL}.${LONG_LABEL}.${LONG_LABEL}.${EDGE}.
short DNAME ${EDGE}.
self DNAME dl.${EDGE}.
deleg NS ns.deleg
deleg NS ns.out.test.
ns.deleg A 192.0.2.6
ns.deleg AAAA 2001:db8::6
below.ns.deleg A 192.0.2.7
cut2 NS ns1
cut2 DS 1 13 2 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
cnd CNAME deleg
cnext CNAME www.example.test.
ptr PTR Target
srv SRV 1 1 1 Target
rp RP Mail.Edge.Test. Target
bigname.${LONG_LABEL}.${LONG_LABEL}.${LONG_LABEL} A 192.0.2.8
`;
  const owners = [
    '@',
    'ns1',
    'cn',
    'target',
    'x',
    'a.b',
    'x.sub',
    'sub',
    'a.sub.sub',
    'sub.sub',
    'x.wns',
    'wns',
    'a.x.wns',
    'wnsx',
    'tw',
    'x.wcn',
    'dl',
    'x.dl',
    'x.short',
    'a.b.short',
    'x.self',
    'y.x.self',
    'deleg',
    'x.deleg',
    'ns.deleg',
    'below.ns.deleg',
    'cut2',
    'x.cut2',
    'cnd',
    'cnext',
    'ptr',
    'srv',
    'rp',
    'nothing',
    `bigname.${LONG_LABEL}.${LONG_LABEL}.${LONG_LABEL}`,
  ];
  // Names below the DNAME whose substitution is longer than 255 bytes, and one that just fits.
  const long = [`${'b'.repeat(60)}.${'c'.repeat(60)}.dl`, `${'b'.repeat(60)}.dl`, `${'b'.repeat(20)}.dl`];
  return { text, owners, long };
}
