/**
 * Reads an incoming query, bounds-checked at every step (RFC 1035 §4.1). Pure. It keeps the raw
 * question bytes so the answer can copy them byte for byte (case included), and finds the EDNS
 * OPT record (RFC 6891 §6.1.1) in the additional section.
 * @module
 */
import { asciiLower, escapeLabel, MAX_NAME_WIRE_LENGTH } from './names.js';
import { RCODE } from './records.js';

export const HEADER_LENGTH = 12;
const OPT_TYPE = 41;
const T_IXFR = 251;

/** The question as it arrived. */
export interface WireQuestion {
  /** Name key (lowercase, escaped; names.ts). */
  readonly name: string;
  /** The name as sent, for logs ("WwW.suite.test"). */
  readonly display: string;
  readonly type: number;
  readonly class: number;
  /** The question's bytes (name, type, class), to copy into the answer. */
  readonly raw: Buffer;
  /** Offset (from the start of the message) of each label of the name, for compression pointers. */
  readonly labelOffsets: readonly number[];
}

/** The EDNS(0) OPT pseudo-record of a query (RFC 6891 §6.1.2). */
export interface Edns {
  readonly udpSize: number;
  readonly version: number;
  /** The DNSSEC OK bit. */
  readonly dnssecOk: boolean;
}

export type ParsedQuery =
  /** Nothing to answer: too short to carry an ID, or a response (answering would invite loops). */
  | { readonly kind: 'drop'; readonly reason: string }
  /** Answer with `rcode` and no data. */
  | {
      readonly kind: 'error';
      readonly id: number;
      readonly flags: number;
      readonly rcode: number;
      readonly reason: string;
      readonly question?: WireQuestion | undefined;
      readonly edns?: Edns | undefined;
    }
  /** A NOTIFY (RFC 1996): answered by the header alone. */
  | { readonly kind: 'notify'; readonly id: number; readonly flags: number; readonly question: WireQuestion }
  | {
      readonly kind: 'query';
      readonly id: number;
      readonly flags: number;
      readonly question: WireQuestion;
      readonly edns?: Edns | undefined;
    };

class Malformed extends Error {}

/** Reads a name at `offset`; returns the end offset. Compression is allowed only backwards (no loops). */
function skipName(buf: Buffer, offset: number): number {
  let jumps = 0;
  let end = -1;
  let at = offset;
  for (;;) {
    if (at >= buf.length) throw new Malformed('name runs past the end');
    const len = buf[at] as number;
    if (len === 0) return end < 0 ? at + 1 : end;
    if ((len & 0xc0) === 0xc0) {
      if (at + 1 >= buf.length) throw new Malformed('pointer runs past the end');
      const target = ((len & 0x3f) << 8) | (buf[at + 1] as number);
      if (end < 0) end = at + 2;
      if (target >= at || ++jumps > 64) throw new Malformed('bad compression pointer');
      at = target;
    } else if ((len & 0xc0) !== 0) throw new Malformed('bad label type');
    else at += len + 1;
  }
}

function readQuestion(buf: Buffer, start: number): WireQuestion {
  const labels: string[] = [];
  const labelOffsets: number[] = [];
  let at = start;
  for (;;) {
    if (at >= buf.length) throw new Malformed('question name runs past the end');
    const len = buf[at] as number;
    if (len === 0) break;
    // A pointer in the question could only point into the header.
    if (len > 63) throw new Malformed('bad label in question');
    if (at + 1 + len > buf.length) throw new Malformed('question label runs past the end');
    labelOffsets.push(at);
    labels.push(buf.toString('latin1', at + 1, at + 1 + len));
    at += len + 1;
  }
  if (at + 1 - start > MAX_NAME_WIRE_LENGTH) throw new Malformed('question name longer than 255 bytes');
  if (at + 5 > buf.length) throw new Malformed('question type/class missing');
  const type = buf.readUInt16BE(at + 1);
  const klass = buf.readUInt16BE(at + 3);
  const escaped = labels.map(escapeLabel);
  const display = escaped.join('.');
  return {
    name: asciiLower(display),
    display: display === '' ? '.' : display,
    type,
    class: klass,
    raw: buf.subarray(start, at + 5),
    labelOffsets,
  };
}

/** Skips one resource record; returns its end and, for OPT, the EDNS fields. */
function readRecord(buf: Buffer, offset: number): { end: number; opt?: Edns; optAtRoot?: boolean } {
  const nameEnd = skipName(buf, offset);
  if (nameEnd + 10 > buf.length) throw new Malformed('record header runs past the end');
  const type = buf.readUInt16BE(nameEnd);
  const rdlength = buf.readUInt16BE(nameEnd + 8);
  const end = nameEnd + 10 + rdlength;
  if (end > buf.length) throw new Malformed('record data runs past the end');
  if (type !== OPT_TYPE) return { end };
  const ttl = buf.readUInt32BE(nameEnd + 4);
  return {
    end,
    optAtRoot: nameEnd === offset + 1,
    opt: { udpSize: buf.readUInt16BE(nameEnd + 2), version: (ttl >>> 16) & 0xff, dnssecOk: (ttl & 0x8000) !== 0 },
  };
}

const RD = 0x0100;
const OPCODE_NOTIFY = 4;

/**
 * Parses one query message. Never throws. The checks run in NSD's order, and an error found
 * before the EDNS record was read is answered as NSD answers it: the header alone (no question,
 * no OPT), keeping only the RD flag and the opcode.
 */
export function parseQuery(buf: Buffer): ParsedQuery {
  if (buf.length < 2) return { kind: 'drop', reason: 'shorter than an ID' };
  const id = buf.readUInt16BE(0);
  if (buf.length < HEADER_LENGTH)
    return { kind: 'error', id, flags: 0, rcode: RCODE.FORMERR, reason: 'shorter than a header' };
  const flags = buf.readUInt16BE(2);
  if (flags & 0x8000) return { kind: 'drop', reason: 'a response, not a query' };
  const opcode = (flags >> 11) & 0xf;
  const qdcount = buf.readUInt16BE(4);
  const ancount = buf.readUInt16BE(6);
  const nscount = buf.readUInt16BE(8);
  const arcount = buf.readUInt16BE(10);
  const bare = (rcode: number, reason: string, keep = flags & (RD | 0x7800)) =>
    ({ kind: 'error', id, flags: keep, rcode, reason }) as const;
  // RFC 1035 §4.1.1: an opcode we do not implement is NOTIMP, whatever the sections hold.
  if (opcode !== 0 && opcode !== OPCODE_NOTIFY) return bare(RCODE.NOTIMP, `opcode ${opcode}`);
  let question: WireQuestion;
  try {
    // The first question is read whatever QDCOUNT says, as NSD does.
    question = readQuestion(buf, HEADER_LENGTH);
  } catch (err) {
    return bare(RCODE.FORMERR, err instanceof Malformed ? err.message : 'malformed question');
  }
  if (opcode === OPCODE_NOTIFY) return { kind: 'notify', id, flags, question };
  if (qdcount !== 1) {
    // RFC 7873 §5.4: a message with only an OPT (asking for a server cookie) gets NOERROR and our OPT.
    if (qdcount === 0 && ancount === 0 && nscount === 0 && arcount === 1) {
      try {
        const record = readRecord(buf, HEADER_LENGTH);
        if (record.opt && record.optAtRoot && record.opt.version === 0)
          return {
            kind: 'error',
            id,
            flags: flags & RD,
            rcode: RCODE.NOERROR,
            reason: 'no question',
            edns: record.opt,
          };
      } catch {
        // not an OPT: FORMERR below
      }
    }
    return bare(RCODE.FORMERR, `${qdcount} questions`, 0);
  }
  // Queries carry nothing in the answer and authority sections (an IXFR its SOA, RFC 1995 §3).
  if (ancount !== 0 || (nscount !== 0 && question.type !== T_IXFR))
    return bare(RCODE.FORMERR, 'records in the answer or authority section');
  let edns: Edns | undefined;
  try {
    let at = HEADER_LENGTH + question.raw.length;
    for (let i = 0; i < nscount; i++) at = readRecord(buf, at).end;
    let opts = 0;
    for (let i = 0; i < arcount; i++) {
      const record = readRecord(buf, at);
      at = record.end;
      if (!record.opt) continue;
      // RFC 6891 §6.1.1: more than one OPT is FORMERR; its owner must be the root.
      if (++opts > 1) return bare(RCODE.FORMERR, 'more than one OPT record');
      if (!record.optAtRoot) return bare(RCODE.FORMERR, 'OPT record not owned by the root');
      edns = record.opt;
    }
  } catch (err) {
    return bare(RCODE.FORMERR, err instanceof Malformed ? err.message : 'malformed');
  }
  // RFC 6891 §6.1.3: BADVERS, with the question, and an OPT of version 0 without DO (as NSD).
  if (edns && edns.version > 0)
    return {
      kind: 'error',
      id,
      flags,
      rcode: RCODE.BADVERS,
      reason: `EDNS version ${edns.version}`,
      question,
      edns: { ...edns, dnssecOk: false },
    };
  return { kind: 'query', id, flags, question, edns };
}
