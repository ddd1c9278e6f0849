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

/** Parses one query message. Never throws. */
export function parseQuery(buf: Buffer): ParsedQuery {
  if (buf.length < 2) return { kind: 'drop', reason: 'shorter than an ID' };
  const id = buf.readUInt16BE(0);
  if (buf.length < HEADER_LENGTH)
    return { kind: 'error', id, flags: 0, rcode: RCODE.FORMERR, reason: 'shorter than a header' };
  const flags = buf.readUInt16BE(2);
  if (flags & 0x8000) return { kind: 'drop', reason: 'a response, not a query' };
  const opcode = (flags >> 11) & 0xf;
  const qdcount = buf.readUInt16BE(4);
  const otherCounts = [buf.readUInt16BE(6), buf.readUInt16BE(8)];
  const arcount = buf.readUInt16BE(10);
  let question: WireQuestion | undefined;
  let edns: Edns | undefined;
  try {
    if (qdcount === 1) question = readQuestion(buf, HEADER_LENGTH);
  } catch {
    question = undefined;
  }
  // RFC 1035 §4.1.1: an opcode we do not implement is NOTIMP, whatever the sections hold.
  if (opcode !== 0) return { kind: 'error', id, flags, rcode: RCODE.NOTIMP, reason: `opcode ${opcode}`, question };
  const formerr = (reason: string) =>
    ({ kind: 'error', id, flags, rcode: RCODE.FORMERR, reason, question, edns }) as const;
  if (qdcount !== 1) return formerr(`${qdcount} questions`);
  if (!question) return formerr('malformed question');
  try {
    let at = HEADER_LENGTH + question.raw.length;
    for (const count of otherCounts) for (let i = 0; i < count; i++) at = readRecord(buf, at).end;
    let opts = 0;
    for (let i = 0; i < arcount; i++) {
      const record = readRecord(buf, at);
      at = record.end;
      if (!record.opt) continue;
      // RFC 6891 §6.1.1: more than one OPT is FORMERR; its owner must be the root.
      if (++opts > 1) return formerr('more than one OPT record');
      if (!record.optAtRoot) return formerr('OPT record not owned by the root');
      edns = record.opt;
    }
  } catch (err) {
    return formerr(err instanceof Malformed ? err.message : 'malformed');
  }
  if (question.type === OPT_TYPE) return formerr('OPT as a question type');
  if (edns && edns.version > 0)
    return { kind: 'error', id, flags, rcode: RCODE.BADVERS, reason: `EDNS version ${edns.version}`, question, edns };
  return { kind: 'query', id, flags, question, edns };
}
