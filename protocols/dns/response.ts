/**
 * Encodes an answer message (RFC 1035 §4.1) and fits it to a size limit while writing, RRset by
 * RRset, the way NSD does: an answer or authority RRset that does not fit is left out whole and
 * sets TC (RFC 2181 §9); over UDP an additional RRset that does not fit is left out and nothing
 * after it is tried; a referral that cannot carry its in-domain glue sets TC (RFC 9471 §3.1).
 * The question is copied byte for byte; names are compressed (RFC 1035 §4.1.4) in owners and in
 * the RDATA of the RFC 1035 types that allow it (RFC 3597 §4), which dns-packet does not do.
 * @module
 */
import { escapeLabel, isInZone, splitName } from './names.js';
import type { WireQuestion } from './query.js';
import { codeOf, coveredType, encodeRdata, T, type ZoneRecord } from './records.js';
import { readName } from './wire-records.js';

const FLAG_QR = 0x8000;
const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const OPCODE_MASK = 0x7800;
/** Opaque types whose RDATA is only names that RFC 3597 §4 lets us compress: MD, MF, MB, MG, MR, MINFO. */
const COMPRESSED_OPAQUE = new Set([3, 4, 7, 8, 9, 14]);
/** Compression pointers carry 14 bits of offset. */
const MAX_POINTER = 0x3fff;
/** OPT record without options: root, type, class, TTL, RDLENGTH (RFC 6891 §6.1.2). */
const OPT_BYTES = 11;
/** RFC 8914 §2: option code of an Extended DNS Error. */
const EDE_OPTION = 15;

export interface ResponseSpec {
  readonly id: number;
  /** The query's flags: opcode and RD are copied (RFC 1035 §4.1.1); CD is not, an authority checks nothing. */
  readonly queryFlags: number;
  /** Full rcode; values above 15 need `opt` (their upper bits go there, RFC 6891 §6.1.3). */
  readonly rcode: number;
  readonly aa: boolean;
  readonly tc?: boolean;
  readonly question?: WireQuestion | undefined;
  readonly answers: readonly ZoneRecord[];
  readonly authorities: readonly ZoneRecord[];
  readonly additionals: readonly ZoneRecord[];
  /** Our OPT record: present when the query had one (RFC 6891 §7); DO echoed (RFC 3225 §3). */
  readonly opt?:
    | {
        readonly udpSize: number;
        readonly dnssecOk?: boolean;
        readonly ede?: number;
        /** The EDE's EXTRA-TEXT (RFC 8914 §2), UTF-8. */
        readonly edeText?: string;
      }
    | undefined;
  /** For a referral: the cut, whose in-domain glue must fit or TC is set (RFC 9471). */
  readonly cut?: string | undefined;
  /** The class of every record written; default IN (1); CH (3) for chaos.ts's answers. */
  readonly recordClass?: number | undefined;
}

export interface Fitted {
  readonly message: Buffer;
  readonly truncated: boolean;
  /** Answer records that made it. */
  readonly answers: number;
}

/** Labels of names we write often (zone names), bounded so names from the wire cannot grow it. */
const LABEL_CACHE_LIMIT = 10_000;
const labelCache = new Map<string, { labels: Buffer[]; suffixes: string[] }>();

function labelsOf(key: string): { labels: Buffer[]; suffixes: string[] } {
  let entry = labelCache.get(key);
  if (!entry) {
    const raw = splitName(key);
    entry = {
      labels: raw.map((l) => Buffer.from(l, 'latin1')),
      suffixes: raw.map((_, i) => (i === 0 ? key : raw.slice(i).map(escapeLabel).join('.'))),
    };
    if (labelCache.size >= LABEL_CACHE_LIMIT) labelCache.clear();
    labelCache.set(key, entry);
  }
  return entry;
}

/** One scratch buffer for every answer (encoding is synchronous); the result is copied out of it. */
let scratch = Buffer.allocUnsafe(16 * 1024);

class Writer {
  buf = scratch;
  at = 0;
  names = new Map<string, number>();
  recordClass = 1;
  /** Suffixes in the order they were registered, to forget those past a rewind mark. */
  order: string[] = [];
  ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
    scratch = bigger;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.at);
    this.at += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.at);
    this.at += 4;
  }
  bytes(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.at);
    this.at += b.length;
  }
  register(suffix: string, offset: number): void {
    if (offset > MAX_POINTER || this.names.has(suffix)) return;
    this.names.set(suffix, offset);
    this.order.push(suffix);
  }
  /** Goes back to `mark`, forgetting names written after it. */
  rewind(mark: number): void {
    this.at = mark;
    while (this.order.length > 0) {
      const last = this.order[this.order.length - 1] as string;
      if ((this.names.get(last) as number) < mark) break;
      this.names.delete(last);
      this.order.pop();
    }
  }
  /** Writes a name key, compressed against every name written so far. */
  name(key: string): void {
    const whole = this.names.get(key);
    if (whole !== undefined) {
      this.u16(0xc000 | whole);
      return;
    }
    const { labels, suffixes } = labelsOf(key);
    for (let i = 0; i < labels.length; i++) {
      const suffix = suffixes[i] as string;
      const pointer = i === 0 ? undefined : this.names.get(suffix);
      if (pointer !== undefined) {
        this.u16(0xc000 | pointer);
        return;
      }
      this.register(suffix, this.at);
      const label = labels[i] as Buffer;
      this.ensure(label.length + 1);
      this.buf[this.at++] = label.length;
      this.bytes(label);
    }
    this.ensure(1);
    this.buf[this.at++] = 0;
  }
  /** RDATA with its names compressed, for the RFC 1035 types NSD compresses too (RFC 3597 §4). */
  rdata(r: ZoneRecord): void {
    const start = this.at;
    this.u16(0);
    switch (r.type) {
      case 'NS':
      case 'CNAME':
      case 'PTR':
        this.name(r.data);
        break;
      case 'MX':
        this.u16(r.data.preference);
        this.name(r.data.exchange);
        break;
      case 'SOA': {
        const d = r.data;
        this.name(d.mname);
        this.name(d.rname);
        for (const n of [d.serial, d.refresh, d.retry, d.expire, d.minimum]) this.u32(n);
        break;
      }
      case 'OPAQUE':
        if (COMPRESSED_OPAQUE.has(r.code)) {
          // RFC 1035's mailbox types (MD, MF, MB, MG, MR, MINFO): their names compress, as NSD writes them.
          for (let at = 0; at < r.data.length; ) {
            const { name, end } = readName(r.data, at);
            this.name(name);
            at = end;
          }
          break;
        }
        this.at = start;
        this.bytes(encodeRdata(r));
        return;
      default:
        this.at = start;
        this.bytes(encodeRdata(r));
        return;
    }
    this.buf.writeUInt16BE(this.at - start - 2, start);
  }
  record(r: ZoneRecord): void {
    this.name(r.name);
    this.u16(codeOf(r));
    this.u16(this.recordClass);
    this.u32(r.ttl);
    this.rdata(r);
  }
}

/** Remembers the question's name suffixes so owners can point at them. */
function registerQuestion(w: Writer, q: WireQuestion, start: number): void {
  const first = q.labelOffsets[0];
  if (first === undefined) return;
  const keyLabels = splitName(q.name);
  for (let i = 0; i < q.labelOffsets.length; i++) {
    const suffix = keyLabels.slice(i).map(escapeLabel).join('.');
    w.register(suffix, start + (q.labelOffsets[i] as number) - first);
  }
}

/** Splits a section into RRsets: same owner and type, with the RRSIGs over that type that follow. */
export function rrsetsOf(records: readonly ZoneRecord[]): ZoneRecord[][] {
  const out: ZoneRecord[][] = [];
  let current: ZoneRecord[] = [];
  let type = -1;
  for (const r of records) {
    const first = current[0];
    const code = codeOf(r);
    const joins =
      first !== undefined && r.name === first.name && (code === type || (code === T.RRSIG && coveredType(r) === type));
    if (!joins) {
      if (current.length > 0) out.push(current);
      current = [];
      type = code;
    }
    current.push(r);
  }
  if (current.length > 0) out.push(current);
  return out;
}

interface FitOptions {
  /** Largest message; default 65535. */
  readonly limit?: number;
  /** UDP: additional RRsets go whole or not at all, and stop at the first that does not fit. */
  readonly udp?: boolean;
}

/** The message bytes, fitted to `limit`. */
export function encodeResponse(spec: ResponseSpec, options: FitOptions = {}): Fitted {
  const edeText = Buffer.from(spec.opt?.edeText ?? '', 'utf8');
  const edeBytes = spec.opt?.ede !== undefined ? 6 + edeText.length : 0;
  const limit = (options.limit ?? 65_535) - (spec.opt ? OPT_BYTES + edeBytes : 0);
  const w = new Writer();
  w.recordClass = spec.recordClass ?? 1;
  let flags = FLAG_QR | (spec.queryFlags & (OPCODE_MASK | FLAG_RD)) | (spec.rcode & 0xf);
  if (spec.aa) flags |= FLAG_AA;
  let tc = spec.tc === true;
  w.u16(spec.id);
  w.u16(0);
  w.u16(spec.question ? 1 : 0);
  w.u32(0);
  w.u16(0);
  if (spec.question) {
    registerQuestion(w, spec.question, w.at);
    w.bytes(spec.question.raw);
  }
  const counts = [0, 0, 0];
  const sections = [spec.answers, spec.authorities, spec.additionals];
  let glueMissing = false;
  for (let s = 0; s < 3 && !tc; s++) {
    const rrsets = rrsetsOf(sections[s] as ZoneRecord[]);
    for (let k = 0; k < rrsets.length; k++) {
      const rrset = rrsets[k] as ZoneRecord[];
      const mark = w.at;
      let written = 0;
      for (const r of rrset) {
        const before = w.at;
        w.record(r);
        if (w.at > limit) {
          w.rewind(before);
          break;
        }
        written++;
      }
      if (written === rrset.length) {
        (counts[s] as number) += written;
        continue;
      }
      if (s < 2) {
        // RFC 2181 §9: an RRset that must be whole and is not: leave it out, say TC, stop.
        w.rewind(mark);
        tc = true;
        break;
      }
      const inDomain = (set: ZoneRecord[]) => spec.cut !== undefined && isInZone((set[0] as ZoneRecord).name, spec.cut);
      if (options.udp) {
        // Over UDP additional data goes whole or not at all, and nothing after it is tried.
        w.rewind(mark);
        if (rrsets.slice(k).some(inDomain)) glueMissing = true;
        break;
      }
      if (inDomain(rrset)) glueMissing = true;
      (counts[s] as number) += written;
    }
  }
  // RFC 9471 §3.1: in-domain glue that does not fit makes the referral incomplete.
  if (glueMissing) tc = true;
  if (tc) flags |= FLAG_TC;
  w.buf.writeUInt16BE(flags, 2);
  w.buf.writeUInt16BE(counts[0] as number, 6);
  w.buf.writeUInt16BE(counts[1] as number, 8);
  w.buf.writeUInt16BE((counts[2] as number) + (spec.opt ? 1 : 0), 10);
  if (spec.opt) {
    // RFC 6891 §6.1.2-6.1.3: root owner, CLASS = our UDP payload size, TTL = extended rcode | version | DO.
    w.ensure(1);
    w.buf[w.at++] = 0;
    w.u16(T.OPT);
    w.u16(spec.opt.udpSize);
    w.u32((((spec.rcode >> 4) & 0xff) << 24) | (spec.opt.dnssecOk ? 0x8000 : 0));
    if (spec.opt.ede !== undefined) {
      // RFC 8914 §2: INFO-CODE, then EXTRA-TEXT when there is one.
      w.u16(edeBytes);
      w.u16(EDE_OPTION);
      w.u16(edeBytes - 4);
      w.u16(spec.opt.ede);
      w.bytes(edeText);
    } else w.u16(0);
  }
  return { message: Buffer.from(w.buf.subarray(0, w.at)), truncated: tc, answers: counts[0] as number };
}
