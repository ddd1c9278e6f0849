/**
 * Reading resource records out of a received message (RFC 1035 §4.1.3), names decompressed
 * (RFC 1035 §4.1.4) wherever they appear, data turned into {@link ZoneRecord}s: what dynamic
 * updates (RFC 2136) and TSIG (RFC 8945) need. Bounds-checked; errors are {@link WireError}s.
 * @module
 */
import { asciiLower, escapeLabel, MAX_NAME_WIRE_LENGTH } from './names.js';
import { TYPE_CODES, type ZoneRecord } from './records.js';

export class WireError extends Error {}

/** A name at `offset`: its key and where the name ends in the message. */
export function readName(buf: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = offset;
  let end = -1;
  let jumps = 0;
  let length = 1;
  for (;;) {
    if (at >= buf.length) throw new WireError('name runs past the end');
    const len = buf[at] as number;
    if (len === 0) {
      if (end < 0) end = at + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (at + 1 >= buf.length) throw new WireError('pointer runs past the end');
      const target = ((len & 0x3f) << 8) | (buf[at + 1] as number);
      if (end < 0) end = at + 2;
      // Only backwards, and not forever (no loops).
      if (target >= at || ++jumps > 64) throw new WireError('bad compression pointer');
      at = target;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new WireError('bad label type');
    if (at + 1 + len > buf.length) throw new WireError('label runs past the end');
    length += len + 1;
    if (length > MAX_NAME_WIRE_LENGTH) throw new WireError('name longer than 255 bytes');
    labels.push(escapeLabel(buf.toString('latin1', at + 1, at + 1 + len)));
    at += len + 1;
  }
  return { name: asciiLower(labels.join('.')), end };
}

/** One record as it is on the wire, before it is turned into a zone record. */
export interface WireRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  /** Where the RDATA starts in the message, and its length. */
  readonly rdataAt: number;
  readonly rdlength: number;
  /** Where the record starts and ends in the message. */
  readonly start: number;
  readonly end: number;
}

export function readRecord(buf: Buffer, offset: number): WireRecord {
  const { name, end: nameEnd } = readName(buf, offset);
  if (nameEnd + 10 > buf.length) throw new WireError('record header runs past the end');
  const rdlength = buf.readUInt16BE(nameEnd + 8);
  const end = nameEnd + 10 + rdlength;
  if (end > buf.length) throw new WireError('record data runs past the end');
  return {
    name,
    type: buf.readUInt16BE(nameEnd),
    class: buf.readUInt16BE(nameEnd + 2),
    ttl: buf.readUInt32BE(nameEnd + 4),
    rdataAt: nameEnd + 10,
    rdlength,
    start: offset,
    end,
  };
}

/** Reads `count` records from `offset`. */
export function readRecords(buf: Buffer, offset: number, count: number): { records: WireRecord[]; end: number } {
  const records: WireRecord[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    const r = readRecord(buf, at);
    records.push(r);
    at = r.end;
  }
  return { records, end: at };
}

function ip(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':');
}

/** The record as a zone record; names in RDATA of the RFC 1035 types may be compressed (RFC 3597 §4). */
export function toZoneRecord(buf: Buffer, r: WireRecord): ZoneRecord {
  const at = r.rdataAt;
  const end = at + r.rdlength;
  const data = buf.subarray(at, end);
  const base = { name: r.name, ttl: r.ttl };
  const name = (offset: number) => {
    const n = readName(buf, offset);
    if (n.end > end) throw new WireError('name runs past the record data');
    return n;
  };
  const need = (n: number) => {
    if (r.rdlength < n) throw new WireError('record data too short for its type');
  };
  switch (r.type) {
    case TYPE_CODES.A:
      if (r.rdlength !== 4) throw new WireError('A data is not 4 bytes');
      return { ...base, type: 'A', data: ip(data) };
    case TYPE_CODES.AAAA:
      if (r.rdlength !== 16) throw new WireError('AAAA data is not 16 bytes');
      return { ...base, type: 'AAAA', data: ip(data) };
    case TYPE_CODES.NS:
    case TYPE_CODES.CNAME:
    case TYPE_CODES.PTR:
    case TYPE_CODES.DNAME: {
      const type =
        r.type === TYPE_CODES.NS
          ? 'NS'
          : r.type === TYPE_CODES.CNAME
            ? 'CNAME'
            : r.type === TYPE_CODES.PTR
              ? 'PTR'
              : 'DNAME';
      return { ...base, type, data: name(at).name };
    }
    case TYPE_CODES.MX:
      need(3);
      return { ...base, type: 'MX', data: { preference: data.readUInt16BE(0), exchange: name(at + 2).name } };
    case TYPE_CODES.SRV:
      need(7);
      return {
        ...base,
        type: 'SRV',
        data: {
          priority: data.readUInt16BE(0),
          weight: data.readUInt16BE(2),
          port: data.readUInt16BE(4),
          target: name(at + 6).name,
        },
      };
    case TYPE_CODES.SOA: {
      const mname = name(at);
      const rname = name(mname.end);
      if (rname.end + 20 !== end) throw new WireError('SOA data has the wrong length');
      const n = (i: number) => buf.readUInt32BE(rname.end + i * 4);
      return {
        ...base,
        type: 'SOA',
        data: {
          mname: mname.name,
          rname: rname.name,
          serial: n(0),
          refresh: n(1),
          retry: n(2),
          expire: n(3),
          minimum: n(4),
        },
      };
    }
    case TYPE_CODES.TXT:
    case TYPE_CODES.SPF: {
      const strings: Buffer[] = [];
      for (let i = 0; i < data.length; ) {
        const len = data[i] as number;
        if (i + 1 + len > data.length) throw new WireError('TXT string runs past the data');
        strings.push(Buffer.from(data.subarray(i + 1, i + 1 + len)));
        i += len + 1;
      }
      if (strings.length === 0) throw new WireError('TXT without a string');
      return { ...base, type: r.type === TYPE_CODES.TXT ? 'TXT' : 'SPF', data: strings };
    }
    case TYPE_CODES.CAA: {
      need(2);
      const tagLength = data[1] as number;
      if (2 + tagLength > data.length) throw new WireError('CAA tag runs past the data');
      return {
        ...base,
        type: 'CAA',
        data: {
          flags: data[0] as number,
          tag: data.toString('latin1', 2, 2 + tagLength),
          value: data.toString('utf8', 2 + tagLength),
        },
      };
    }
    default:
      return { ...base, type: 'OPAQUE', code: r.type, data: Buffer.from(data) };
  }
}
