/**
 * Encodes an answer message (RFC 1035 §4.1). The question is copied byte for byte from the query;
 * owner names are compressed (RFC 1035 §4.1.4) against the question and earlier owners, which
 * dns-packet does not do; RDATA comes from dns-packet's per-type encoders (records.ts).
 * @module
 */
import { escapeLabel, splitName } from './names.js';
import type { WireQuestion } from './query.js';
import { encodeRdata, TYPE_CODES, type ZoneRecord } from './records.js';

const FLAG_QR = 0x8000;
const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const FLAG_CD = 0x0010;
const OPCODE_MASK = 0x7800;
/** Compression pointers carry 14 bits of offset. */
const MAX_POINTER = 0x3fff;

export interface ResponseSpec {
  readonly id: number;
  /** The query's flags: opcode, RD and CD are copied (RFC 1035 §4.1.1, RFC 6840 §5.9). */
  readonly queryFlags: number;
  /** Full rcode; values above 15 need `opt` (their upper bits go there, RFC 6891 §6.1.3). */
  readonly rcode: number;
  readonly aa: boolean;
  readonly tc?: boolean;
  readonly question?: WireQuestion | undefined;
  readonly answers: readonly ZoneRecord[];
  readonly authorities: readonly ZoneRecord[];
  readonly additionals: readonly ZoneRecord[];
  /** Our OPT record: present when the query had one (RFC 6891 §7). */
  readonly opt?: { readonly udpSize: number } | undefined;
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
  /** Writes a name key, compressed against every name written so far. */
  name(key: string): void {
    // The usual owner is the question name itself: one pointer, no splitting.
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
      if (this.at <= MAX_POINTER) this.names.set(suffix, this.at);
      const label = labels[i] as Buffer;
      this.ensure(label.length + 1);
      this.buf[this.at++] = label.length;
      this.bytes(label);
    }
    this.ensure(1);
    this.buf[this.at++] = 0;
  }
  record(r: ZoneRecord): void {
    this.name(r.name);
    this.u16(TYPE_CODES[r.type] as number);
    this.u16(1); // class IN
    this.u32(r.ttl);
    this.bytes(encodeRdata(r));
  }
}

/** Remembers the question's name suffixes so owners can point at them. */
function registerQuestion(w: Writer, q: WireQuestion, start: number): void {
  const first = q.labelOffsets[0];
  if (first === undefined) return;
  if (!q.name.includes('\\')) {
    // Plain names: each suffix starts after a dot.
    let from = 0;
    for (let i = 0; i < q.labelOffsets.length; i++) {
      const suffix = from === 0 ? q.name : q.name.slice(from);
      if (!w.names.has(suffix)) w.names.set(suffix, start + (q.labelOffsets[i] as number) - first);
      from = q.name.indexOf('.', from) + 1;
    }
    return;
  }
  const keyLabels = splitName(q.name);
  for (let i = 0; i < q.labelOffsets.length; i++) {
    const suffix = keyLabels.slice(i).map(escapeLabel).join('.');
    if (!w.names.has(suffix)) w.names.set(suffix, start + (q.labelOffsets[i] as number) - first);
  }
}

/** The message bytes. */
export function encodeResponse(spec: ResponseSpec): Buffer {
  const w = new Writer();
  let flags = FLAG_QR | (spec.queryFlags & (OPCODE_MASK | FLAG_RD | FLAG_CD)) | (spec.rcode & 0xf);
  if (spec.aa) flags |= FLAG_AA;
  if (spec.tc) flags |= FLAG_TC;
  w.u16(spec.id);
  w.u16(flags);
  w.u16(spec.question ? 1 : 0);
  w.u16(spec.answers.length);
  w.u16(spec.authorities.length);
  w.u16(spec.additionals.length + (spec.opt ? 1 : 0));
  if (spec.question) {
    registerQuestion(w, spec.question, w.at);
    w.bytes(spec.question.raw);
  }
  for (const r of spec.answers) w.record(r);
  for (const r of spec.authorities) w.record(r);
  for (const r of spec.additionals) w.record(r);
  if (spec.opt) {
    // RFC 6891 §6.1.2-6.1.3: root owner, CLASS = our UDP payload size, TTL = extended rcode | version | flags.
    w.ensure(1);
    w.buf[w.at++] = 0;
    w.u16(TYPE_CODES.OPT as number);
    w.u16(spec.opt.udpSize);
    w.u32(((spec.rcode >> 4) & 0xff) << 24);
    w.u16(0);
  }
  return Buffer.from(w.buf.subarray(0, w.at));
}
