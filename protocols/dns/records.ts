/**
 * The record model shared by the zone-file parser, the zones and the wire encoder, plus type and
 * rcode tables. RDATA is encoded once per record with dns-packet's per-type encoders and cached.
 * @module
 */
import dnsPacket from 'dns-packet';

/** Record types a zone may hold (the list). */
export const ZONE_TYPES = ['SOA', 'NS', 'A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'PTR', 'CAA'] as const;
export type ZoneType = (typeof ZONE_TYPES)[number];

/** Type codes (RFC 1035 §3.2.2, RFC 3596, RFC 2782, RFC 6891, RFC 8659) and the query-only ones. */
export const TYPE_CODES: Readonly<Record<string, number>> = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  NAPTR: 35,
  DS: 43,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  OPT: 41,
  TLSA: 52,
  HTTPS: 65,
  SVCB: 64,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
  CAA: 257,
};

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
export const CLASS_ANY = 255;

/** RCODEs (RFC 1035 §4.1.1, RFC 6891 §9 for BADVERS, which needs the OPT's extended bits). */
export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16,
} as const;
export type RcodeName = keyof typeof RCODE;

/** "NOERROR", "BADVERS", or "RCODE23". */
const RCODE_NAMES = new Map<number, string>(Object.entries(RCODE).map(([name, value]) => [value, name]));

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
/** One resource record of a zone. Names inside data are keys too. */
export type ZoneRecord = Base &
  (
    | { readonly type: 'A' | 'AAAA'; readonly data: string }
    | { readonly type: 'NS' | 'CNAME' | 'PTR'; readonly data: string }
    | { readonly type: 'MX'; readonly data: MxData }
    | { readonly type: 'TXT'; readonly data: readonly Buffer[] }
    | { readonly type: 'SRV'; readonly data: SrvData }
    | { readonly type: 'SOA'; readonly data: SoaData }
    | { readonly type: 'CAA'; readonly data: CaaData }
  );

export type SoaRecord = Extract<ZoneRecord, { type: 'SOA' }>;

type RdataCodec = { encode(data: unknown): Buffer };
// dns-packet exports its per-type codecs as `record(type)`; @types/dns-packet does not declare it.
const codecFor = (dnsPacket as unknown as { record(type: string): RdataCodec }).record;

const rdataCache = new WeakMap<ZoneRecord, Buffer>();

/**
 * RDLENGTH + RDATA of a record, via dns-packet. Names in RDATA are not compressed (always allowed,
 * RFC 3597 §4). Static records are encoded once; an SRV with a port function every time.
 */
export function encodeRdata(record: ZoneRecord): Buffer {
  const cached = rdataCache.get(record);
  if (cached) return cached;
  const codec = codecFor(record.type);
  let buf: Buffer;
  switch (record.type) {
    case 'SRV': {
      const { port, ...rest } = record.data;
      buf = codec.encode({ ...rest, port: typeof port === 'function' ? port() : port });
      if (isDynamic(record)) return buf;
      break;
    }
    case 'TXT':
      buf = codec.encode([...record.data]);
      break;
    case 'CAA':
      buf = codec.encode({ ...record.data });
      break;
    default:
      buf = codec.encode(record.data);
  }
  rdataCache.set(record, buf);
  return buf;
}

/** True for records whose data is read at query time (an SRV with a port function): never cache their answers. */
export function isDynamic(record: ZoneRecord): boolean {
  return record.type === 'SRV' && typeof record.data.port === 'function';
}

/** Names a record's data points at that deserve additional A/AAAA (RFC 1035 §3.3.9/§3.3.11, RFC 2782). */
export function targetOf(record: ZoneRecord): string | undefined {
  switch (record.type) {
    case 'MX':
      return record.data.exchange;
    case 'NS':
      return record.data;
    case 'SRV':
      return record.data.target;
    default:
      return undefined;
  }
}
