/**
 * RDATA in presentation form (RFC 1035 §5.1 and each type's RFC), from its uncompressed wire
 * bytes: for `dns query`'s output and the exchange record's response line. Data that does not
 * parse as its type, and types without a form here, print as RFC 3597 §5 `\# length hex`.
 * @module
 */
import { absolute, escapeLabel } from './names.js';
import { typeName } from './records.js';

class Reader {
  at = 0;
  constructor(readonly buf: Buffer) {}
  need(n: number): void {
    if (this.at + n > this.buf.length) throw new RangeError('short');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.at++] as number;
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }
  take(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
  rest(): Buffer {
    return this.take(this.buf.length - this.at);
  }
  string(): Buffer {
    return this.take(this.u8());
  }
  /** An uncompressed name, as a key-like text (labels escaped), presented with a trailing dot. */
  name(): string {
    const labels: string[] = [];
    for (;;) {
      const len = this.u8();
      if (len === 0) break;
      if (len > 63) throw new RangeError('compressed or bad label');
      labels.push(escapeLabel(this.take(len).toString('latin1')));
    }
    return absolute(labels.join('.'));
  }
  done(): boolean {
    return this.at === this.buf.length;
  }
}

/** A character-string in quotes, with `"`, `\` and non-printable bytes escaped (RFC 1035 §5.1). */
export function quoteString(bytes: Buffer | string): string {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  let out = '"';
  for (const b of buf) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b < 0x20 || b > 0x7e) out += `\\${String(b).padStart(3, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out}"`;
}

function ipv6(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  const text = groups.join(':');
  // RFC 5952 §4.2: the longest run of zero groups (two or more) becomes '::'.
  const runs = [...text.matchAll(/(^|:)0(:0)+(:|$)/g)];
  const longest = runs.sort((a, b) => b[0].length - a[0].length)[0];
  if (!longest) return text;
  const at = longest.index as number;
  return `${text.slice(0, at)}::${text.slice(at + longest[0].length)}`;
}

/** RFC 4034 §3.2: YYYYMMDDHHmmSS in UTC. */
function sigTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function bitmap(r: Reader): string {
  const types: string[] = [];
  while (!r.done()) {
    const window = r.u8();
    const bits = r.take(r.u8());
    bits.forEach((byte, i) => {
      for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >> bit)) types.push(typeName(window * 256 + i * 8 + bit));
    });
  }
  return types.join(' ');
}

const SVC_KEY_NAMES = ['mandatory', 'alpn', 'no-default-alpn', 'port', 'ipv4hint', 'ech', 'ipv6hint'];

function svcKeyName(k: number): string {
  return SVC_KEY_NAMES[k] ?? `key${k}`;
}

/** RFC 9460 §2.1 / Appendix A: values with commas and backslashes escaped. */
function svcValue(key: number, v: Buffer): string {
  const r = new Reader(v);
  const list = (item: () => string) => {
    const items: string[] = [];
    while (!r.done()) items.push(item());
    return items.join(',');
  };
  switch (key) {
    case 0:
      return list(() => svcKeyName(r.u16()));
    case 1:
      return quoteString(
        list(() =>
          r
            .string()
            .toString('latin1')
            .replace(/[,\\]/g, (c) => `\\${c}`),
        ),
      );
    case 3:
      return String(r.u16());
    case 4:
      return list(() => [...r.take(4)].join('.'));
    case 5:
      return v.toString('base64');
    case 6:
      return list(() => ipv6(r.take(16)));
    default:
      return quoteString(v);
  }
}

function parse(code: number, r: Reader): string {
  const hex = (b: Buffer) => b.toString('hex').toUpperCase();
  switch (typeName(code)) {
    case 'A':
      return [...r.take(4)].join('.');
    case 'AAAA':
      return ipv6(r.take(16));
    case 'NS':
    case 'CNAME':
    case 'DNAME':
    case 'PTR':
      return r.name();
    case 'MX':
      return `${r.u16()} ${r.name()}`;
    case 'SRV':
      return `${r.u16()} ${r.u16()} ${r.u16()} ${r.name()}`;
    case 'SOA':
      return `${r.name()} ${r.name()} ${r.u32()} ${r.u32()} ${r.u32()} ${r.u32()} ${r.u32()}`;
    case 'TXT':
    case 'SPF': {
      const parts: string[] = [];
      while (!r.done()) parts.push(quoteString(r.string()));
      return parts.join(' ');
    }
    case 'CAA':
      return `${r.u8()} ${r.string().toString('latin1')} ${quoteString(r.rest())}`;
    case 'HINFO':
      return `${quoteString(r.string())} ${quoteString(r.string())}`;
    case 'NAPTR':
      return `${r.u16()} ${r.u16()} ${quoteString(r.string())} ${quoteString(r.string())} ${quoteString(r.string())} ${r.name()}`;
    case 'DS':
    case 'CDS':
      return `${r.u16()} ${r.u8()} ${r.u8()} ${hex(r.rest())}`;
    case 'SSHFP':
      return `${r.u8()} ${r.u8()} ${hex(r.rest())}`;
    case 'TLSA':
    case 'SMIMEA':
      return `${r.u8()} ${r.u8()} ${r.u8()} ${hex(r.rest())}`;
    case 'DNSKEY':
    case 'CDNSKEY':
      return `${r.u16()} ${r.u8()} ${r.u8()} ${r.rest().toString('base64')}`;
    case 'RRSIG':
      return [
        typeName(r.u16()),
        r.u8(),
        r.u8(),
        r.u32(),
        sigTime(r.u32()),
        sigTime(r.u32()),
        r.u16(),
        r.name(),
        r.rest().toString('base64'),
      ].join(' ');
    case 'NSEC':
      return `${r.name()} ${bitmap(r)}`.trimEnd();
    case 'SVCB':
    case 'HTTPS': {
      const parts = [String(r.u16()), r.name()];
      while (!r.done()) {
        const key = r.u16();
        const value = r.take(r.u16());
        parts.push(value.length === 0 && key !== 1 ? svcKeyName(key) : `${svcKeyName(key)}=${svcValue(key, value)}`);
      }
      return parts.join(' ');
    }
    default:
      throw new RangeError('no form');
  }
}

/** RFC 3597 §5: `\# length hex`. */
export function genericRdata(rdata: Buffer): string {
  return `\\# ${rdata.length}${rdata.length > 0 ? ` ${rdata.toString('hex')}` : ''}`;
}

/** The presentation form of RDATA of type `code` (names must be uncompressed). */
export function rdataToText(code: number, rdata: Buffer): string {
  try {
    const r = new Reader(rdata);
    const text = parse(code, r);
    if (!r.done()) return genericRdata(rdata);
    return text;
  } catch {
    return genericRdata(rdata);
  }
}
