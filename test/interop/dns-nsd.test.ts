/**
 * Differential test against NSD (Debian package `nsd`): both serve the same zone files, the
 * same queries go to both (every owner × many types, mixed case, with and without EDNS, DO set,
 * UDP and TCP, QCLASS ANY), and compare.py compares the answers section by section, normalising
 * only what the RFCs leave open (each normalisation is commented there).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsServer } from '../../protocols/dns/server.js';
import { zoneFromText } from '../../protocols/dns/zone-file.js';
import { freeUdpTcpPort } from '../helpers/free-port.js';
import { nsdConf } from '../helpers/nsd-conf.js';
import {
  EDGE,
  edgeZone,
  FORMS,
  FORMS_INCLUDE,
  formsZone,
  PARENT,
  parentZone,
  SIGNED,
  signedZone,
} from './nsd/zones.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const PYTHON = '/usr/bin/python3';

/** One SOA query over UDP; resolves with the answer's rcode, or undefined when none came back. */
function answers(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const q = Buffer.from('123400000001000000000000076578616d706c6504746573740000060001', 'hex');
    const timer = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, 1000);
    s.on('message', (m: Buffer) => {
      clearTimeout(timer);
      s.close();
      resolve((m[3] as number) & 0xf);
    });
    s.send(q, port, '127.0.0.1');
  });
}

const TYPES = [
  'A',
  'AAAA',
  'NS',
  'SOA',
  'MX',
  'TXT',
  'CNAME',
  'DNAME',
  'DS',
  'DNSKEY',
  'RRSIG',
  'NSEC',
  'HINFO',
  'SRV',
  'NAPTR',
  'SSHFP',
  'TLSA',
  'SPF',
  'SVCB',
  'HTTPS',
  'CAA',
  'TYPE65280',
  'ANY',
  'PTR',
  'LOC',
];

/** The types of the forms zone that {@link TYPES} leaves out. */
const FORMS_TYPES = [
  'RP',
  'AFSDB',
  'KX',
  'RT',
  'MINFO',
  'MB',
  'X25',
  'ISDN',
  'PX',
  'URI',
  'EUI48',
  'EUI64',
  'NID',
  'L32',
  'L64',
  'LP',
  'NSEC3PARAM',
  'NSEC3',
  'OPENPGPKEY',
  'DHCID',
  'CERT',
  'IPSECKEY',
  'CSYNC',
  'ZONEMD',
];

interface Query {
  name: string;
  type: string;
  class?: string;
  edns?: boolean;
  do?: boolean;
  payload?: number;
  tcp?: boolean;
  nord?: boolean;
  /** Header and EDNS tweaks compare.py makes (see there). */
  opcode?: number;
  qdcount?: number;
  flags?: string[];
  ednsVersion?: number;
  ednsOptions?: [number, string][];
}

/** Alternates letter case (RFC 4343: answers must not care), leaving escapes alone. */
function mixCase(name: string): string {
  let upper = false;
  return name.replace(/\\\d{3}|\\.|[a-z]/g, (m) => {
    if (m.length > 1) return m;
    upper = !upper;
    return upper ? m.toUpperCase() : m;
  });
}

/** Every owner × every type, in turn through the transport/EDNS variants; then a full matrix for a few. */
function queries(): Query[] {
  const variants: Omit<Query, 'name' | 'type'>[] = [
    { edns: true },
    { edns: true, do: true },
    {},
    { edns: true, tcp: true },
    { edns: true, do: true, tcp: true },
    { edns: true, payload: 512 },
    { nord: true, edns: true, payload: 4096 },
  ];
  const out: Query[] = [];
  let n = 0;
  const zones: [string, string[]][] = [
    [PARENT, parentZone().owners],
    [SIGNED, signedZone().owners],
  ];
  // The edge zone: each owner with the types its rules need, through the variants.
  const edge = edgeZone();
  for (const owner of edge.owners) {
    const name = owner === '@' ? `${EDGE}.` : `${owner}.${EDGE}.`;
    for (const type of ['A', 'AAAA', 'TXT', 'MX', 'NS', 'SOA', 'DS', 'CNAME', 'DNAME', 'ANY', 'PTR', 'SRV', 'RP']) {
      const variant = variants[n % variants.length] as Query;
      out.push({ ...variant, name: n++ % 3 === 0 ? mixCase(name) : name, type });
    }
  }
  for (const owner of edge.long)
    for (const type of ['A', 'CNAME', 'DNAME'])
      for (const edns of [false, true]) out.push({ name: `${owner}.${EDGE}.`, type, edns });
  for (const payload of [512, 513, 600])
    for (const owner of ['deleg', 'x.wns', '@'])
      out.push({ name: owner === '@' ? `${EDGE}.` : `${owner}.${EDGE}.`, type: 'NS', edns: true, payload });
  // The forms zone: each owner with every type (its own among them), over UDP with EDNS.
  for (const owner of formsZone().owners) {
    const name = owner === '@' ? `${FORMS}.` : `${owner}.${FORMS}.`;
    for (const type of [...TYPES, ...FORMS_TYPES])
      out.push({ name: n++ % 3 === 0 ? mixCase(name) : name, type, edns: true });
  }
  for (const [apex, owners] of zones)
    for (const owner of owners) {
      const name = owner === '@' ? `${apex}.` : `${owner}.${apex}.`;
      for (const type of TYPES) {
        const variant = variants[n % variants.length] as Query;
        out.push({ ...variant, name: n % 3 === 0 ? mixCase(name) : name, type });
        n++;
      }
    }
  // Every variant for the names whose answers depend most on size and DNSSEC.
  for (const name of ['bigtxt', 'many', 'big', 'child', 'x.big', 'tochild', 'www.old', 'c1', 'anything.wild'])
    for (const variant of variants)
      for (const type of ['A', 'TXT', 'NS', 'DS']) out.push({ ...variant, name: `${name}.${PARENT}.`, type });
  for (const name of ['www', 'nothing', 'x.wild', 'alias', 'ent', 'sub', 'secure', '@'])
    for (const type of ['A', 'MX', 'DS', 'NSEC', 'ANY', 'TXT'])
      for (const tcp of [false, true])
        out.push({ name: name === '@' ? `${SIGNED}.` : `${name}.${SIGNED}.`, type, edns: true, do: true, tcp });
  // RFC 1034 §3.7.1: QCLASS ANY (answers not authoritative), and names outside both zones.
  for (const name of ['www', '@', 'nonexistent', 'child', 'c1', 'anything.wild'])
    out.push({ name: name === '@' ? `${PARENT}.` : `${name}.${PARENT}.`, type: 'A', class: 'ANY', edns: true });
  for (const name of ['example.net.', 'test.', 'elsewhere.test.']) out.push({ name, type: 'A', edns: true });
  out.push(...protocolQueries());
  return out;
}

/**
 * Messages that test the header and EDNS rules rather than the zone: other opcodes, question
 * counts that are not 1, EDNS versions and options, other classes (CH's id.server, which both
 * answer with the host name), transfers asked the wrong way, and meta types as questions.
 */
function protocolQueries(): Query[] {
  const www = `www.${PARENT}.`;
  const apex = `${PARENT}.`;
  const out: Query[] = [];
  for (const edns of [false, true]) {
    for (const opcode of [1, 2, 3, 4, 6, 15]) out.push({ name: www, type: 'A', opcode, edns });
    out.push({ name: apex, type: 'SOA', opcode: 4, edns }, { name: `${SIGNED}.`, type: 'SOA', opcode: 4, edns });
    for (const qdcount of [0, 2]) out.push({ name: www, type: 'A', qdcount, edns });
    for (const klass of ['CH', 'HS', 'NONE'])
      for (const name of ['id.server.', 'hostname.bind.', 'version.bind.', 'version.server.', apex])
        for (const type of ['TXT', 'ANY', 'A']) out.push({ name, type, class: klass, edns });
    for (const tcp of [false, true])
      for (const name of [apex, www, `${SIGNED}.`, 'example.net.'])
        for (const type of ['AXFR', 'IXFR']) out.push({ name, type, edns, tcp });
    for (const type of ['OPT', 'TSIG', 'TKEY', 'MAILA', 'MAILB', 'TYPE0', 'TYPE65535'])
      out.push({ name: apex, type, edns });
    for (const flags of [['CD'], ['AD'], ['AA', 'TC']]) out.push({ name: www, type: 'A', flags, edns });
  }
  out.push({ name: www, type: 'A', edns: true, qdcount: 0, ednsOptions: [[10, '0102030405060708']] });
  for (const ednsVersion of [1, 255])
    for (const dnssec of [false, true]) out.push({ name: www, type: 'A', edns: true, ednsVersion, do: dnssec });
  for (const ednsOptions of [[[10, '0102030405060708']], [[65001, 'abcd']], [[3, '']], [[8, '00011800c0000200']]])
    out.push({ name: www, type: 'A', edns: true, ednsOptions } as Query);
  return out;
}

interface Report {
  queries: number;
  diffs: { query: Query; fields: string[] }[];
  /** What NSD's answers showed, by kind: rcodes, TC, AA, referral, nodata, RRSIG, NSEC, DNAME, glue. */
  seen: Record<string, number>;
}

/** Runs compare.py: the same queries to both ports. */
function compare(a: number, b: number, list: Query[]): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      PYTHON,
      [path.join(here, 'nsd', 'compare.py')],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`compare.py failed: ${stderr}`));
        else resolve(JSON.parse(stdout) as Report);
      },
    );
    child.stdin?.end(JSON.stringify({ a, b, queries: list }));
  });
}

let dir: string;
let nsd: ChildProcess | undefined;
let nsdPort: number;
let ours: DnsServer;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'minisuite-nsd-'));
  const parent = parentZone().text;
  const child = signedZone().text;
  const forms = formsZone();
  await fs.writeFile(path.join(dir, 'parent.zone'), parent);
  await fs.writeFile(path.join(dir, 'signed.zone'), child);
  await fs.writeFile(path.join(dir, 'forms.zone'), forms.text);
  await fs.writeFile(path.join(dir, FORMS_INCLUDE), forms.include);
  const edge = edgeZone().text;
  await fs.writeFile(path.join(dir, 'edge.zone'), edge);
  nsdPort = await freeUdpTcpPort();
  // NSD as the reference: minimal responses (additional data only for glue), no response rate
  // limiting (hundreds of queries from one address), no ANY refusal, its own files only.
  const conf = nsdConf({
    dir,
    port: nsdPort,
    zones: { [PARENT]: 'parent.zone', [SIGNED]: 'signed.zone', [FORMS]: 'forms.zone', [EDGE]: 'edge.zone' },
    server: ['minimal-responses: yes', 'refuse-any: no', 'hide-version: yes', 'ipv4-edns-size: 1232', 'verbosity: 1'],
  });
  await fs.writeFile(path.join(dir, 'nsd.conf'), conf);
  nsd = spawn('nsd', ['-d', '-c', path.join(dir, 'nsd.conf')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let nsdOutput = '';
  nsd.stdout?.on('data', (c) => (nsdOutput += c));
  nsd.stderr?.on('data', (c) => (nsdOutput += c));
  // Ready when it answers (it loads the zones first); give up if it exits.
  let exited = false;
  nsd.once('exit', () => (exited = true));
  const log = () => fs.readFile(path.join(dir, 'nsd.log'), 'utf8').catch(() => '');
  for (;;) {
    const rcode = await answers(nsdPort);
    if (rcode === 0) break;
    // SERVFAIL: NSD did not load the zone (its log says why).
    if (rcode !== undefined) throw new Error(`nsd answers rcode ${rcode}: ${nsdOutput}${await log()}`);
    if (exited) throw new Error(`nsd exited: ${nsdOutput}${await log()}`);
  }
  const zones = [
    zoneFromText(parent, { file: 'parent.zone' }),
    zoneFromText(child, { file: 'signed.zone' }),
    // $INCLUDE is read beside the including file, where NSD (in its zonesdir) reads it too.
    zoneFromText(forms.text, { file: path.join(dir, 'forms.zone') }),
    zoneFromText(edge, { file: 'edge.zone' }),
  ];
  ours = new DnsServer({ zones: () => zones, port: 0 });
  await ours.listen();
}, 60_000);

afterAll(async () => {
  await ours?.close({ graceMs: 0 });
  if (nsd?.pid !== undefined && nsd.exitCode === null) {
    const gone = once(nsd, 'exit');
    process.kill(nsd.pid, 'SIGTERM');
    await gone;
  }
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('minisuite dns answers as NSD does', () => {
  it('gives the same answer to every query, section by section', async () => {
    const list = queries();
    expect(list.length).toBeGreaterThan(500);
    const report = await compare(nsdPort, ours.port, list);
    expect(report.queries).toBe(list.length);
    if (report.diffs.length > 0)
      await fs.writeFile(path.join(os.tmpdir(), 'minisuite-nsd-diffs.json'), JSON.stringify(report.diffs, null, 1));
    expect(report.diffs.slice(0, 5)).toEqual([]);
    expect(report.diffs).toHaveLength(0);
    // The queries reached every rule: name errors, referrals with glue, truncation, DNSSEC, DNAME, QCLASS ANY.
    for (const kind of [
      'NOERROR',
      'NXDOMAIN',
      'REFUSED',
      'TC',
      'referral',
      'nodata',
      'RRSIG',
      'NSEC',
      'DNAME',
      'glue',
      'FORMERR',
      'NOTIMP',
      'NOTAUTH',
      'BADVERS',
      'YXDOMAIN',
    ])
      expect(report.seen[kind] ?? 0, kind).toBeGreaterThan(0);
    console.log(`compared ${report.queries} queries with NSD: ${JSON.stringify(report.seen)}`);
    expect(report.seen.NOERROR).toBeGreaterThan((report.seen.AA ?? 0) / 2);
  }, 600_000);

  it('the comparison sees a difference when there is one', async () => {
    const altered = parentZone()
      .text.replace('www A 192.0.2.81\n', 'www A 192.0.2.82\n')
      .replace('mail A 192.0.2.25', 'mail 60 A 192.0.2.25');
    const zones = [zoneFromText(altered, { file: 'altered.zone' })];
    const other = new DnsServer({ zones: () => zones, port: 0 });
    await other.listen();
    try {
      const report = await compare(nsdPort, other.port, [
        { name: `www.${PARENT}.`, type: 'A', edns: true },
        { name: `mail.${PARENT}.`, type: 'A' },
        { name: `ns1.${PARENT}.`, type: 'A' },
      ]);
      expect(report.diffs.map((d) => [d.query.name, d.fields])).toEqual([
        [`www.${PARENT}.`, ['answer']],
        [`mail.${PARENT}.`, ['answer']],
      ]);
    } finally {
      await other.close({ graceMs: 0 });
    }
  }, 600_000);
});
