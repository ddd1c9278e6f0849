/**
 * The record model shared by the zone-file parser, the zones and the wire encoder, plus type and
 * rcode tables. Types the answer logic needs to look inside (names it follows, the SOA's
 * numbers, ports read at query time) are structured; every other type is held as its RDATA
 * bytes (RFC 3597 §3: a server may treat data it does not interpret as opaque). RDATA is
 * encoded once per record and cached.
 * @module
 */
import dnsPacket from 'dns-packet';
import { nameToWire } from './names.js';

/** Types held structured (the answer logic reads them). */
export const STRUCTURED_TYPES = [
  'SOA',
  'NS',
  'A',
  'AAAA',
  'CNAME',
  'DNAME',
  'MX',
  'TXT',
  'SPF',
  'SRV',
  'PTR',
  'CAA',
] as const;
export type StructuredType = (typeof STRUCTURED_TYPES)[number];
/** A type a zone may name: a structured one, a mnemonic of {@link TYPE_CODES}, or `TYPE123` (RFC 3597 §5). */
export type ZoneType = string;

/** Type codes (RFC 1035 §3.2.2, RFC 3596, RFC 2782, RFC 4034, RFC 6672, RFC 6698, RFC 9460 ...). */
export const TYPE_CODES: Readonly<Record<string, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  MB: 7,
  MG: 8,
  MR: 9,
  NULL: 10,
  PTR: 12,
  HINFO: 13,
  MINFO: 14,
  MX: 15,
  TXT: 16,
  RP: 17,
  AFSDB: 18,
  X25: 19,
  ISDN: 20,
  RT: 21,
  SIG: 24,
  KEY: 25,
  PX: 26,
  AAAA: 28,
  LOC: 29,
  SRV: 33,
  NAPTR: 35,
  KX: 36,
  CERT: 37,
  DNAME: 39,
  OPT: 41,
  APL: 42,
  DS: 43,
  SSHFP: 44,
  IPSECKEY: 45,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  DHCID: 49,
  NSEC3: 50,
  NSEC3PARAM: 51,
  TLSA: 52,
  SMIMEA: 53,
  TALINK: 58,
  CDS: 59,
  CDNSKEY: 60,
  OPENPGPKEY: 61,
  CSYNC: 62,
  ZONEMD: 63,
  SVCB: 64,
  HTTPS: 65,
  SPF: 99,
  NID: 104,
  L32: 105,
  L64: 106,
  LP: 107,
  EUI48: 108,
  EUI64: 109,
  TKEY: 249,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
  URI: 256,
  CAA: 257,
  AVC: 258,
  DLV: 32769,
};

/** Numbers used in code (readability). */
export const T = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  DNAME: 39,
  OPT: 41,
  DS: 43,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

const TYPE_NAMES = new Map<number, string>(Object.entries(TYPE_CODES).map(([name, code]) => [code, name]));

/** "A", "AAAA", or "TYPE65280" for codes we do not name (RFC 3597 §5). */
export function typeName(code: number): string {
  return TYPE_NAMES.get(code) ?? `TYPE${code}`;
}

/** The code of "A"/"aaaa"/"TYPE99"; undefined when unknown. */
export function typeCode(name: string): number | undefined {
  const upper = name.toUpperCase();
  const known = TYPE_CODES[upper];
  if (known !== undefined) return known;
  const m = /^TYPE(\d{1,5})$/.exec(upper);
  return m && Number(m[1]) <= 65535 ? Number(m[1]) : undefined;
}

export const CLASS_IN = 1;
export const CLASS_NONE = 254;
export const CLASS_ANY = 255;

/** RCODEs (RFC 1035 §4.1.1, RFC 2136 §2.2, RFC 6891 §9 for BADVERS, which needs the OPT's extended bits). */
export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADVERS: 16,
} as const;
export type RcodeName = keyof typeof RCODE;

const RCODE_NAMES = new Map<number, string>(Object.entries(RCODE).map(([name, value]) => [value, name]));

/** "NOERROR", "BADVERS", or "RCODE23". */
export function rcodeName(code: number): string {
  return RCODE_NAMES.get(code) ?? `RCODE${code}`;
}

export interface MxData {
  readonly preference: number;
  readonly exchange: string;
}
export interface SrvData {
  readonly priority: number;
  readonly weight: number;
  /** A number, or a function read at query time (the built-in zone names the real ports of the run). */
  readonly port: number | (() => number);
  readonly target: string;
}
export interface SoaData {
  readonly mname: string;
  readonly rname: string;
  readonly serial: number;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly minimum: number;
}
export interface CaaData {
  readonly flags: number;
  readonly tag: string;
  readonly value: string;
}

interface Base {
  /** Owner, a name key (see names.ts): absolute, lowercase, no trailing dot. */
  readonly name: string;
  readonly ttl: number;
}
/** One resource record of a zone. Names inside structured data are keys too. */
export type ZoneRecord = Base &
  (
    | { readonly type: 'A' | 'AAAA'; readonly data: string }
    | { readonly type: 'NS' | 'CNAME' | 'DNAME' | 'PTR'; readonly data: string }
    | { readonly type: 'MX'; readonly data: MxData }
    | { readonly type: 'TXT' | 'SPF'; readonly data: readonly Buffer[] }
    | { readonly type: 'SRV'; readonly data: SrvData }
    | { readonly type: 'SOA'; readonly data: SoaData }
    | { readonly type: 'CAA'; readonly data: CaaData }
    /** Any other type: its code and its RDATA exactly as on the wire (RFC 3597). */
    | { readonly type: 'OPAQUE'; readonly code: number; readonly data: Buffer }
  );

export type SoaRecord = Extract<ZoneRecord, { type: 'SOA' }>;

/** The type code of a record. */
export function codeOf(record: ZoneRecord): number {
  return record.type === 'OPAQUE' ? record.code : (TYPE_CODES[record.type] as number);
}

/** The mnemonic of a record's type ("A", "DS", "TYPE65280"). */
export function typeOf(record: ZoneRecord): string {
  return record.type === 'OPAQUE' ? typeName(record.code) : record.type;
}

type RdataCodec = { encode(data: unknown): Buffer };
// dns-packet exports its per-type codecs as `record(type)`; @types/dns-packet does not declare it.
const codecFor = (dnsPacket as unknown as { record(type: string): RdataCodec }).record;

const rdataCache = new WeakMap<ZoneRecord, Buffer>();

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** RDATA alone (no RDLENGTH). Names are written by us (they may hold escaped dots), the rest by dns-packet. */
function rawRdata(record: ZoneRecord): Buffer {
  switch (record.type) {
    case 'NS':
    case 'CNAME':
    case 'DNAME':
    case 'PTR':
      return nameToWire(record.data);
    case 'MX':
      return Buffer.concat([u16(record.data.preference), nameToWire(record.data.exchange)]);
    case 'SRV': {
      const { priority, weight, port, target } = record.data;
      const p = typeof port === 'function' ? port() : port;
      return Buffer.concat([u16(priority), u16(weight), u16(p), nameToWire(target)]);
    }
    case 'SOA': {
      const d = record.data;
      return Buffer.concat([
        nameToWire(d.mname),
        nameToWire(d.rname),
        ...[d.serial, d.refresh, d.retry, d.expire, d.minimum].map(u32),
      ]);
    }
    case 'TXT':
    case 'SPF':
      return codecFor('TXT')
        .encode([...record.data])
        .subarray(2);
    case 'CAA':
      return codecFor('CAA')
        .encode({ ...record.data })
        .subarray(2);
    case 'A':
    case 'AAAA':
      return codecFor(record.type).encode(record.data).subarray(2);
    case 'OPAQUE':
      return record.data;
  }
}

/**
 * RDLENGTH + RDATA of a record. Names in RDATA are not compressed (always allowed, RFC 3597
 * §4). Static records are encoded once; an SRV with a port function every time.
 */
export function encodeRdata(record: ZoneRecord): Buffer {
  const cached = rdataCache.get(record);
  if (cached) return cached;
  const raw = rawRdata(record);
  const buf = Buffer.concat([u16(raw.length), raw]);
  if (isDynamic(record)) return buf;
  rdataCache.set(record, buf);
  return buf;
}

/** The RDATA bytes alone (for comparisons: RFC 2136 §1.1.1 compares RRs by their RDATA). */
export function rdataOf(record: ZoneRecord): Buffer {
  return encodeRdata(record).subarray(2);
}

/** True for records whose data is read at query time (an SRV with a port function): never cache their answers. */
export function isDynamic(record: ZoneRecord): boolean {
  return record.type === 'SRV' && typeof record.data.port === 'function';
}

/** The type an RRSIG covers (RFC 4034 §3.1.1); undefined for other records. */
export function coveredType(record: ZoneRecord): number | undefined {
  if (record.type !== 'OPAQUE' || record.code !== T.RRSIG || record.data.length < 2) return undefined;
  return record.data.readUInt16BE(0);
}
