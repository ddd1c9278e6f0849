/**
 * The field readers and the writer that RDATA presentation forms are made of (rdata-parse.ts,
 * rdata-forms.ts): counts, hex, base64, DNSSEC algorithms, type names, signature times, the
 * NSEC type bitmap (RFC 4034 §4.1.2).
 * @module
 */
import { typeCode } from './records.js';
import { Fail, parseUint, type Token } from './zone-syntax.js';

/** DNSSEC algorithm mnemonics (RFC 4034 Appendix A.1, RFC 5702, RFC 6605, RFC 8080). */
const ALGORITHMS: Record<string, number> = {
  RSAMD5: 1,
  DH: 2,
  DSA: 3,
  RSASHA1: 5,
  'DSA-NSEC3-SHA1': 6,
  'RSASHA1-NSEC3-SHA1': 7,
  RSASHA256: 8,
  RSASHA512: 10,
  'ECC-GOST': 12,
  ECDSAP256SHA256: 13,
  ECDSAP384SHA384: 14,
  ED25519: 15,
  ED448: 16,
  INDIRECT: 252,
  PRIVATEDNS: 253,
  PRIVATEOID: 254,
};

export class Out {
  parts: Buffer[] = [];
  u8(n: number): this {
    this.parts.push(Buffer.from([n]));
    return this;
  }
  u16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n);
    this.parts.push(b);
    return this;
  }
  u32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    this.parts.push(b);
    return this;
  }
  bytes(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  string(b: Buffer): this {
    return this.u8(b.length).bytes(b);
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export function expectCount(fields: readonly Token[], n: number, type: string, what: string, line: number): void {
  if (fields.length !== n)
    throw new Fail(line, `${type} needs ${n} field${n === 1 ? '' : 's'} (${what}), got ${fields.length}`);
}

export function atLeast(fields: readonly Token[], n: number, type: string, what: string, line: number): void {
  if (fields.length < n) throw new Fail(line, `${type} needs ${what}, got ${fields.length} field(s)`);
}

export function unquoted(fields: readonly Token[], type: string): void {
  const q = fields.find((t) => t.quoted);
  if (q) throw new Fail(q.line, `unexpected quoted string "${q.text}" in ${type} data`);
}

/** Hex digits spread over the remaining tokens (RFC 4034 §5.3 and friends allow white space inside). */
export function hexOf(fields: readonly Token[], what: string, line: number, allowEmpty = false): Buffer {
  const text = fields.map((t) => t.text).join('');
  if (text === '-' && allowEmpty) return Buffer.alloc(0);
  if ((!allowEmpty && text === '') || !/^([0-9a-f]{2})*$/i.test(text))
    throw new Fail(line, `${what} '${text.slice(0, 40)}' is not an even number of hex digits`);
  return Buffer.from(text, 'hex');
}

export function base64Of(fields: readonly Token[], what: string, line: number): Buffer {
  const text = fields.map((t) => t.text).join('');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0)
    throw new Fail(line, `${what} '${text.slice(0, 40)}' is not base64`);
  return Buffer.from(text, 'base64');
}

export function algorithm(token: Token | undefined, line: number): number {
  const known = token && !token.quoted ? ALGORITHMS[token.text.toUpperCase()] : undefined;
  return known ?? parseUint(token, 255, 'algorithm', line);
}

export function typeField(token: Token | undefined, line: number): number {
  const code = token && !token.quoted ? typeCode(token.text) : undefined;
  if (code === undefined) throw new Fail(line, `'${token?.text ?? ''}' is not a record type`);
  return code;
}

/** RRSIG times: YYYYMMDDHHmmSS in UTC, or seconds (RFC 4034 §3.2), taken modulo 2^32 (RFC 1982). */
export function sigTime(token: Token | undefined, what: string, line: number): number {
  const text = token?.text ?? '';
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (m) {
    const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
    return (Date.UTC(y as number, (mo as number) - 1, d, h, mi, s) / 1000) % 2 ** 32;
  }
  return parseUint(token, 2 ** 32 - 1, what, line);
}

/** The NSEC type bitmap (RFC 4034 §4.1.2): windows of up to 32 bytes. */
export function typeBitmap(codes: readonly number[]): Buffer {
  const windows = new Map<number, Buffer>();
  for (const code of codes) {
    const w = code >> 8;
    let bits = windows.get(w);
    if (!bits) {
      bits = Buffer.alloc(32);
      windows.set(w, bits);
    }
    bits[(code & 0xff) >> 3] = (bits[(code & 0xff) >> 3] as number) | (0x80 >> (code & 7));
  }
  const out = new Out();
  for (const w of [...windows.keys()].sort((a, b) => a - b)) {
    const bits = windows.get(w) as Buffer;
    let len = 32;
    while (len > 0 && bits[len - 1] === 0) len--;
    out.u8(w).u8(len).bytes(bits.subarray(0, len));
  }
  return out.done();
}
